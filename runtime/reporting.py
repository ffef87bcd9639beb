"""Optional error reporting to Sentry (SENTRY_DSN), with nothing personal in a report.

Off unless SENTRY_DSN is set. `send_default_pii=False` keeps users, cookies and IP
addresses out; local variables are not collected; and `scrub_event` removes request
bodies, headers, cookies and query strings, drops any frame variables that got in, and
scrubs every message left (runtime.scrub) before a report leaves the process.
"""

from crm_project.logging import strip_query
from runtime.scrub import scrub, scrub_text


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if request:
        event["request"] = {
            "method": request.get("method"),
            "url": strip_query(request.get("url") or ""),
        }
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = scrub_text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            _scrub_frame(frame)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            _scrub_frame(frame)
    if isinstance(event.get("logentry"), dict):
        event["logentry"] = {
            "message": scrub_text(
                event["logentry"].get("formatted") or event["logentry"].get("message") or ""
            )
        }
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    for key in ("extra", "contexts", "tags"):
        if key in event:
            event[key] = scrub(event[key])
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        breadcrumbs["values"] = [
            scrub_breadcrumb(crumb) for crumb in breadcrumbs.get("values") or []
        ]
    return event


def _scrub_frame(frame: dict) -> None:
    frame.pop("vars", None)
    for key in ("pre_context", "post_context"):
        if key in frame:
            frame[key] = [scrub_text(line) for line in frame[key]]
    if "context_line" in frame:
        frame["context_line"] = scrub_text(frame["context_line"])


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    if crumb.get("message"):
        crumb["message"] = scrub_text(crumb["message"])
    # SQL breadcrumbs carry their parameters; a URL its query string.
    crumb.pop("data", None)
    return crumb


def init_error_reporting(dsn: str, *, environment: str, transport=None) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=0,
        transport=transport,
    )
