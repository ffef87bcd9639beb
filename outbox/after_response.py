"""Jobs handed over after the response: for work whose cost must not show in the
request's timing (a sign-in mail goes to a customer and not to a stranger; a request
that waited for it would say which it was).

`enqueue(..., after_response=True)` inside a request records the job as usual and
notes its id here; when the response is finished (Django's request_finished, sent after
the server wrote the body) the noted jobs are dispatched. With a broker that is a
hand-over; with the embedded default the task runs then, in the web process, after the
client has its answer. A job whose transaction rolled back is simply not found. Outside
a request there is no "after", and the job is dispatched on commit as any other.
"""

import logging
import threading

logger = logging.getLogger(__name__)
_state = threading.local()


def in_request() -> bool:
    return getattr(_state, "in_request", False)


def defer(job_id) -> None:
    """Dispatch this job once the current response is finished."""
    _state.jobs.append(job_id)


def request_started(**_signal_kwargs) -> None:
    _state.in_request = True
    _state.jobs = []


def request_finished(**_signal_kwargs) -> None:
    from outbox.services import dispatch

    jobs, _state.jobs, _state.in_request = getattr(_state, "jobs", []), [], False
    for job_id in jobs:
        try:
            dispatch(job_id)
        except Exception as error:
            # The client has its answer; a job that failed is the task's to retry.
            logger.warning(
                "outbox: job %s failed after the response (%s)", job_id, type(error).__name__
            )
