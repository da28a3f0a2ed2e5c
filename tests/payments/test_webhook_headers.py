"""Unsigned strangers on the bank webhooks (hostile review of issue 12, item 9): a timestamp header
of 5,000 digits or of Unicode digits (`²`, `٣`) passes str.isdigit() but not int(); it was a 500.
It is a forgery like any other: 401, nothing written. An amount written as text with a thousands
separator ("150.000") is not read as 150 ₫."""
import pytest

from payments.banks import base
from payments.models import InboundEvent, Transaction

from .conftest import load, raw

pytestmark = pytest.mark.django_db

ODD_STAMPS = ["9" * 5000, "²", "١٧٠٠٠٠٠٠٠٠", "1" * 30]


def nothing_written():
    return not InboundEvent.objects.exists() and not Transaction.objects.exists()


@pytest.mark.parametrize("stamp", ODD_STAMPS)
def test_sepay_odd_timestamp_header_is_a_forgery(client, webhook_secrets, stamp):
    body = raw(load("sepay_in.json"))
    response = client.post("/webhooks/sepay/", data=body, content_type="application/json",
                           HTTP_X_SEPAY_TIMESTAMP=stamp, HTTP_X_SEPAY_SIGNATURE="sha256=" + "0" * 64)
    assert response.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("stamp", ODD_STAMPS)
def test_casso_odd_timestamp_header_is_a_forgery(client, webhook_secrets, stamp):
    body = raw({"error": 0, "data": {"id": 1, "amount": 150000}})
    response = client.post("/webhooks/casso/", data=body, content_type="application/json",
                           HTTP_X_CASSO_SIGNATURE=f"t={stamp},v1={'0' * 128}")
    assert response.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize("text", ["150.000", "150,000", "1.500.000", "150.5"])
def test_a_bank_amount_written_with_separators_is_malformed_not_150(text):
    with pytest.raises(base.MalformedBody):
        base.parse_amount(text)
    assert base.parse_amount("150000") == 150000 and base.parse_amount(150000) == 150000
    assert base.parse_amount(150000.0) == 150000


def test_a_bank_webhook_keeps_the_listed_headers_and_of_authorization_only_its_scheme(
        client, webhook_secrets, static_code, django_capture_on_commit_callbacks):
    from .conftest import sepay_key_headers

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/webhooks/sepay/", data=raw(load("sepay_in.json")), content_type="application/json",
                               HTTP_COOKIE="sessionid=secret-cookie", HTTP_X_API_KEY="secret-extra",
                               HTTP_X_REQUEST_ID="req-1", **sepay_key_headers())
    assert response.status_code == 200
    headers = InboundEvent.objects.get().headers
    assert headers == {"Authorization": "Apikey ***", "Content-Type": "application/json", "X-Request-Id": "req-1"}


@pytest.mark.parametrize(("given", "kept"), [
    ("Apikey s3cret", "Apikey ***"), ("Bearer eyJhbGciOi.x.y", "Bearer ***"),
    ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "***"), ("", None),
    ("Apikey", "***"), ("sha256=abc def", "***"),
])
def test_one_rule_for_authorization_on_every_channel(given, kept):
    from common.redaction import kept_headers

    headers = kept_headers({"authorization": given, "X-Forwarded-For": "1.2.3.4", "X-Other": "x"})
    assert headers.get("Authorization") == kept and headers["X-Forwarded-For"] == "1.2.3.4" and "X-Other" not in headers
