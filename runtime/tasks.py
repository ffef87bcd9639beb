"""A round trip through the broker to a worker and back (check_runtime --worker)."""

from celery import shared_task

from runtime.logs import request_id


@shared_task(ignore_result=False)
def ping() -> dict:
    """Answers which request queued it (the id travels in the message headers)."""
    return {"pong": True, "request_id": request_id.get()}
