"""Audit the pinned runtime dependencies for known vulnerabilities (pip-audit).

    python .ci/audit_dependencies.py [requirements.txt]

Exit 1 when pip-audit reports a known vulnerability (bump the pin, run `make test`).
When the vulnerability service cannot be reached, or answers for none of the packages (a
package mirror without vulnerability data), print ONE warning line and exit 0: an
outage of the service must not block every build, and the warning says the audit did
not happen. `PIP_AUDIT` names another pip-audit executable (the tests use a stand-in).
"""

import json
import os
import shlex
import subprocess
import sys

UNREACHABLE = "could not be audited"


def run_pip_audit(requirements: str) -> subprocess.CompletedProcess:
    command = shlex.split(os.environ.get("PIP_AUDIT", f"{sys.executable} -m pip_audit"))
    # Pins are exact and complete (requirements.txt), so no resolver run is needed.
    args = ["-r", requirements, "--no-deps", "--disable-pip", "--progress-spinner", "off"]
    return subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [*command, *args, "--format", "json", "--timeout", "20"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _describe(vuln: dict) -> str:
    fixed = ", ".join(vuln.get("fix_versions") or [])
    return vuln["id"] + (f" (fixed in {fixed})" if fixed else "")


def judge(result: subprocess.CompletedProcess) -> tuple[int, str]:
    try:
        report = json.loads(result.stdout)
        dependencies = report["dependencies"]
    except (json.JSONDecodeError, KeyError, TypeError):
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return 0, (
            f"WARNING: pip-audit could not reach its vulnerability service ({reason}); "
            "dependencies were NOT audited."
        )
    vulnerable = [
        f"{dep['name']} {dep['version']}: " + ", ".join(_describe(v) for v in dep["vulns"])
        for dep in dependencies
        if dep.get("vulns")
    ]
    if vulnerable:
        listed = "\n  ".join(vulnerable)
        return 1, f"pip-audit: known vulnerabilities; bump these pins:\n  {listed}"
    skipped = [dep["name"] for dep in dependencies if UNREACHABLE in dep.get("skip_reason", "")]
    audited = len(dependencies) - len(skipped)
    if skipped:
        return 0, (
            f"WARNING: pip-audit's service had no data for {len(skipped)} of {len(dependencies)} "
            "packages (unreachable, or a mirror without vulnerability data); "
            f"only {audited} were audited."
        )
    return 0, f"pip-audit: {audited} packages audited, no known vulnerabilities."


def main() -> int:
    requirements = sys.argv[1] if len(sys.argv) > 1 else "requirements.txt"
    try:
        result = run_pip_audit(requirements)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"WARNING: pip-audit did not run ({error}); dependencies were NOT audited.")
        return 0
    status, message = judge(result)
    print(message)
    return status


if __name__ == "__main__":
    sys.exit(main())
