"""The project documents its own API: README and docs/api.md link only files that are
in the repository, and docs/api.md names every path the URL conf serves."""

import re
from pathlib import Path

from django.urls import get_resolver

ROOT = Path(__file__).resolve().parent.parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _local_links(path: Path) -> list[str]:
    return [
        target.split("#")[0]
        for target in LINK.findall(path.read_text())
        if not target.startswith(("http://", "https://", "#", "mailto:"))
    ]


def test_readme_and_api_docs_link_only_files_in_the_repository():
    for document in (ROOT / "README.md", ROOT / "docs" / "api.md"):
        for target in _local_links(document):
            resolved = (document.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), (document.name, target)
            assert resolved.exists(), (document.name, target)
    assert "docs/api.md" in _local_links(ROOT / "README.md")


def test_the_api_docs_name_every_served_path():
    docs = (ROOT / "docs" / "api.md").read_text()
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    for pattern in api.url_patterns:
        route = str(pattern.pattern)
        if not route.startswith("v1/"):
            continue
        # `<str:customer_id>` (any `..._id`) is written `<id>` in the docs, `<path:sku>` `<sku>`.
        shown = re.sub(r"<(?:\w+:)?\w*id>", "<id>", route)
        shown = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", shown)
        assert f"/api/{shown}" in docs, route
