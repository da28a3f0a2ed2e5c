"""Celery tasks: load by id, call a service. Queued after commit by services.inbound_event_receive."""
from celery import shared_task

from common.exceptions import INFRASTRUCTURE_ERRORS

from . import services


@shared_task(bind=True, acks_late=True)
def process_inbound_event(self, event_id):
    """Idempotent: an event already processed is left as it is. Run eagerly (no broker), a
    transient infrastructure error is tried again at once a few times; with a worker the event
    stays `received` for the next drain or the sweep."""
    if self.request.is_eager:
        event = services.inbound_event_process_eagerly(event_id=event_id)
    else:
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
