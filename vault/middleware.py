"""Request-wide vault plumbing: one key scope per request, and vault errors answered
calmly on every surface.

A master key missing from VAULT_MASTER_KEYS or a ciphertext that fails authentication
is an operator's problem, not the visitor's: the API answers 503 JSON (api.errors), and
every other page (admin, portal, dashboard) gets the translatable page
templates/vault_unavailable.html with 503, never a traceback, whether DEBUG is on or
off. An erased record (KeyDestroyed) is a 404. Each is logged by error class and path.
"""

import logging

from django.http import JsonResponse
from django.shortcuts import render

from vault.exceptions import KeyDestroyed, VaultError
from vault.keys import key_scope

logger = logging.getLogger("vault")

UNAVAILABLE = (
    "Personal data cannot be read right now (vault unavailable); the operators have been "
    "told. Try again later."
)


class KeyScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with key_scope():
            return self.get_response(request)


def log_vault_error(request, exception: VaultError) -> None:
    """The error report: the error class, the path and the message (ids, no data)."""
    logger.error(
        "Vault error %s on %s %s: %s",
        type(exception).__name__,
        request.method,
        request.path,
        exception,
    )


def vault_error_response(request, exception: VaultError):
    """The calm answer to a vault error: JSON under /api/, a page elsewhere."""
    erased = isinstance(exception, KeyDestroyed)
    status = 404 if erased else 503
    if not erased:
        log_vault_error(request, exception)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found." if erased else UNAVAILABLE}, status=status)
    return render(request, "vault_unavailable.html", {"erased": erased}, status=status)


class VaultErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, VaultError):
            return vault_error_response(request, exception)
        return None
