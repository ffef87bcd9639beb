"""Maps domain errors to the contract's error shapes: 400 with field messages, 404, 409.
Nothing here echoes a submitted value."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from api.parsers import PayloadTooLarge
from customers.exceptions import BatchValidationError, DuplicateCustomer
from disposal.exceptions import UnknownSubject
from vault.exceptions import KeyDestroyed, VaultError
from vault.middleware import UNAVAILABLE, log_vault_error


class BadRequest(APIException):
    """A request that is well-formed JSON but asks for something unanswerable:
    400 with {"detail": "message"}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"


def exception_handler(exc, context):
    if isinstance(exc, PayloadTooLarge):
        return Response(
            {"detail": str(exc.detail), "limit": exc.limit},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DuplicateCustomer):
        return Response(exc.message_dict, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, BatchValidationError):
        return Response(
            {
                "detail": f"{len(exc.errors)} line(s) are invalid; nothing was stored.",
                "items": {str(index): errors for index, errors in exc.errors.items()},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        body = (
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (KeyDestroyed, UnknownSubject)):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, VaultError):
        # A master key gone or a ciphertext altered: 503 JSON, logged, no traceback.
        log_vault_error(context["request"], exc)
        return Response({"detail": UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    return drf_exception_handler(exc, context)
