"""The API's JSON parser: DRF's, with a bound on nesting.

Python's json module recurses once per level, so a body nested a thousand deep raised
RecursionError (a 500). No request of this API nests more than a few levels, so any
body deeper than MAX_DEPTH is a 400, and so is one the parser could not descend at all.
"""

import io

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep is not accepted."


def nesting_depth(value) -> int:
    """How deep lists and objects nest (a scalar is 0), without recursion."""
    if not isinstance(value, (dict, list)):
        return 0
    # Only lists and objects go on the stack: a batch of 500 flat lines is 500 entries,
    # not the 3,500 values inside them.
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


class PayloadTooLarge(APIException):
    """413 for a body longer than API_MAX_BODY_BYTES that came without a Content-Length
    (api.middleware refuses the others before they are read)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than the limit of {limit} bytes.")
        self.limit = limit


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(limit)
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
