"""Beat's sweeps for the embedded default. Without REDIS_URL Celery runs tasks in the
web process and no beat runs, so a job scheduled for later (a webhook retry: an outbox
job due at its next attempt) would wait forever. After a request, at most every
EMBEDDED_SWEEP_SECONDS per process, the sweeps named in EMBEDDED_SWEEP_TASKS run
in-process, as beat would run them. 0 turns this off (with a broker, beat does it).
The tasks are looked up by name: the outbox imports no app above it."""

import logging
import threading
import time

from django.conf import settings

from outbox.services import _task

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_last_sweep = {"at": float("-inf")}


def sweep_if_due(**_signal_kwargs) -> bool:
    """Run the sweeps if EMBEDDED_SWEEP_SECONDS have passed since the last; True if
    they ran. Never raises: a failing sweep is logged and tried again next time."""
    interval = settings.EMBEDDED_SWEEP_SECONDS
    if not interval:
        return False
    with _lock:
        now = time.monotonic()
        if now - _last_sweep["at"] < interval:
            return False
        _last_sweep["at"] = now
    for name in settings.EMBEDDED_SWEEP_TASKS:
        try:
            _task(name).apply()
        except Exception as error:
            logger.warning("embedded sweep: %s failed (%s)", name, type(error).__name__)
    return True


def reset() -> None:
    """Forget when the last sweep ran (tests)."""
    _last_sweep["at"] = float("-inf")
