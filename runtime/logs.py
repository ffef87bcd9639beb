"""Structured logs: one JSON object per line, a request id carried from the web request
into the Celery tasks it causes, and personal values scrubbed before output.

`LOG_FORMAT=text` gives plain lines for a developer's terminal; every other setting is
JSON (python-json-logger). Fields: `time`, `level`, `logger`, `message`, `request_id`
(when there is one), `exc_info` (scrubbed).
"""

import logging
import re
import uuid
from contextvars import ContextVar

from runtime.scrub import PERSONAL_FIELDS, REDACTED, scrub_text

request_id: ContextVar[str] = ContextVar("request_id", default="")

# A caller's X-Request-ID is kept only when it is a plain token (no room for data).
_SAFE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
HEADER = "X-Request-ID"
TASK_HEADER = "custodian_request_id"


class RequestIdMiddleware:
    """Gives every request an id (the proxy's X-Request-ID when it is a plain token),
    puts it on the response and on every log line written while serving it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        current = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(current)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = current
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


# What every LogRecord has; anything else came in through `extra=` or a library.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


class ScrubPersonalData(logging.Filter):
    """Formats the message, scrubs it (and any traceback), and drops extra fields
    named like personal data. Attached to every handler, so nothing bypasses it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = scrub_text(message), ()
        if record.exc_info:
            record.exc_text = scrub_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        for field, value in list(vars(record).items()):
            if field in _STANDARD:
                continue
            if field in PERSONAL_FIELDS:
                setattr(record, field, REDACTED)
            elif isinstance(value, str):
                setattr(record, field, scrub_text(value))
            elif not isinstance(value, (int, float, bool, type(None))):
                # An object (a request, a socket) would be written as its repr, query
                # string and all: name its type instead.
                setattr(record, field, type(value).__name__)
        return True


def bind_celery_request_ids(app) -> None:
    """The id of the request that queued a task travels in the message headers and is
    set again while the task runs, so its log lines carry it too."""
    from celery.signals import before_task_publish, task_postrun, task_prerun

    @before_task_publish.connect(weak=False)
    def _stamp(headers=None, **kwargs):
        current = request_id.get()
        if current and headers is not None:
            headers.setdefault(TASK_HEADER, current)

    @task_prerun.connect(weak=False)
    def _restore(task=None, **kwargs):
        # An eager task runs inside the request and already sees its id.
        incoming = getattr(task.request, TASK_HEADER, None) if task else None
        if incoming and _SAFE_ID.fullmatch(str(incoming)):
            task.request.custodian_token = request_id.set(incoming)

    @task_postrun.connect(weak=False)
    def _clear(task=None, **kwargs):
        token = getattr(task.request, "custodian_token", None) if task else None
        if token is not None:
            request_id.reset(token)
