"""Deeply nested JSON sent to the REST API (not only the webhooks) is a 400 in our error shape, never
a RecursionError (500), and nothing is written (issue 12, item 9, hostile review)."""
import pytest
from rest_framework.test import APIClient

from payments.models import BankAccount, Transaction
from producers.models import OcopProduct

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
JUST_TOO_DEEP = '{"product": ' + "[" * 40 + "]" * 40 + "}"


@pytest.mark.parametrize("route", ["/api/products/", "/api/bank-accounts/", "/api/transactions/",
                                   "/api/payment-codes/", "/api/listings/"])
@pytest.mark.parametrize("body", [DEEP, JUST_TOO_DEEP], ids=["100k", "40"])
def test_deep_json_on_the_api_is_a_400_and_writes_nothing(owner, route, body):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(owner)
    response = api.post(route, data=body, content_type="application/json")
    assert response.status_code == 400, (route, response.status_code)
    assert set(response.json()) == {"error", "message", "fields"}
    assert response.json()["error"] == "parse_error" and "lồng quá" in response.json()["message"]
    assert not (OcopProduct.objects.exists() or BankAccount.objects.exists() or Transaction.objects.exists())


def test_ordinary_json_still_reaches_the_api(owner, producer):
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post("/api/bank-accounts/", data={"producer": producer.pk, "bank": "nope",
                                                     "account_number": "1", "holder_name": "x"}, format="json")
    assert response.status_code in (400, 404) and "nested" not in response.content.decode()
