"""Celery tasks: load by id, call a service. Sent after commit by services.inbound_event_receive."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def process_inbound_event(event_id):
    """Idempotent: an event already processed is left as it is."""
    event = services.inbound_event_process(event_id=event_id)
    return event.state if event else None


# Periodic work; the lead adds this to settings.CELERY_BEAT_SCHEDULE (see the report).
BEAT_SCHEDULE = {
    "payments-sweep-inbound-events": {"task": "payments.tasks.sweep_inbound_events", "schedule": 600.0},
}


@shared_task(acks_late=True)
def sweep_inbound_events():
    return services.inbound_events_sweep()
