"""Inbound events: every webhook body stored first, then processed once by a task (drains for a
burst, a sweep for the ones a lost task left behind). Each channel kind has its processor."""
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common.exceptions import INFRASTRUCTURE_ERRORS

from .. import channels
from ..models import InboundEvent
from .bank_events import bank_event_process

logger = logging.getLogger(__name__)

def inbound_event_receive(*, provider, body, headers, dedup_key="", signature_valid=True):
    """Stores a verified webhook body and asks for its processing after commit. Returns
    (event, is_new). A second delivery of the same provider id stores nothing: it adds one to the
    first row's `deliveries` (concurrent deliveries all count; the unique key keeps one row) and
    is not processed again, unless the first is still waiting long after it came (a lost task).
    Callers store only verified bodies (forgeries are refused before this).

    Outside a transaction the event is one autocommitted INSERT (durable when this returns: no
    BEGIN, savepoint or COMMIT round trips on the webhook's hot path); inside one, a savepoint keeps
    a duplicate from spoiling the caller's transaction."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    key = (dedup_key or "")[:120]
    values = {"provider": provider, "body": text, "headers": headers, "signature_valid": signature_valid}
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                event = InboundEvent.objects.create(dedup_key=key, **values)
        else:
            event = InboundEvent.objects.create(dedup_key=key, **values)
    except IntegrityError:
        first = InboundEvent.objects.filter(provider=provider, dedup_key=key)
        if not key or not first.update(deliveries=F("deliveries") + 1, last_delivered_at=timezone.now()):
            raise
        event = first.get()
        if event.state == InboundEvent.State.RECEIVED and event.received_at < timezone.now() - STUCK_AFTER:
            transaction.on_commit(lambda: inbound_events_process_soon(event.pk), robust=True)
        return event, False
    # robust: the provider gets its answer even if the broker (or, eagerly, the task) fails;
    # an event left `received` is picked up again by the next drain or by inbound_events_sweep.
    transaction.on_commit(lambda: inbound_events_process_soon(event.pk), robust=True)
    return event, True


DRAIN_QUEUED_KEY = "payments:inbound-drain-queued"
DRAIN_QUEUED_TTL = 30  # seconds: a flag whose drain was lost blocks new drains no longer than this
DRAIN_BATCH = 200
DRAIN_LIMIT = 5000


def _cache_is_shared():
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def inbound_events_process_soon(event_id=None):
    """Asks a worker to process the events just stored.

    Publishing a Celery message costs more than storing the event, so under a burst one drain task
    serves many events: a flag in the shared cache says "a drain is queued and has not started";
    while it is up, new events queue nothing. The drain clears the flag *before* it looks for
    events, so an event committed before a refused `add` is always seen by it. Without a broker
    (tasks run eagerly) or without a cache shared by every process, each event gets its own task."""
    from ..tasks import drain_inbound_events, process_inbound_event

    if event_id is not None and (settings.CELERY_TASK_ALWAYS_EAGER or not _cache_is_shared()):
        process_inbound_event.delay(event_id)
        return
    if not cache.add(DRAIN_QUEUED_KEY, 1, DRAIN_QUEUED_TTL):
        return
    try:
        drain_inbound_events.delay()
    except Exception:
        cache.delete(DRAIN_QUEUED_KEY)  # so the next event tries again
        raise


def inbound_events_drain(*, limit=DRAIN_LIMIT):
    """Processes the events still `received`, oldest first, each once. Drains running at the same
    time share the work (an event another one holds is skipped). Past `limit` events it queues
    another drain and returns, so one task never runs for ever. Returns how many it processed."""
    cache.delete(DRAIN_QUEUED_KEY)
    providers = _processable_providers()
    processed, after = 0, 0
    while processed < limit:
        batch = list(InboundEvent.objects.filter(
            state=InboundEvent.State.RECEIVED, provider__in=providers, pk__gt=after,
        ).order_by("pk").values_list("pk", flat=True)[:min(DRAIN_BATCH, limit - processed)])
        if not batch:
            return processed
        for event_id in batch:
            inbound_event_process(event_id=event_id, skip_locked=True)
            processed += 1
        after = batch[-1]
    inbound_events_process_soon()
    return processed


STUCK_AFTER = timedelta(minutes=10)


def inbound_events_sweep(*, older_than=STUCK_AFTER):
    """Re-sends events still `received` long after they arrived (a lost task, a broker outage).
    Safe to run any time: processing is idempotent. Returns how many were re-sent."""
    from ..tasks import process_inbound_event

    providers = _processable_providers()
    stuck = list(InboundEvent.objects.filter(
        state=InboundEvent.State.RECEIVED, received_at__lt=timezone.now() - older_than, provider__in=providers,
    ).values_list("pk", flat=True)[:500])
    for event_id in stuck:
        process_inbound_event.delay(event_id)
    return len(stuck)


def _processable_providers():
    return channels.processable_codes()


def _processor(event):
    """The processing of an event's channel kind, or None (it stays `received` until one exists)."""
    kind = channels.kind(event.provider)
    if kind == channels.BANK:
        return bank_event_process
    if kind == channels.MARKETPLACE:
        from .pushes import order_event_process

        return order_event_process
    return None


def inbound_event_process(*, event_id, skip_locked=False):
    """Idempotent: an event that is no longer `received` is left alone, so a task delivered twice
    (acks_late) or run by hand does nothing the second time. With `skip_locked` an event another
    process is handling right now is skipped (returns None) instead of waited for."""
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update(skip_locked=skip_locked).filter(pk=event_id).first()
        if event is None or event.state != InboundEvent.State.RECEIVED:
            return event
        try:
            with transaction.atomic():
                process = _processor(event)
                if process is None:
                    return event  # stays `received` until its channel is enabled again
                process(event)
        except INFRASTRUCTURE_ERRORS:
            raise  # nothing wrong with the event: it stays `received` and inbound_events_sweep resends it
        except Exception as exc:  # kept on the row for people to see
            logger.exception("inbound event %s failed", event.pk)
            event.state = InboundEvent.State.ERROR
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
        if event.state == InboundEvent.State.RECEIVED:
            event.state = InboundEvent.State.ERROR
            event.error = event.error or "processor left the event unprocessed"
        event.processed_at = timezone.now()
        event.save()
    return event



EAGER_ATTEMPTS = 3
EAGER_PAUSE = 0.5  # seconds, doubled each time


def inbound_event_process_eagerly(*, event_id, attempts=EAGER_ATTEMPTS, pause=EAGER_PAUSE):
    """Without a broker the web process handles an event right after storing it, where a transient
    error of our own infrastructure (SQLite's "database is locked" past its busy timeout, a dropped
    connection) would leave it `received` until the sweep: it is tried again a few times first.
    After the last try the error is raised and the event stays `received` for inbound_events_sweep
    (`manage.py run_periodic` runs it where no beat does)."""
    connection = transaction.get_connection()
    for attempt in range(1, attempts + 1):
        try:
            return inbound_event_process(event_id=event_id)
        except INFRASTRUCTURE_ERRORS as exc:
            if attempt == attempts or connection.in_atomic_block:
                raise
            logger.warning("inbound event %s: %s; trying again (%s of %s)", event_id, exc, attempt + 1, attempts)
            connection.close_if_unusable_or_obsolete()
            time.sleep(pause * 2 ** (attempt - 1))

