"""`150.000` typed as a JSON *number* (not a string) in any money field of the API: json reads it as
150.0 and it was saved as 150 ₫ without a word (hostile review of issue 12, item 1). The API keeps
how the number was written, and a money field refuses a number written with a decimal point."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings import services as listing_services
from listings.models import Listing
from payments.models import Bank, BankAccount, PaymentCode, Transaction
from producers.models import OcopProduct
from tests.factories import OcopProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def post(api, url, body, method="post"):
    return getattr(api, method)(url, data=body, content_type="application/json")


def refused(response, field):
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert "150000" in " ".join(response.json()["fields"][field])  # says how to write it


@pytest.mark.parametrize("number", ["150.000", "150000.0", "1.5e5"])
def test_a_money_number_with_a_decimal_point_is_refused_everywhere(api, owner, producer, number):
    product = OcopProductFactory(producer=producer, price=150000)
    BankAccount.objects.create(producer=producer, bank=Bank.objects.get(bin="970436"), account_number="1234567890123",
                               holder_name=producer.representative, is_default=True)
    account = listing_services.account_connect(producer=producer, user=owner, marketplace="sandbox")
    when = (timezone.now() - timedelta(days=1)).isoformat()
    refused(post(api, "/api/products/", '{"producer": %d, "name": "Miến dong", "group": "thuc-pham", "stars": 3, '
                 '"certificate_date": "2024-05-20", "price": %s}' % (producer.pk, number)), "price")
    refused(post(api, f"/api/products/{product.pk}/", '{"price": %s}' % number, "patch"), "price")
    refused(post(api, "/api/listings/", '{"product": %d, "marketplace_account": %d, "price_override": %s}'
                 % (product.pk, account.pk, number)), "price_override")
    refused(post(api, "/api/payment-codes/", '{"product": %d, "amount": %s}' % (product.pk, number)), "amount")
    refused(post(api, "/api/transactions/", '{"product": %d, "quantity": 1, "occurred_at": "%s", "amount": %s}'
                 % (product.pk, when, number)), "amount")
    assert OcopProduct.objects.get().price == 150000
    assert not (Listing.objects.exists() or PaymentCode.objects.exists() or Transaction.objects.exists())


def test_integers_and_strings_still_work(api, producer):
    product = OcopProductFactory(producer=producer, price=1)
    assert post(api, f"/api/products/{product.pk}/", '{"price": 150000}', "patch").json()["price"] == 150000
    assert post(api, f"/api/products/{product.pk}/", '{"price": "150.000"}', "patch").json()["price"] == 150000
