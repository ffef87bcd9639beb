"""Docs that cannot fall behind: every setting the code reads from the environment, every
management command of the project and every API route is documented in the site
(docs/), and no page names a setting, command or file that no longer exists.

Each failure names what is missing and where it belongs, so the fix is one line of docs.
"""

import ast
import importlib.util
import re
import subprocess
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "operating" / "configuration.md"
COMMANDS = DOCS / "operating" / "commands.md"
# Code that is not the application: its environment is the test runner's or the bench's.
NOT_APPLICATION = {".venv", ".ci", "tests", "bench", "docs", "site", "node_modules"}
# Django's and the test runner's own variables, not Custodian's settings.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
ENV_READERS = {"get", "getenv", "setdefault"}
BACKTICKED = re.compile(r"`([^`\n]+)`")
SETTING_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]+")
COMMAND = re.compile(r"manage\.py\s+([a-z][a-z0-9_]*)")
FILE_NAME = re.compile(r"[\w.-]*[\w-]+(?:/[\w.-]+)*\.(?:py|md|yml|yaml|toml|txt|html|po|cfg|ini)")


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _site_text() -> str:
    return "\n".join(page.read_text() for page in _pages())


def _environment_name(node: ast.AST) -> str | None:
    """The variable name when `node` reads one: env.X("NAME"), env("NAME"),
    os.environ.get/setdefault("NAME"), os.getenv("NAME") or os.environ["NAME"]."""
    if isinstance(node, ast.Subscript):
        target, key = node.value, node.slice
        if isinstance(target, ast.Attribute) and target.attr == "environ":
            return key.value if isinstance(key, ast.Constant) else None
        return None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    first, func = node.args[0], node.func
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    if isinstance(func, ast.Name) and func.id == "env":
        return first.value
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id == "env":
            return first.value
        if isinstance(owner, ast.Attribute) and owner.attr == "environ":
            return first.value if func.attr in ENV_READERS else None
        if isinstance(owner, ast.Name) and owner.id == "os" and func.attr == "getenv":
            return first.value
    return None


@cache
def settings_read_from_the_environment() -> frozenset[str]:
    """Every variable the application reads from the environment, and where."""
    names = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_APPLICATION or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            name = _environment_name(node)
            if name and VARIABLE_NAME.fullmatch(name) and name not in NOT_SETTINGS:
                names.add(name)
    compose = (ROOT / "docker-compose.yml").read_text()
    names.update(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
    return frozenset(names)


def _documented_settings() -> set[str]:
    """The variables the configuration page's tables name in their first column."""
    names = set()
    for line in CONFIGURATION.read_text().splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(BACKTICKED.findall(first_column))
    return names


@cache
def _optional_django_settings() -> frozenset[str]:
    """Settings the code reads with a default, `getattr(settings, "NAME", ...)`."""
    names = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_APPLICATION:
            continue
        names.update(re.findall(r"getattr\(settings, \"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    return frozenset(names)


@cache
def _project_commands() -> dict[str, str]:
    """Management commands of this project's apps (not Django's or a package's)."""
    return {
        name: app
        for name, app in get_commands().items()
        if not app.startswith("django.") and (ROOT / app.replace(".", "/")).is_dir()
    }


@cache
def _tracked_files() -> frozenset[str]:
    listed = subprocess.run(
        ["git", "ls-files"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return frozenset(listed)


def _api_routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _api_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def _as_written_in_docs(route: str) -> str:
    """`<str:customer_id>` (any `..._id`) is written `<id>` in the docs, `<path:sku>` `<sku>`."""
    shown = re.sub(r"<(?:\w+:)?\w*id>", "<id>", route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", shown)


def test_every_setting_read_from_the_environment_is_on_the_configuration_page():
    missing = sorted(settings_read_from_the_environment() - _documented_settings())
    assert missing == [], (
        f"read from the environment but not documented: {missing}; add a row for each "
        f"to {CONFIGURATION.relative_to(ROOT)} (name, meaning, default)"
    )


def test_the_configuration_page_names_only_settings_that_are_read():
    gone = sorted(_documented_settings() - settings_read_from_the_environment())
    assert gone == [], f"{CONFIGURATION.relative_to(ROOT)} documents settings nothing reads: {gone}"


def test_every_management_command_of_the_project_is_on_the_commands_page():
    documented = set(COMMAND.findall(COMMANDS.read_text()))
    missing = sorted(set(_project_commands()) - documented)
    assert missing == [], (
        f"management commands not on {COMMANDS.relative_to(ROOT)}: {missing}; add a row "
        "`python manage.py <name> [options]` with what it does"
    )


def test_every_api_route_is_documented_in_the_site():
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    site = _site_text()
    missing = [
        route for route in _api_routes(api, "api/") if _as_written_in_docs(route) not in site
    ]
    assert missing == [], f"API routes no page of docs/ names: {missing}"


def test_pages_name_only_commands_that_exist():
    commands = set(get_commands())
    for page in [ROOT / "README.md", *_pages()]:
        unknown = sorted(set(COMMAND.findall(page.read_text())) - commands)
        assert unknown == [], f"{page.relative_to(ROOT)} names missing commands: {unknown}"


def test_pages_name_only_settings_that_exist():
    """A backticked NAME_LIKE_THIS is a setting: read from the environment, or one of
    Django's settings (`API_MAX_CUSTOMER_BATCH`, `CELERY_BEAT_SCHEDULE`)."""
    known = settings_read_from_the_environment() | set(dir(settings)) | _optional_django_settings()
    for page in [ROOT / "README.md", *_pages()]:
        named = {
            token for token in BACKTICKED.findall(page.read_text()) if SETTING_NAME.fullmatch(token)
        }
        unknown = sorted(named - known)
        assert unknown == [], f"{page.relative_to(ROOT)} names settings that are gone: {unknown}"


def test_pages_name_only_files_that_exist():
    """A backticked path (`audit/chain.py`) exists at that path; a bare file name
    (`engine.py`) exists somewhere in the repository."""
    tracked = _tracked_files()
    names = {path.rsplit("/", 1)[-1] for path in tracked}
    for page in [ROOT / "README.md", *_pages()]:
        missing = []
        for token in BACKTICKED.findall(page.read_text()):
            for path in FILE_NAME.findall(token):
                found = path in tracked if "/" in path else path in names
                if not found and not (ROOT / path).exists():
                    missing.append(path)
        assert missing == [], f"{page.relative_to(ROOT)} names files that do not exist: {missing}"


def test_the_checks_find_what_they_look_for():
    """The scanners are not vacuous: they see the settings, commands and routes we know."""
    assert {"DATABASE_URL", "VAULT_MASTER_KEYS", "GUNICORN_WORKERS", "DEV_STAFF_PASSWORD"} <= (
        settings_read_from_the_environment()
    )
    assert {"verify_erasure", "rotate_master_key", "create_staff"} <= set(_project_commands())
    assert "migrate" not in _project_commands()
    assert "RECOMMENDATIONS_PARAMS" in _optional_django_settings()
    assert _as_written_in_docs("api/v1/customers/<str:customer_id>/") == "/api/v1/customers/<id>/"
    tree = ast.parse('env.int("A_B", default=1)\nos.environ.get("C_D")\nos.environ["E_F"]')
    assert {_environment_name(node) for node in ast.walk(tree)} >= {"A_B", "C_D", "E_F"}


def test_the_openapi_reference_page_holds_every_operation_of_the_schema():
    """The site's OpenAPI page is generated at build time (docs/hooks/openapi.py)."""
    spec = importlib.util.spec_from_file_location("openapi_hook", DOCS / "hooks" / "openapi.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    schema = hook.load_schema()
    page = hook.operations_markdown(schema)
    operations = [
        f"### `{method.upper()} {path}`"
        for path, methods in schema["paths"].items()
        for method in methods
        if method in hook.METHODS
    ]
    assert len(operations) > 20
    assert [operation for operation in operations if operation not in page] == []
    assert "| `customer_id` | path | yes |" in page
