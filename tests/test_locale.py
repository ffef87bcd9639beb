"""Issue 26 item 5: every Bahasa Indonesia catalogue is complete and compiled. CI fails
on a fuzzy entry, an empty translation, or a .mo that says something other than its .po
(compiled here to a temporary file and compared by content, not bytes)."""

import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(
    path
    for path in ROOT.glob("**/locale/id/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "node_modules" not in path.parts
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_catalogues_are_found():
    names = {_name(path) for path in CATALOGUES}
    assert "locale/id/LC_MESSAGES/django.po" in names  # the portal's and project-wide
    assert "leads/locale/id/LC_MESSAGES/django.po" in names


def _untranslated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return not entry.msgstr_plural or not all(entry.msgstr_plural.values())
    return not entry.msgstr


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_name)
def test_no_entry_is_fuzzy_or_untranslated(po_path):
    catalogue = polib.pofile(str(po_path))
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries() if not entry.obsolete]
    empty = [entry.msgid for entry in catalogue if not entry.obsolete and _untranslated(entry)]
    assert not fuzzy, f"{_name(po_path)}: fuzzy entries: {fuzzy}"
    assert not empty, f"{_name(po_path)}: untranslated entries: {empty}"


def _messages(mo: polib.MOFile) -> dict:
    """A compiled catalogue's content: {(context, msgid, plural): translation(s)}."""
    result = {}
    for entry in mo:
        if not entry.msgid:  # the header
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        result[key] = (
            tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        )
    return result


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_name)
def test_the_compiled_catalogue_matches_its_source(po_path, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - a fixed tool on the repository's own files
        ["msgfmt", "--check", "-o", str(compiled), str(po_path)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{_name(po_path)} is not compiled: run msgfmt"
    expected = _messages(polib.mofile(str(compiled)))
    actual = _messages(polib.mofile(str(mo_path)))
    missing = sorted(str(key[1]) for key in expected.keys() - actual.keys())
    stale = sorted(str(key[1]) for key in actual.keys() - expected.keys())
    changed = sorted(
        str(key[1]) for key in expected.keys() & actual.keys() if expected[key] != actual[key]
    )
    assert not (missing or stale or changed), (
        f"{_name(mo_path)} is out of date with its .po (recompile with msgfmt): "
        f"missing {missing[:5]}, no longer in the .po {stale[:5]}, changed {changed[:5]}"
    )
