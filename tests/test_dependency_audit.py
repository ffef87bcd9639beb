"""Issue 16, item 5: CI's dependency audit (.ci/audit_dependencies.py, `make audit`)
fails on a known vulnerability, passes a clean report, and prints one warning line (and
passes) when pip-audit's service cannot be reached. A stand-in pip-audit prints what the
real one would; bandit's part is `make lint` (pyproject.toml [tool.bandit])."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "audit_dependencies.py"


def audit_with(tmp_path, stdout: str, stderr: str = "", code: int = 0):
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(
        "import sys\n"
        f"sys.stdout.write({stdout!r}); sys.stderr.write({stderr!r}); sys.exit({code})\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PIP_AUDIT": f"{sys.executable} {fake}"}
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), "requirements.txt"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails_the_build_naming_the_pin_and_the_fix(tmp_path):
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["5.2.99"], "aliases": [], "description": ""}
    result = audit_with(
        tmp_path,
        report(
            {"name": "django", "version": "5.2.19", "vulns": [vuln]},
            {"name": "segno", "version": "1.6.6", "vulns": []},
        ),
        code=1,
    )
    assert result.returncode == 1
    assert "django 5.2.19: PYSEC-2099-1 (fixed in 5.2.99)" in result.stdout
    assert "segno" not in result.stdout


def test_a_clean_report_passes(tmp_path):
    result = audit_with(tmp_path, report({"name": "django", "version": "5.2.19", "vulns": []}))
    assert result.returncode == 0
    assert result.stdout.strip() == "pip-audit: 1 packages audited, no known vulnerabilities."


@pytest.mark.parametrize(
    ("stdout", "stderr"),
    [
        ("", "requests.exceptions.ConnectionError: Max retries exceeded\n"),
        (
            report(
                {
                    "name": "django",
                    "skip_reason": "Dependency not found on PyPI and could not be audited: "
                    "django (5.2.19)",
                }
            ),
            "",
        ),
    ],
    ids=["unreachable", "mirror-without-data"],
)
def test_an_unreachable_service_is_one_warning_line_and_no_failure(tmp_path, stdout, stderr):
    result = audit_with(tmp_path, stdout, stderr, code=1 if not stdout else 0)
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("WARNING:")


def test_ci_runs_the_audit_and_bandit_on_every_run():
    ci = (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make lint" in ci and "make audit" in ci
    assert "bandit -c pyproject.toml -r . -q --severity-level medium" in makefile
    assert ".ci/audit_dependencies.py requirements.txt" in makefile
    pins = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert any(p.startswith("bandit==") for p in pins)
    assert any(p.startswith("pip-audit==") for p in pins)
