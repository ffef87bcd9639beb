import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vault.keyring import check_key_settings

GOOD = "q" * 43 + "="
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("master", "index", "message"),
    [
        ([], GOOD, "VAULT_MASTER_KEYS is not set"),
        (["short"], GOOD, r"VAULT_MASTER_KEYS \(key 1\) is malformed"),
        ([GOOD, "@@not-base64@@"], GOOD, r"VAULT_MASTER_KEYS \(key 2\) is malformed"),
        ([GOOD], "", "VAULT_INDEX_KEY is not set"),
        ([GOOD], "c2hvcnQ=", "VAULT_INDEX_KEY is malformed"),
    ],
)
def test_missing_or_malformed_keys_are_refused_with_a_clear_message(master, index, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        check_key_settings(master, index)


def test_outside_debug_a_malformed_key_stops_start_up():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "VAULT_MASTER_KEYS": "not-a-key",
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "VAULT_MASTER_KEYS (key 1) is malformed" in result.stderr
