"""Celery queues per job kind, for scaling out (docs/operating/scaling.md).

Off by default: one worker consumes the one default queue. With CELERY_QUEUES_BY_KIND
set, each kind of job goes to its own queue, so an operator can give erasures their own
workers (they have a deadline), keep a long recommendation build from delaying webhook
deliveries, and scale campaign sending separately. Every queue must have a worker:
docker-compose's worker consumes all of them (WORKER_QUEUES); split them across
services to scale one kind alone.
"""

DEFAULT_QUEUE = "celery"
KINDS = {
    "erasure": ["disposal.tasks.run_erasure", "disposal.tasks.resume_stalled_erasures"],
    "webhooks": ["disposal.tasks.deliver_webhook", "disposal.tasks.deliver_due_webhooks"],
    "campaigns": [
        "campaigns.tasks.send_campaign_batch",
        "campaigns.tasks.resume_stalled_sends",
        "campaigns.tasks.deliver_post_list",
    ],
    "recommendations": [
        "recommendations.tasks.rebuild_recommendations",
        "recommendations.tasks.resume_interrupted_builds",
        "recommendations.tasks.apply_pending_forgets",
    ],
}
# Everything else (outbox sweeps, audit sealing, retention, reminders, pings) stays on
# the default queue.
ALL_QUEUES = [DEFAULT_QUEUE, *KINDS]


def task_routes(by_kind: bool) -> dict[str, dict[str, str]]:
    if not by_kind:
        return {}
    return {name: {"queue": queue} for queue, names in KINDS.items() for name in names}
