"""Celery entry points of campaigns: they take ids, never personal data, and call services."""

from celery import shared_task

from campaigns import calls, safety, services
from runtime.jobs import CONNECTION_ERRORS
from vault.keys import key_scope


# Mail server or connection lost mid-batch: retried with backoff (each recipient is
# claimed once, so a retry never sends twice).
@shared_task(
    acks_late=True, autoretry_for=(OSError, *CONNECTION_ERRORS), retry_backoff=2, max_retries=8
)
def send_campaign_batch(campaign_id: str) -> int:
    """One batch of a send; the next batch is a new outbox job, so progress is saved
    batch by batch and a lost message is handed over again by the sweep."""
    with key_scope():
        left = services.send_batch(campaign_id=campaign_id)
    if left:
        services.schedule_next_batch(campaign_id=campaign_id)
    return left


@shared_task
def resume_stalled_sends() -> int:
    """Beat: hand sends that made no progress for a while to a worker again. A send
    running twice is harmless (each recipient is claimed once). Call lists past their
    time close here too (CAMPAIGNS_CALL_LIST_DAYS)."""
    calls.expire_call_lists()
    stalled = services.stalled_sends()
    for campaign_id in stalled:
        services.schedule_next_batch(campaign_id=campaign_id)
    return len(stalled)


@shared_task(
    acks_late=True, autoretry_for=(OSError, *CONNECTION_ERRORS), retry_backoff=2, max_retries=8
)
def deliver_post_list(campaign_id: str) -> int:
    with key_scope():
        return services.deliver_post_list(campaign_id=campaign_id)


@shared_task
def start_due_campaigns() -> int:
    """Beat, every minute: start the scheduled campaigns whose time has come (each
    under a row lock, so two beats start it once)."""
    started = 0
    for campaign_id in safety.due_campaigns():
        with key_scope():
            started += safety.start_scheduled(campaign_id=campaign_id)
    return started
