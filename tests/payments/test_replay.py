"""Every notification replayed ten times, shuffled, from concurrent clients: one sale each.

Runs with real commits (transactional_db) so the after-commit task runs as it does in production.
On PostgreSQL (.ci/run) the posts really race; SQLite serialises writers, which still exercises the
duplicate path of every delivery after the first.
"""
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from payments.models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction
from tests.factories import OcopProductFactory, ProducerFactory

from .conftest import casso_headers, load, raw, sepay_key_headers

REPLAYS = 10
CLIENTS = 8


@pytest.fixture
def codes(transactional_db, webhook_secrets):
    producer = ProducerFactory()
    product = OcopProductFactory(producer=producer, price=150000)
    account = BankAccount.objects.create(
        producer=producer, bank=Bank.objects.get(bin="970436"), account_number="1234567890123",
        holder_name="NGUYEN THI HOA", is_default=True,
    )
    PaymentCode.objects.create(product=product, bank_account=account, reference="K7P2QX")
    PaymentCode.objects.create(product=product, bank_account=account, reference="9HJ4MN", amount=300000)
    return product


def _deliveries():
    sepay = load("sepay_in.json")
    casso = load("casso_in.json")
    notices = [
        ("/webhooks/sepay/", raw(sepay), sepay_key_headers()),
        # other transfers: other bank references (one reference is one transfer, whoever reports it)
        ("/webhooks/sepay/", raw({**sepay, "id": 92706, "content": "OCOP 9HJ4MN", "transferAmount": 300000,
                                  "referenceCode": "MBVCB.3278614306"}), sepay_key_headers()),
        ("/webhooks/sepay/", raw({**sepay, "id": 92707, "content": "tien hang thang 7",
                                  "referenceCode": "MBVCB.3278614307"}), sepay_key_headers()),
        ("/webhooks/casso/", raw(casso), casso_headers(casso)),
    ]
    deliveries = [notice for notice in notices for _ in range(REPLAYS)]
    random.Random(20240725).shuffle(deliveries)
    return deliveries


def test_replayed_concurrent_deliveries_leave_exactly_one_sale_each(codes):
    deliveries = _deliveries()
    serialise = threading.Lock() if connection.vendor == "sqlite" else None

    def post(url, body, headers):
        return Client().post(url, data=body, content_type="application/json", **headers).status_code

    def deliver(delivery):
        try:
            if serialise is None:
                return post(*delivery)
            with serialise:  # in-memory SQLite: one writer at a time, or "table is locked"
                return post(*delivery)
        finally:
            if serialise is None:
                connections.close_all()  # this thread's own connection (PostgreSQL)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(deliver, deliveries))

    assert statuses == [200] * len(deliveries)
    sales = Transaction.objects.order_by("external_id")
    assert [s.external_id for s in sales] == ["ref:FT24207938475610", "ref:MBVCB.3278614287", "ref:MBVCB.3278614306"]
    assert all(s.product == codes and s.status == "completed" for s in sales)
    # one row per notice, counting all its deliveries (on PostgreSQL they arrived concurrently)
    events = InboundEvent.objects.all()
    assert sorted(events.values_list("state", flat=True)) == ["matched", "matched", "matched", "no_match"]
    assert list(events.values_list("deliveries", flat=True)) == [REPLAYS] * 4
