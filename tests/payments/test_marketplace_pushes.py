"""Shopee and Lazada push webhooks: verified, stored, processed (eager) into one transaction per
order line; forged, tampered, stale and malformed pushes are refused with nothing written."""
import json
import time

import pytest
from django.urls import reverse

from payments.models import InboundEvent, Transaction
from tests.marketplace.fakes import DATA
from tests.marketplace.order_fixtures import (
    LAZADA_ORDER,
    lazada_signature,
    lazada_time,
    push_sample,
    shopee_order,
    shopee_signature,
)

pytestmark = pytest.mark.django_db
PUBLIC = "https://ocop.example.vn"
SHOPEE_URL = PUBLIC + "/webhooks/shopee/"
ORDER_SN = "201218V2Y6E59M"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.LISTING_RETRY_BASE_SECONDS = 1


def post_shopee(client, fake, payload, *, signature=None, body=None, url=SHOPEE_URL):
    body = body if body is not None else json.dumps(payload).encode()
    signature = signature if signature is not None else shopee_signature(fake.partner_key, url, body)
    return client.post(reverse("webhook", args=["shopee"]), body, content_type="application/json",
                       HTTP_AUTHORIZATION=signature)


def post_lazada(client, fake, payload, *, signature=None):
    body = json.dumps(payload).encode()
    signature = signature if signature is not None else lazada_signature(fake.app_key, fake.app_secret, body)
    return client.post(reverse("webhook", args=["lazada"]), body, content_type="application/json",
                       HTTP_AUTHORIZATION=signature)


def nothing_written():
    return not InboundEvent.objects.exists() and not Transaction.objects.exists()


def test_shopee_order_push_is_stored_answered_empty_and_recorded_one_transaction_per_line(
        client, shopee_fake, shopee_account, honey, tea, django_capture_on_commit_callbacks):
    # given Shopee has a two-line order and pushes that it changed
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    payload = push_sample("shopee_push_order_status.json")
    # when the push arrives
    with django_capture_on_commit_callbacks(execute=True):
        response = post_shopee(client, shopee_fake, payload)
    # then Shopee gets 2xx with an empty body, and the event is stored and matched
    assert response.status_code == 200 and response.content == b""
    event = InboundEvent.objects.get()
    assert event.provider == "shopee" and event.signature_valid
    assert event.dedup_key == f"14701711:{ORDER_SN}:COMPLETED:{payload['data']['update_time']}"
    assert json.loads(event.body) == payload
    assert event.state == InboundEvent.State.MATCHED, (event.note, event.error)
    assert event.producer == shopee_account.producer and event.external_id == ORDER_SN
    # and each order line is one completed sale on the right product, tied to the event and the listing
    sales = {tx.product: tx for tx in Transaction.objects.all()}
    assert set(sales) == {honey, tea}
    assert sales[honey].quantity == 2 and sales[honey].amount == 300000
    assert sales[tea].quantity == 1 and sales[tea].amount == 90000
    for tx in sales.values():
        assert tx.source == Transaction.Source.MARKETPLACE_ORDER and tx.status == Transaction.Status.COMPLETED
        assert tx.marketplace_account == shopee_account and tx.marketplace == "shopee"
        assert tx.inbound_event == event and tx.listing.account == shopee_account
    assert sales[honey].external_id == f"{ORDER_SN}:{honey.sku}"
    assert shopee_fake.rejected == []


def test_the_same_push_ten_times_records_each_line_once(
        client, shopee_fake, shopee_account, honey, tea, django_capture_on_commit_callbacks):
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    payload = push_sample("shopee_push_order_status.json")
    with django_capture_on_commit_callbacks(execute=True):
        responses = [post_shopee(client, shopee_fake, payload) for _ in range(10)]
    assert {r.status_code for r in responses} == {200}
    assert Transaction.objects.count() == 2
    # one row, counting the ten deliveries
    event = InboundEvent.objects.get()
    assert event.state == "matched" and event.deliveries == 10


def test_a_cancellation_push_cancels_the_recorded_sales(
        client, shopee_fake, shopee_account, honey, tea, django_capture_on_commit_callbacks):
    # given the order was recorded as completed
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    with django_capture_on_commit_callbacks(execute=True):
        post_shopee(client, shopee_fake, push_sample("shopee_push_order_status.json"))
    assert set(Transaction.objects.values_list("status", flat=True)) == {"completed"}
    # when the buyer cancels and Shopee pushes the change
    shopee_fake.orders[ORDER_SN].update(order_status="CANCELLED", update_time=int(time.time()))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_shopee(client, shopee_fake, push_sample("shopee_push_order_cancelled.json"))
    # then the same two transactions are now cancelled (they stop counting), none added
    assert response.status_code == 200
    assert Transaction.objects.count() == 2
    assert set(Transaction.objects.values_list("status", flat=True)) == {"cancelled"}
    latest = InboundEvent.objects.order_by("-pk").first()
    assert latest.state == InboundEvent.State.MATCHED and "2 dòng cập nhật" in latest.note


def test_forged_signature_is_refused_and_nothing_written(client, shopee_fake, shopee_account, honey, tea):
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    payload = push_sample("shopee_push_order_status.json")
    response = post_shopee(client, shopee_fake, payload, signature="0" * 64)
    assert response.status_code == 401
    response = post_shopee(client, shopee_fake, payload, signature="")
    assert response.status_code == 401
    assert nothing_written() and shopee_fake.calls == []


def test_tampered_body_is_refused_and_nothing_written(client, shopee_fake, shopee_account):
    payload = push_sample("shopee_push_order_status.json")
    signed = json.dumps(payload).encode()
    tampered = signed.replace(b"201218V2Y6E59M", b"201218V2Y6E59X")
    response = post_shopee(client, shopee_fake, payload, body=tampered,
                           signature=shopee_signature(shopee_fake.partner_key, SHOPEE_URL, signed))
    assert response.status_code == 401
    assert nothing_written()


def test_signature_over_another_url_is_refused(client, shopee_fake, shopee_account):
    payload = push_sample("shopee_push_order_status.json")
    body = json.dumps(payload).encode()
    other = shopee_signature(shopee_fake.partner_key, "https://attacker.example/webhooks/shopee/", body)
    assert post_shopee(client, shopee_fake, payload, signature=other).status_code == 401
    assert nothing_written()


def test_without_public_base_url_the_request_url_is_what_is_verified(
        client, settings, shopee_fake, shopee_account, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_URL = ""
    payload = push_sample("shopee_push_shop_authorized.json")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_shopee(client, shopee_fake, payload, url="http://testserver/webhooks/shopee/")
    assert response.status_code == 200
    # a push that is not about an order is kept but needs nothing done
    assert InboundEvent.objects.get().state == InboundEvent.State.IGNORED


def test_stale_push_is_refused_and_nothing_written(client, shopee_fake, lazada_fake, shopee_account, lazada_account):
    # the samples as published, with their 2020 timestamps: a replay of an old, genuinely signed push
    shopee_payload = json.loads((DATA / "shopee_push_order_status.json").read_text())
    lazada_payload = json.loads((DATA / "lazada_push_order.json").read_text())
    assert post_shopee(client, shopee_fake, shopee_payload).status_code == 401
    assert post_lazada(client, lazada_fake, lazada_payload).status_code == 401
    assert nothing_written()


def test_verified_but_malformed_body_is_refused_and_nothing_written(client, shopee_fake, shopee_account):
    response = post_shopee(client, shopee_fake, None, body=b"{not json")
    assert response.status_code == 400
    response = post_shopee(client, shopee_fake, None, body=b"[1, 2]")
    assert response.status_code == 400
    assert nothing_written()


def test_a_push_without_timestamp_is_stale_and_refused(client, shopee_fake, lazada_fake, shopee_account,
                                                      lazada_account):
    # given genuinely signed pushes that do not say when they were sent
    shopee_payload = push_sample("shopee_push_order_status.json")
    lazada_payload = push_sample("lazada_push_order.json")
    del shopee_payload["timestamp"], lazada_payload["timestamp"]
    # then they are refused like stale ones (a replay could not be told from a fresh push)
    assert post_shopee(client, shopee_fake, shopee_payload).status_code == 401
    assert post_lazada(client, lazada_fake, lazada_payload).status_code == 401
    shopee_payload["timestamp"] = None
    assert post_shopee(client, shopee_fake, shopee_payload).status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("depth", [100_000, 2_000, 100])
def test_deeply_nested_push_is_refused_with_400_and_nothing_written(client, shopee_fake, lazada_fake,
                                                                     shopee_account, lazada_account, depth):
    # given correctly signed pushes whose body nests `depth` levels (100,000 was a RecursionError: 500)
    nested = "[" * depth + "1" + "]" * depth
    body = ('{"shop_id": 14701711, "code": 3, "timestamp": %d, "data": %s}' % (int(time.time()), nested)).encode()
    response = post_shopee(client, shopee_fake, None, body=body)
    assert response.status_code == 400
    lazada_body = ('{"seller_id": "1", "message_type": 0, "timestamp": %d, "data": %s}'
                   % (int(time.time() * 1000), nested)).encode()
    response = client.post(reverse("webhook", args=["lazada"]), lazada_body, content_type="application/json",
                           HTTP_AUTHORIZATION=lazada_signature(lazada_fake.app_key, lazada_fake.app_secret, lazada_body))
    assert response.status_code == 400
    assert nothing_written()


def test_webhooks_take_only_post(client):
    assert client.get(reverse("webhook", args=["shopee"])).status_code == 405
    assert client.get(reverse("webhook", args=["lazada"])).status_code == 405


def test_push_for_an_unknown_shop_is_kept_as_no_match(client, shopee_fake, django_capture_on_commit_callbacks):
    payload = push_sample("shopee_push_order_status.json", ordersn="2101010NOSHOP")
    payload["shop_id"] = 999
    with django_capture_on_commit_callbacks(execute=True):
        assert post_shopee(client, shopee_fake, payload).status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.NO_MATCH and "999" in event.note
    assert not Transaction.objects.exists()


def test_transient_marketplace_errors_retry_the_event_until_it_is_recorded(
        client, shopee_fake, shopee_account, honey, tea, django_capture_on_commit_callbacks):
    # given Shopee answers 500 twice before it answers properly
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    shopee_fake.fail("/api/v2/order/get_order_list", "status", status=500, times=2)
    with django_capture_on_commit_callbacks(execute=True):
        post_shopee(client, shopee_fake, push_sample("shopee_push_order_status.json"))
    # then the event was retried and the order recorded, nothing lost
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.MATCHED, (event.note, event.error)
    assert Transaction.objects.count() == 2


def test_a_broker_down_when_a_retry_is_scheduled_leaves_the_event_in_error_for_the_polling(
        client, shopee_fake, shopee_account, honey, tea, django_capture_on_commit_callbacks, monkeypatch):
    from payments import tasks as payments_tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(payments_tasks.retry_order_event, "apply_async", broker_down)
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    shopee_fake.fail("/api/v2/order/get_order_list", "status", status=500)
    # the push is answered and stored; the failed scheduling does not escape the processing
    with django_capture_on_commit_callbacks(execute=True):
        assert post_shopee(client, shopee_fake, push_sample("shopee_push_order_status.json")).status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.ERROR and "thử lại" in event.note
    assert not Transaction.objects.exists()


def test_event_retries_are_bounded(client, shopee_fake, shopee_account, honey, tea,
                                   django_capture_on_commit_callbacks):
    shopee_order(shopee_fake, ORDER_SN, honey, tea)
    shopee_fake.fail("/api/v2/order/get_order_list", "status", status=503, times=50)
    with django_capture_on_commit_callbacks(execute=True):
        post_shopee(client, shopee_fake, push_sample("shopee_push_order_status.json"))
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.ERROR
    assert "đồng bộ định kỳ" in event.note
    tries = [c for c in shopee_fake.calls if c.path == "/api/v2/order/get_order_list"]
    assert tries == []  # every try was answered by the injected failure
    assert len(shopee_fake._failures["/api/v2/order/get_order_list"]) == 50 - 6
    assert not Transaction.objects.exists()


def test_lazada_push_records_the_order_and_a_cancellation_updates_it(
        client, lazada_fake, lazada_account, honey, django_capture_on_commit_callbacks):
    from django.utils import timezone

    lazada_fake.add_order(LAZADA_ORDER, updated_at=lazada_time(timezone.now()), sku=honey.sku, quantity=2,
                          price=150000, status="delivered")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_lazada(client, lazada_fake, push_sample("lazada_push_order.json"))
    assert response.status_code == 200 and response.content == b""
    tx = Transaction.objects.get()
    assert (tx.product, tx.quantity, tx.amount, tx.status) == (honey, 2, 300000, "completed")
    event = InboundEvent.objects.get()
    assert event.provider == "lazada" and event.state == InboundEvent.State.MATCHED
    assert event.dedup_key.startswith(f"1000001234:{LAZADA_ORDER}:260422900298363:delivered:")

    lazada_fake.orders[LAZADA_ORDER].update(statuses=["canceled"], updated_at=lazada_time(timezone.now()))
    with django_capture_on_commit_callbacks(execute=True):
        post_lazada(client, lazada_fake, push_sample("lazada_push_order_cancelled.json"))
    tx.refresh_from_db()
    assert tx.status == Transaction.Status.CANCELLED and Transaction.objects.count() == 1
    assert lazada_fake.rejected == []


def test_lazada_forged_push_is_refused(client, lazada_fake, lazada_account):
    payload = push_sample("lazada_push_order.json")
    body = json.dumps(payload).encode()
    wrong_key = lazada_signature(lazada_fake.app_key, "not-the-secret", body)
    assert post_lazada(client, lazada_fake, payload, signature=wrong_key).status_code == 401
    assert post_lazada(client, lazada_fake, payload, signature="").status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("marketplace", ["shopee", "lazada"])
def test_a_push_s_authorization_header_is_not_stored(
        marketplace, client, shopee_fake, lazada_fake, shopee_account, lazada_account, honey,
        django_capture_on_commit_callbacks):
    """The marketplace's Authorization header (its signature, no scheme) is kept as "***" only,
    like a bank's API key: one rule for every channel (common.redaction.kept_headers)."""
    if marketplace == "shopee":
        payload = push_sample("shopee_push_order_status.json")
        signature = shopee_signature(shopee_fake.partner_key, SHOPEE_URL, json.dumps(payload).encode())
        response = post_shopee(client, shopee_fake, payload, signature=signature)
    else:
        payload = push_sample("lazada_push_order.json")
        signature = lazada_signature(lazada_fake.app_key, lazada_fake.app_secret, json.dumps(payload).encode())
        response = post_lazada(client, lazada_fake, payload, signature=signature)
    assert response.status_code == 200
    headers = InboundEvent.objects.get().headers
    assert headers["Authorization"] == "***" and signature not in json.dumps(headers)
    assert headers["Content-Type"] == "application/json"
