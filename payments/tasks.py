"""Celery tasks: load by id, call a service. Queued after commit by services.inbound_event_receive."""
from celery import shared_task

from common.exceptions import INFRASTRUCTURE_ERRORS

from . import services


@shared_task(acks_late=True)
def process_inbound_event(event_id):
    """Idempotent: an event already processed is left as it is."""
    event = services.inbound_event_process(event_id=event_id)
    return event.state if event else None


@shared_task(acks_late=True, autoretry_for=INFRASTRUCTURE_ERRORS, retry_backoff=5, max_retries=5)
def drain_inbound_events():
    """Every event still `received` (one task for a burst of webhooks, see services)."""
    return services.inbound_events_drain()


@shared_task(acks_late=True)
def sweep_inbound_events():
    """Every 10 minutes (settings.CELERY_BEAT_SCHEDULE): events left `received`."""
    return services.inbound_events_sweep()
