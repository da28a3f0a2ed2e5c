"""Issue 7, item 1 — replays: signed events delivered ten times each, shuffled, from 20 concurrent
clients against gunicorn (2 workers) on PostgreSQL, processed by a real Celery worker: exactly one
transaction per distinct event, one stored InboundEvent per distinct body, counting its deliveries.

Sizes: RELIABILITY_EVENTS (CI default 200; the issue's full size is 1,000), RELIABILITY_REPLAYS
(10), RELIABILITY_CLIENTS (20). Full size:

    RELIABILITY_EVENTS=1000 make reliability
"""
import random
import time

from django.db.models import Count, Sum

from payments.models import InboundEvent, Transaction
from tests.marketplace.fakes import lazada_fake, shopee_fake  # noqa: F401  (pytest fixtures)

from .harness import SalesScenario, cluster, deliver_all, env_int, wait_for  # noqa: F401


def delivered():
    return InboundEvent.objects.aggregate(n=Sum("deliveries"))["n"] or 0


EVENTS = env_int("RELIABILITY_EVENTS", 200)
REPLAYS = env_int("RELIABILITY_REPLAYS", 10)
CLIENTS = env_int("RELIABILITY_CLIENTS", 20)


def test_each_event_delivered_ten_times_concurrently_makes_exactly_one_transaction(
        cluster, shopee_fake, lazada_fake, capsys):
    # given a shop on each marketplace, a bank account with a VietQR code, and N distinct signed events
    scenario = SalesScenario(shopee_fake, lazada_fake)
    events = scenario.events(EVENTS)
    cluster.env.update(scenario.env())
    web = cluster.web(workers=2)
    cluster.worker(concurrency=4)
    deliveries = [event for event in events for _ in range(REPLAYS)]
    random.Random(20251207).shuffle(deliveries)

    # when every delivery is posted by concurrent clients
    started = time.monotonic()
    statuses = deliver_all(deliveries, [web.url], clients=CLIENTS)
    posted = time.monotonic() - started

    # then every delivery was answered 200, and once the worker is done...
    assert statuses == [200] * len(deliveries), cluster.logs()
    wait_for(lambda: not InboundEvent.objects.filter(state=InboundEvent.State.RECEIVED).exists()
             and delivered() >= len(deliveries), 60 + EVENTS // 2, what="events to be processed")
    processed = time.monotonic() - started

    # ...each distinct body is stored once (the other deliveries counted on its row) and matched
    firsts = InboundEvent.objects.all()
    assert firsts.count() == EVENTS
    assert dict(firsts.values_list("state").annotate(n=Count("id"))) == {"matched": EVENTS}, list(
        firsts.exclude(state="matched").values("provider", "state", "note", "error")[:5])
    # (at least: a delivery whose answer was lost on the way is delivered again, as providers do)
    assert delivered() >= EVENTS * REPLAYS
    assert not InboundEvent.objects.exclude(state="matched").exists()
    # and there is exactly one transaction per distinct event, none else
    external_ids = list(Transaction.objects.values_list("external_id", flat=True))
    assert len(external_ids) == EVENTS
    assert sorted(external_ids) == sorted(event.expected_external_id for event in events)
    assert shopee_fake.rejected == [] and lazada_fake.rejected == []

    with capsys.disabled():
        kinds = {kind: sum(e.kind.startswith(kind) for e in events) for kind in ("sepay", "casso", "shopee", "lazada")}
        print(f"\n[reliability] replays: {EVENTS} events {kinds} x {REPLAYS} = {len(deliveries)} deliveries from "
              f"{CLIENTS} clients: posted in {posted:.1f} s ({len(deliveries) / posted:.0f}/s), all processed "
              f"after {processed:.1f} s; {len(external_ids)} transactions")
