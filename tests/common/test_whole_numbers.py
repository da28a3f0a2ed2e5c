"""Counts typed the Vietnamese way (hostile review of issue 12, item 1): Django's and DRF's IntegerField
read `1.000` as 1 (a trailing `.000` is a decimal part to them), so a stock, a quantity sold or a weight
of `1.000` was saved 1,000 times too small with no error. Every such field reads `1.000` as 1000 or
refuses what is not a whole number, in Vietnamese."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from listings.forms import PriceStockForm
from payments.forms import AssignTransferForm, ManualSaleForm
from payments.models import Transaction
from payments.serializers import AssignTransferInputSerializer, ManualSaleInputSerializer
from producers.forms import ProductForm
from producers.models import OcopProduct, ProductGroup
from producers.serializers import OcopProductSerializer
from tests.factories import OcopProductFactory

pytestmark = pytest.mark.django_db

READ = {"1000": 1000, "1.000": 1000, "1 000": 1000, "1,000": 1000, "12.500": 12500, "1.000.000": 1_000_000, "250": 250}
REFUSED = ["1.5", "1,5", "1.50", "1.0000", "10.00.000", "1.000,5", "-1.000", "1e3", "mười"]


def _form_stock(text):
    form = PriceStockForm({"price": "", "stock": text})
    return form.cleaned_data["stock"] if form.is_valid() else form.errors


@pytest.mark.parametrize("text,number", READ.items())
def test_forms_read_grouped_counts(text, number, producer):
    assert _form_stock(text) == number
    product = OcopProductFactory(producer=producer)
    products = OcopProduct.objects.filter(pk=product.pk)
    sale = ManualSaleForm({"product": product.pk, "quantity": text, "amount": "150.000",
                           "occurred_on": timezone.localdate().isoformat()}, products=products)
    assert sale.is_valid(), sale.errors
    assert sale.cleaned_data["quantity"] == number
    assign = AssignTransferForm({"product": product.pk, "quantity": text}, products=products)
    assert assign.is_valid() and assign.cleaned_data["quantity"] == number


@pytest.mark.parametrize("text", REFUSED)
def test_forms_refuse_what_is_not_a_whole_number(text):
    errors = _form_stock(text)
    assert isinstance(errors, dict) and "stock" in errors
    assert "số nguyên" in " ".join(errors["stock"])  # says what to write, in Vietnamese


def test_product_weight_typed_with_a_dot_is_grams_not_kilograms(producer):
    form = ProductForm({"name": "Mật ong", "group": ProductGroup.objects.first().pk, "stars": "3", "unit": "hũ",
                        "price": "150.000", "weight_grams": "1.000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["weight_grams"] == 1000 and form.cleaned_data["price"] == 150000


@pytest.mark.parametrize("text,number", READ.items())
def test_the_api_reads_grouped_counts_in_strings(text, number):
    quantity = AssignTransferInputSerializer(data={"product": 1, "quantity": text})
    assert quantity.is_valid(), quantity.errors
    assert quantity.validated_data["quantity"] == number
    sale = ManualSaleInputSerializer(data={"product": 1, "quantity": text, "amount": "150.000",
                                           "occurred_at": "2026-10-15T09:00:00+07:00"})
    assert sale.is_valid() and sale.validated_data["quantity"] == number


@pytest.mark.parametrize("text", REFUSED)
def test_the_api_refuses_what_is_not_a_whole_number(text):
    assert not AssignTransferInputSerializer(data={"product": 1, "quantity": text}).is_valid()


def test_a_manual_sale_of_1000_units_through_the_api(owner, producer):
    product = OcopProductFactory(producer=producer, price=150000)
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post("/api/transactions/", {
        "product": product.pk, "quantity": "1.000", "amount": "150.000.000",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat()}, format="json")
    assert response.status_code == 201, response.content
    sale = Transaction.objects.get()
    assert (sale.quantity, sale.amount) == (1000, 150_000_000)


def test_product_weight_through_the_api(owner, producer):
    serializer = OcopProductSerializer(data={"weight_grams": "1.000"}, partial=True)
    serializer.is_valid()
    assert "weight_grams" not in serializer.errors
    assert serializer.validated_data["weight_grams"] == 1000


@pytest.mark.parametrize("number", ["1.000", "1000.0", "1e3"])
def test_a_count_sent_as_a_json_number_with_a_decimal_point_is_refused(owner, producer, number):
    product = OcopProductFactory(producer=producer, price=150000)
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post("/api/transactions/", data='{"product": %d, "quantity": %s, "amount": 150000, '
                        '"occurred_at": "%s"}' % (product.pk, number, (timezone.now() - timedelta(hours=1)).isoformat()),
                        content_type="application/json")
    assert response.status_code == 400 and "quantity" in response.json()["fields"], response.content
    assert not Transaction.objects.exists()
