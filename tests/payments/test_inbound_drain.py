"""Webhook events are processed by drain tasks: one queued per burst (a flag in the shared cache),
each drain processes every event still `received`; nothing is left behind and nothing is done twice.
Without a shared cache or with eager tasks, one task per event as before."""
import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection

from payments import services, tasks
from payments.models import InboundEvent, Transaction
from payments.services import inbound

from .conftest import load, raw

pytestmark = pytest.mark.django_db


def sepay_body(n):
    return raw({**load("sepay_in.json"), "id": 9_000_000 + n, "referenceCode": f"FT{n:08d}"})


@pytest.fixture
def shared_cache(settings):
    """A broker and a cache every process shares (Redis in production): locmem plays it here."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(services.DRAIN_QUEUED_KEY)
    with mock.patch.object(inbound, "_cache_is_shared", return_value=True), \
            mock.patch.object(tasks.drain_inbound_events, "delay") as drain_delay, \
            mock.patch.object(tasks.process_inbound_event, "delay") as event_delay:
        yield drain_delay, event_delay
    cache.delete(services.DRAIN_QUEUED_KEY)


def receive(n, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.inbound_event_receive(provider="sepay", body=sepay_body(n), headers={},
                                              dedup_key=str(9_000_000 + n))


def test_a_burst_queues_one_drain_and_the_drain_processes_every_event(
        shared_cache, static_code, django_capture_on_commit_callbacks):
    drain_delay, event_delay = shared_cache
    # given five notifications arriving while no drain has started
    for n in range(5):
        receive(n, django_capture_on_commit_callbacks)
    # then one drain was queued for all of them, and no task per event
    assert drain_delay.call_count == 1 and event_delay.call_count == 0
    assert InboundEvent.objects.filter(state="received").count() == 5
    # when the worker runs the drain
    assert services.inbound_events_drain() == 5
    # then every event is matched and recorded once
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {"matched"}
    assert Transaction.objects.count() == 5
    # and the drain took its flag down first: the next event queues a new drain
    receive(5, django_capture_on_commit_callbacks)
    assert drain_delay.call_count == 2
    # and a second run of the same drain (a redelivered task) changes nothing but that new event
    assert services.inbound_events_drain() == 1
    assert services.inbound_events_drain() == 0 and Transaction.objects.count() == 6


def test_an_event_stored_after_the_drain_started_queues_another(shared_cache, static_code,
                                                                 django_capture_on_commit_callbacks):
    drain_delay, _ = shared_cache
    receive(0, django_capture_on_commit_callbacks)
    real_process = services.inbound_event_process

    def process_and_receive_meanwhile(**kwargs):
        # while the drain works on the first event, a second one arrives
        result = real_process(**kwargs)
        if InboundEvent.objects.count() == 1:
            receive(1, django_capture_on_commit_callbacks)
        return result

    with mock.patch.object(inbound, "inbound_event_process", side_effect=process_and_receive_meanwhile):
        services.inbound_events_drain()
    # the second event queued its own drain (the flag was down), so it is not left waiting
    assert drain_delay.call_count == 2
    services.inbound_events_drain()
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {"matched"}


def test_a_drain_stops_at_its_limit_and_queues_the_rest(shared_cache, static_code,
                                                        django_capture_on_commit_callbacks):
    drain_delay, _ = shared_cache
    for n in range(5):
        receive(n, django_capture_on_commit_callbacks)
    cache.delete(services.DRAIN_QUEUED_KEY)
    drain_delay.reset_mock()
    # a drain allowed two events processes two, in arrival order, and queues a drain for the rest
    assert services.inbound_events_drain(limit=2) == 2
    assert drain_delay.call_count == 1
    first_two = list(InboundEvent.objects.order_by("pk").values_list("state", flat=True))
    assert first_two == ["matched", "matched", "received", "received", "received"]
    assert services.inbound_events_drain() == 3


def test_events_of_providers_without_a_processor_are_left_alone(shared_cache, static_code,
                                                                django_capture_on_commit_callbacks):
    InboundEvent.objects.create(provider="unknown-bank", body="{}", headers={}, dedup_key="x1")
    receive(0, django_capture_on_commit_callbacks)
    assert services.inbound_events_drain() == 1
    assert InboundEvent.objects.get(provider="unknown-bank").state == "received"


def test_when_the_broker_refuses_the_drain_the_flag_is_taken_down(shared_cache, static_code,
                                                                  django_capture_on_commit_callbacks):
    drain_delay, _ = shared_cache
    drain_delay.side_effect = ConnectionError("broker down")
    # the provider still gets its answer (robust after-commit), the event is stored
    event, is_new = receive(0, django_capture_on_commit_callbacks)
    assert is_new and InboundEvent.objects.get().state == "received"
    # and the next event tries to queue a drain again instead of waiting for the flag to expire
    drain_delay.side_effect = None
    receive(1, django_capture_on_commit_callbacks)
    assert drain_delay.call_count == 2
    assert services.inbound_events_drain() == 2


def test_without_a_shared_cache_each_event_gets_its_own_task(settings, static_code,
                                                             django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch.object(inbound, "_cache_is_shared", return_value=False), \
            mock.patch.object(tasks.drain_inbound_events, "delay") as drain_delay, \
            mock.patch.object(tasks.process_inbound_event, "delay") as event_delay:
        event, _ = receive(0, django_capture_on_commit_callbacks)
        receive(1, django_capture_on_commit_callbacks)
    assert drain_delay.call_count == 0
    assert [c.args for c in event_delay.call_args_list] == [(event.pk,), (event.pk + 1,)]


def test_a_cache_per_process_is_not_shared(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not inbound._cache_is_shared()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0"}}
    assert inbound._cache_is_shared()


def test_the_drain_task_runs_the_drain(shared_cache, static_code, django_capture_on_commit_callbacks):
    receive(0, django_capture_on_commit_callbacks)
    assert tasks.drain_inbound_events.run() == 1
    assert InboundEvent.objects.get().state == "matched"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_event_is_one_autocommitted_insert(static_code):
    """The webhook's hot path: no BEGIN/SAVEPOINT/COMMIT around the insert; a second delivery is
    counted on the first row and answered like the first."""
    assert not connection.in_atomic_block
    body = sepay_body(1)
    with mock.patch.object(inbound, "inbound_events_process_soon") as soon:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            first, is_new = services.inbound_event_receive(provider="sepay", body=body, headers={}, dedup_key="42")
        statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
        assert is_new and statements == ["INSERT"], statements
        again, is_new_again = services.inbound_event_receive(provider="sepay", body=body, headers={}, dedup_key="42")
    assert not is_new_again and again.pk == first.pk and again.deliveries == 2
    assert InboundEvent.objects.count() == 1
    assert soon.call_count == 1
    assert json.loads(InboundEvent.objects.get(pk=first.pk).body)["id"] == 9_000_001
