"""Logging filters: request lines are logged without their query strings.

An old API client may still send `GET /api/v1/customers/?email=...`; the access log must
not keep that address, so the query string is cut from every logged request line.
"""

import logging
import re

# "GET /path?query HTTP/1.1" -> "GET /path HTTP/1.1"; a bare path loses "?..." too.
_QUERY = re.compile(r"\?[^\s\"]*")


def strip_query(text: str) -> str:
    return _QUERY.sub("", text)


class StripQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = strip_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                strip_query(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
