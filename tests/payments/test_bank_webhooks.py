"""SePay and Casso webhooks: verified bodies are stored and matched; forged, stale and malformed
requests are refused with nothing written."""
import json
import time

import pytest
from django.urls import reverse

from payments.banks import casso, sepay
from payments.models import InboundEvent, Transaction
from payments.services import inbound_event_process

from .conftest import (
    CASSO_KEY,
    SEPAY_SECRET,
    casso_headers,
    load,
    raw,
    sepay_hmac_headers,
    sepay_key_headers,
)

pytestmark = pytest.mark.django_db

SEPAY_URL = "/webhooks/sepay/"
CASSO_URL = "/webhooks/casso/"


def post(client, url, body, **headers):
    return client.post(url, data=body, content_type="application/json", **headers)


def nothing_written():
    return InboundEvent.objects.count() == 0 and Transaction.objects.count() == 0


def test_urls_are_mounted():
    assert reverse("webhook", args=["sepay"]) == SEPAY_URL and reverse("webhook", args=["casso"]) == CASSO_URL


# --- Signatures: unit level ---------------------------------------------------------------------

def test_casso_public_test_vector_verifies(settings):
    # given Casso's own published sample: key, header and body
    vector = load("casso_vector.json")
    settings.CASSO_CHECKSUM_KEY = vector["checksum_key"]
    headers = {"X-Casso-Signature": vector["header"]}
    # then it verifies (its timestamp is from 2024, so only the signature is checked here)
    assert casso.verify_casso(headers, vector["body"], check_time=False)
    # and one changed character does not
    tampered = json.loads(json.dumps(vector["body"]))
    tampered["data"]["amount"] = 599001
    assert not casso.verify_casso(headers, tampered, check_time=False)
    # and the real clock refuses it as stale
    assert not casso.verify_casso(headers, vector["body"])


def test_casso_signature_is_over_keys_sorted_recursively():
    data = {"b": 1, "a": {"d": "x", "c": "y"}}
    assert casso.casso_canonical(data) == '{"a":{"c":"y","d":"x"},"b":1}'


def test_sepay_hmac_accepts_prefix_or_bare_hex(webhook_secrets):
    body = b'{"id": 1}'
    now = int(time.time())
    signature = sepay.sepay_signature(SEPAY_SECRET, now, body)
    for value in (signature, "sha256=" + signature, signature.upper()):
        headers = {"X-SePay-Timestamp": str(now), "X-SePay-Signature": value}
        assert sepay.verify_sepay(headers, body), value


def test_nothing_is_accepted_when_no_secret_is_configured(settings):
    settings.SEPAY_API_KEY = settings.SEPAY_HMAC_SECRET = settings.CASSO_CHECKSUM_KEY = ""
    assert not sepay.verify_sepay({"Authorization": "Apikey "}, b"{}")
    assert not casso.verify_casso({"X-Casso-Signature": "t=1,v1=00"}, {})


# --- Refusals: nothing written ------------------------------------------------------------------

def _sepay_body():
    return raw(load("sepay_in.json"))


REFUSED_SEPAY = {
    "no credentials": lambda body: {},
    "wrong api key": lambda body: sepay_key_headers("not-the-key"),
    "api key in the wrong scheme": lambda body: {"HTTP_AUTHORIZATION": "Bearer sepay-test-api-key-3f9a"},
    "forged hmac": lambda body: sepay_hmac_headers(body, secret="attacker-secret"),
    "hmac over another body": lambda body: sepay_hmac_headers(body + b" "),
    "stale hmac (6 minutes)": lambda body: sepay_hmac_headers(body, timestamp=int(time.time()) - 360),
    "future hmac (6 minutes)": lambda body: sepay_hmac_headers(body, timestamp=int(time.time()) + 360),
    "timestamp not a number": lambda body: {**sepay_hmac_headers(body), "HTTP_X_SEPAY_TIMESTAMP": "yesterday"},
    "signature header missing": lambda body: {"HTTP_X_SEPAY_TIMESTAMP": str(int(time.time()))},
}


@pytest.mark.parametrize("case", REFUSED_SEPAY)
def test_sepay_refuses_unauthenticated_requests_and_writes_nothing(client, webhook_secrets, static_code, case):
    body = _sepay_body()
    response = post(client, SEPAY_URL, body, **REFUSED_SEPAY[case](body))
    assert response.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b'{"id": 1}',
    raw({**load("sepay_in.json"), "transferType": "sideways"}),
    raw({**load("sepay_in.json"), "transferAmount": "nhieu"}),
    "{\"id\": 1, \"content\": \"\xff\"}".encode("latin-1"),
], ids=["not json", "array", "missing fields", "bad transfer type", "bad amount", "not utf-8"])
def test_sepay_refuses_malformed_bodies_and_writes_nothing(client, webhook_secrets, body):
    response = post(client, SEPAY_URL, body, **sepay_key_headers())
    assert response.status_code == 400
    assert nothing_written()


def test_webhooks_take_post_only(client, webhook_secrets):
    assert client.get(SEPAY_URL, **sepay_key_headers()).status_code == 405
    assert client.get(CASSO_URL).status_code == 405
    assert nothing_written()


def _casso_data():
    return load("casso_in.json")


REFUSED_CASSO = {
    "no signature": lambda data: {},
    "forged": lambda data: casso_headers(data, key="attacker-key"),
    "signed another body": lambda data: casso_headers({**data, "error": 1}),
    "stale (6 minutes)": lambda data: casso_headers(data, timestamp_ms=int((time.time() - 360) * 1000)),
    "seconds instead of ms": lambda data: casso_headers(data, timestamp_ms=int(time.time())),
    "garbled header": lambda data: {"HTTP_X_CASSO_SIGNATURE": "v1=abc"},
}


@pytest.mark.parametrize("case", REFUSED_CASSO)
def test_casso_refuses_forged_or_stale_and_writes_nothing(client, webhook_secrets, static_code, case):
    data = _casso_data()
    response = post(client, CASSO_URL, raw(data), **REFUSED_CASSO[case](data))
    assert response.status_code == 401
    assert nothing_written()


def test_casso_refuses_a_signed_but_malformed_body(client, webhook_secrets):
    data = {"error": 0, "data": {"description": "no id, no amount"}}
    assert post(client, CASSO_URL, raw(data), **casso_headers(data)).status_code == 400
    assert post(client, CASSO_URL, b"{oops", HTTP_X_CASSO_SIGNATURE="t=1,v1=0").status_code == 401
    assert nothing_written()


# --- Accepted: stored raw, matched by a task after commit ---------------------------------------

def test_sepay_api_key_transfer_becomes_a_sale(client, webhook_secrets, static_code, product,
                                               django_capture_on_commit_callbacks):
    # given a documented SePay notification for "OCOP K7P2QX" into the producer's account
    body = _sepay_body()
    # when SePay posts it with its API key
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SEPAY_URL, body, **sepay_key_headers())
    # then it is answered as SePay expects, stored raw, and matched to the product
    assert response.status_code == 200 and response.json() == {"success": True}
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.MATCHED and event.signature_valid
    assert event.body == body.decode() and event.headers["Authorization"] == "Apikey ***"
    assert event.producer == product.producer and event.processed_at
    sale = Transaction.objects.get()
    assert (sale.product, sale.source, sale.status) == (product, "bank_transfer", "completed")
    assert (sale.amount, sale.quantity, sale.payment_code) == (150000, 1, static_code)
    assert sale.dedup_scope == "bank:1234567890123" and sale.external_id == "ref:MBVCB.3278614287"  # the bank's own reference
    assert sale.occurred_at.isoformat() == "2024-07-25T07:02:37+00:00"  # 14:02:37 Vietnam time


def test_sepay_hmac_transfer_becomes_a_sale(client, webhook_secrets, static_code,
                                            django_capture_on_commit_callbacks):
    body = _sepay_body()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, SEPAY_URL, body, **sepay_hmac_headers(body))
    assert response.status_code == 200
    assert Transaction.objects.get().amount == 150000


def test_casso_transfer_becomes_a_sale(client, webhook_secrets, static_code, product,
                                       django_capture_on_commit_callbacks):
    data = _casso_data()  # memo "IBFT OCOPK7P2QX"
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, CASSO_URL, raw(data), **casso_headers(data))
    assert response.status_code == 200
    sale = Transaction.objects.get()
    assert sale.product == product and sale.external_id == "ref:FT24207938475610"


def test_static_code_quantity_follows_the_amount(client, webhook_secrets, static_code,
                                                 django_capture_on_commit_callbacks):
    data = load("sepay_in.json")
    data["transferAmount"] = 450000  # three boxes at 150.000
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, raw(data), **sepay_key_headers())
    assert Transaction.objects.get().quantity == 3


def test_a_second_delivery_is_counted_on_the_first_row(client, webhook_secrets, static_code,
                                                       django_capture_on_commit_callbacks):
    body = _sepay_body()
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, SEPAY_URL, body, **sepay_key_headers())
        second = post(client, SEPAY_URL, body, **sepay_key_headers())
    assert first.status_code == second.status_code == 200
    assert Transaction.objects.count() == 1
    event = InboundEvent.objects.get()
    assert event.state == "matched" and event.deliveries == 2


def test_processing_is_idempotent(client, webhook_secrets, static_code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, _sepay_body(), **sepay_key_headers())
    event = InboundEvent.objects.get()
    processed_at = event.processed_at
    inbound_event_process(event_id=event.pk)
    inbound_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert event.state == "matched" and event.processed_at == processed_at
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize("change, reason", [
    ({"accountNumber": "9999999999"}, "no account"),
    ({"content": "chuyen tien mua hang"}, "no code"),
    ({"content": "OCOP 2345AB"}, "unknown code"),
], ids=["unknown account", "no code", "unknown code"])
def test_transfers_without_a_usable_code_go_unmatched(client, webhook_secrets, static_code, change, reason,
                                                      django_capture_on_commit_callbacks):
    data = {**load("sepay_in.json"), **change}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, SEPAY_URL, raw(data), **sepay_key_headers()).status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == InboundEvent.State.NO_MATCH and event.note
    assert Transaction.objects.count() == 0


def test_code_paid_into_another_account_is_no_match(client, webhook_secrets, static_code, producer, vietcombank,
                                                    django_capture_on_commit_callbacks):
    # given the producer has a second account; the code belongs to the first one
    from payments.models import BankAccount

    BankAccount.objects.create(producer=producer, bank=vietcombank, account_number="5555666677",
                               holder_name="NGUYEN THI HOA")
    data = {**load("sepay_in.json"), "accountNumber": "5555666677"}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, raw(data), **sepay_key_headers())
    event = InboundEvent.objects.get()
    assert event.state == "no_match" and "tài khoản khác" in event.note
    assert event.producer == producer  # queued for the owner of the receiving account
    assert Transaction.objects.count() == 0


def test_wrong_amount_for_a_priced_code_is_no_match(client, webhook_secrets, priced_code,
                                                    django_capture_on_commit_callbacks):
    data = {**load("sepay_in.json"), "content": "OCOP 9HJ4MN", "transferAmount": 150000}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, raw(data), **sepay_key_headers())
    event = InboundEvent.objects.get()
    assert event.state == "no_match" and "300000" in event.note
    assert Transaction.objects.count() == 0


def test_right_amount_for_a_priced_code_counts_one(client, webhook_secrets, priced_code,
                                                   django_capture_on_commit_callbacks):
    data = {**load("sepay_in.json"), "content": "OCOP 9HJ4MN", "transferAmount": 300000}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, raw(data), **sepay_key_headers())
    sale = Transaction.objects.get()
    assert (sale.quantity, sale.amount, sale.payment_code) == (1, 300000, priced_code)


def test_outgoing_transfers_do_not_count(client, webhook_secrets, static_code,
                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, SEPAY_URL, raw(load("sepay_out.json")), **sepay_key_headers())
        data = {**_casso_data(), "data": {**_casso_data()["data"], "id": 99, "amount": -150000}}
        post(client, CASSO_URL, raw(data), **casso_headers(data))
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {"ignored"}
    assert Transaction.objects.count() == 0


def test_the_casso_key_is_never_stored(client, webhook_secrets, static_code, django_capture_on_commit_callbacks):
    data = _casso_data()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, CASSO_URL, raw(data), **casso_headers(data))
    stored = json.dumps(InboundEvent.objects.get().headers) + InboundEvent.objects.get().body
    assert CASSO_KEY not in stored
