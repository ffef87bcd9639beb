"""SECURITY.md makes promises; these tests fail when the code stops keeping them."""

import re
from pathlib import Path
from urllib.parse import urlparse

import yaml
from django.apps import apps

from vault.fields import BlindIndexField, EncryptedTextField

ROOT = Path(__file__).resolve().parent.parent
SECURITY = (ROOT / "SECURITY.md").read_text()


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", SECURITY, re.S | re.M)
    assert match, f"SECURITY.md has no section {title!r}"
    return match.group(1)


def test_the_security_page_covers_threats_keys_backups_rotation_and_reporting():
    threats = _section("Threat model in a page")
    for heading in ("### Assets", "### Actors", "### Trust boundaries"):
        assert heading in threats
    for title in (
        "What is encrypted, and with which key",
        "The key store and its backups",
        "Key rotation",
        "Reporting a vulnerability",
    ):
        assert _section(title).strip()


def test_every_encrypted_or_blind_indexed_field_is_in_the_encryption_table():
    table = [
        line
        for line in _section("What is encrypted, and with which key").splitlines()
        if line.startswith("|")
    ]
    missing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, EncryptedTextField | BlindIndexField):
                continue
            label = model._meta.label_lower
            rows = [line for line in table if f"`{label}." in line or f"`{field.name}`" in line]
            if not any(
                f"`{label}.{field.name}`" in line
                or (f"`{label}." in line and f"`{field.name}`" in line)
                or (isinstance(field, BlindIndexField) and f"`{field.name}`" in line)
                for line in rows
            ):
                missing.append(f"{label}.{field.name}")
    assert missing == []


def test_docker_compose_puts_the_key_store_on_its_own_server_and_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    data = urlparse(environment["DATABASE_URL"])
    keys = urlparse(environment["KEYS_DATABASE_URL"])
    assert data.hostname != keys.hostname
    services = compose["services"]
    assert {data.hostname, keys.hostname} <= set(services)
    data_volumes = set(services[data.hostname].get("volumes", []))
    keys_volumes = set(services[keys.hostname].get("volumes", []))
    assert keys_volumes and not data_volumes & keys_volumes
    assert data.password != keys.password


def test_the_readme_links_the_security_page():
    assert "(SECURITY.md)" in (ROOT / "README.md").read_text()
