"""Writes a git-ignored .env with fresh development keys, once (`make run` calls it).

Run as `python -m crm_project.devenv`. An existing .env is never overwritten: its keys
protect the data already in the local databases.
"""

import base64
import os
import secrets
import sys
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"


def fresh_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def write_dev_env(path: Path = ENV_FILE) -> bool:
    if path.exists():
        return False
    path.write_text(
        "# Development settings written by `make run`. Never commit this file.\n"
        "DEBUG=true\n"
        "# The demo's staff sign in with a password only; everywhere else administrators\n"
        "# and privacy officers also need a code from an authenticator app.\n"
        "OTP_REQUIRED=false\n"
        "# Plain log lines for a terminal; production writes JSON lines\n"
        "# (docs/operating/monitoring.md).\n"
        "LOG_FORMAT=text\n"
        "# The sender of the mails the portal, the forms and the dashboard send.\n"
        'DEFAULT_FROM_EMAIL="Custodian demo shop <no-reply@shop.example>"\n'
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"VAULT_MASTER_KEYS={fresh_key()}\n"
        f"VAULT_INDEX_KEY={fresh_key()}\n"
        f"DEV_ADMIN_PASSWORD={secrets.token_urlsafe(12)}\n"
        f"DEV_STAFF_PASSWORD={secrets.token_urlsafe(12)}\n"
    )
    path.chmod(0o600)
    return True


if __name__ == "__main__":
    if write_dev_env():
        print(f"Wrote {ENV_FILE.name} with fresh development keys.")
    else:
        print(f"{ENV_FILE.name} exists; keeping its keys.", file=sys.stderr)
