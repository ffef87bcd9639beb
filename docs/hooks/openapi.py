"""MkDocs hook: the OpenAPI reference page, generated from the code at every build.

The schema is what drf-spectacular serves at /api/schema/ (`manage.py spectacular`),
made here in-process, offline, with throwaway keys when the environment has none (making
a schema opens no database and decrypts nothing). It is published beside the page as
`storefront/openapi.json`, and the page's `<!-- openapi-operations -->` marker is
replaced by one section per operation, so the reference cannot fall behind the code.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent.parent
MARKER = "<!-- openapi-operations -->"
PAGE = "storefront/openapi.md"
SCHEMA_FILE = "storefront/openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")

_schema: dict[str, Any] | None = None


def _throwaway_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def load_schema() -> dict[str, Any]:
    """The OpenAPI document of the storefront API, as /api/schema/ serves it."""
    global _schema
    if _schema is None:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django
        from django.apps import apps

        if not apps.ready:  # a docs build, not a test run: Django is ours to set up
            for name, value in {
                "DJANGO_SETTINGS_MODULE": "crm_project.settings",
                "DEBUG": "true",
                "SECRET_KEY": "docs-build-only",
                "VAULT_MASTER_KEYS": _throwaway_key(),
                "VAULT_INDEX_KEY": _throwaway_key(),
            }.items():
                os.environ.setdefault(name, value)
            django.setup()
        from drf_spectacular.generators import SchemaGenerator
        from drf_spectacular.renderers import OpenApiJsonRenderer

        schema = SchemaGenerator().get_schema(request=None, public=True)
        _schema = json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))
    return _schema


def _component(schema: dict[str, Any], reference: dict[str, Any]) -> tuple[str, dict]:
    if "$ref" not in reference:
        return "", reference
    name = reference["$ref"].rsplit("/", 1)[-1]
    return name, schema["components"]["schemas"].get(name, {})


def _type(definition: dict[str, Any]) -> str:
    if "$ref" in definition:
        return definition["$ref"].rsplit("/", 1)[-1]
    if "allOf" in definition or "oneOf" in definition:
        parts = definition.get("allOf") or definition.get("oneOf")
        return " or ".join(_type(part) for part in parts)
    kind = definition.get("type", "object")
    if kind == "array":
        return f"list of {_type(definition.get('items', {}))}"
    if "enum" in definition:
        return " \\| ".join(f"`{value}`" for value in definition["enum"] if value is not None)
    return kind + (f" ({definition['format']})" if "format" in definition else "")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _fields(schema: dict[str, Any], body: dict[str, Any]) -> list[str]:
    name, definition = _component(schema, body)
    if definition.get("type") == "array":
        name, definition = _component(schema, definition.get("items", {}))
    properties = definition.get("properties", {})
    if not properties:
        return [f"`{name or _type(body)}`", ""]
    required = set(definition.get("required", []))
    heading = f"`{name}`" if name else ""
    lines = [heading, "", "| field | type | required | notes |", "|---|---|---|---|"]
    for field, spec in properties.items():
        flags = "read-only" if spec.get("readOnly") else ("yes" if field in required else "")
        lines.append(
            f"| `{field}` | {_type(spec)} | {flags} | {_cell(spec.get('description', ''))} |"
        )
    return [*lines, ""]


def operations_markdown(schema: dict[str, Any]) -> str:
    """One section per operation: description, parameters, body fields, answers."""
    lines: list[str] = []
    for path in sorted(schema["paths"]):
        for method in METHODS:
            operation = schema["paths"][path].get(method)
            if operation is None:
                continue
            lines += [f"### `{method.upper()} {path}`", ""]
            if operation.get("deprecated"):
                lines += ['!!! warning "Deprecated"', "    Kept for v1 clients.", ""]
            if operation.get("description"):
                lines += [operation["description"], ""]
            parameters = operation.get("parameters", [])
            if parameters:
                lines += ["| parameter | in | required | notes |", "|---|---|---|---|"]
                for parameter in parameters:
                    lines.append(
                        f"| `{parameter['name']}` | {parameter['in']} | "
                        f"{'yes' if parameter.get('required') else ''} | "
                        f"{_cell(parameter.get('description', ''))} |"
                    )
                lines.append("")
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                lines += ["**Body:**", *_fields(schema, content["application/json"]["schema"])]
            lines += ["| answer | meaning |", "|---|---|"]
            for status, answer in sorted(operation.get("responses", {}).items()):
                lines.append(f"| `{status}` | {_cell(answer.get('description', ''))} |")
            lines.append("")
    return "\n".join(lines)


def on_files(files: Files, config: Any) -> Files:
    document = json.dumps(load_schema(), indent=2, sort_keys=True)
    files.append(File.generated(config, SCHEMA_FILE, content=document))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its {MARKER} marker")
    return markdown.replace(MARKER, operations_markdown(load_schema()))
