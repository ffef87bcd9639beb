"""A pytest plugin (`-p tests.environment` in pyproject.toml), imported before
pytest-django reads settings (a conftest.py would be too late): gives each test run fresh vault keys
(unless the environment already sets them, as CI does) and production-like settings."""

import base64
import os


def _fresh_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


os.environ.setdefault("VAULT_MASTER_KEYS", _fresh_key())
os.environ.setdefault("VAULT_INDEX_KEY", _fresh_key())
os.environ.setdefault("SECRET_KEY", "test-only-" + _fresh_key())
# Tests run as production does (a developer's .env may say DEBUG=true), on local hosts.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# The test client and the browser tests speak plain HTTP to the app (no TLS proxy).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The embedded sweep (outbox/embedded.py) would run after any request of any test; the
# tests of it turn it on.
os.environ.setdefault("EMBEDDED_SWEEP_SECONDS", "0")
