"""Amounts as Vietnamese people write them (`150.000`, `150.000 ₫`, `150 000`, `150k`): one parser,
one form field, one API field; every money input of the portal and the API reads `150.000` as
150.000 ₫ or refuses it with a Vietnamese message, never 150 ₫."""
import re
from datetime import timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.test import APIClient

from common.formatting import format_vnd
from common.money import MONEY_CEILING, MoneyField, MoneySerializerField, parse_vnd
from listings import services as listing_services
from listings.models import Listing
from payments.models import Bank, BankAccount, PaymentCode, Transaction
from payments.services import banks_load
from producers.models import OcopProduct
from tests.factories import OcopProductFactory

CEILING_MESSAGE = "Số tiền tối đa là 1.000.000.000 ₫."
TOO_BIG = "1.500.000.000.000"
REFUSED = "refused"


def outcome(text, **kwargs):
    try:
        return parse_vnd(text, **kwargs)
    except ValidationError:
        return REFUSED


def message_of(text, **kwargs):
    with pytest.raises(ValidationError) as caught:
        parse_vnd(text, **kwargs)
    return " ".join(caught.value.messages)


# --- the parser ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, amount", [
    ("150000", 150000), ("150.000", 150000), ("150.000 ₫", 150000), ("150.000₫", 150000),
    ("150.000đ", 150000), ("150.000 đ", 150000), ("150.000 Đ", 150000), ("150 000", 150000),
    ("150\u00a0000", 150000), ("150\u202f000", 150000), ("1.500.000đ", 1500000), ("1.500.000 VND", 1500000),
    ("1.500.000 VNĐ", 1500000), ("1.500.000 vnđ", 1500000), ("1.500.000 đồng", 1500000),
    ("150.000 đồng", 150000), ("150.000d", 150000), ("₫150.000", 150000), ("₫ 150.000", 150000),
    ("150,000", 150000), ("1,500,000", 1500000), ("150k", 150000), ("150K", 150000), ("150 k", 150000),
    ("150kđ", 150000), ("  150.000  ", 150000), ("0", 0), ("1.000", 1000), ("999", 999),
    ("1.000.000.000", 1_000_000_000), ("1.000.000.000 ₫", 1_000_000_000),
    (150000, 150000), (150000.0, 150000),
    ("150.000 \u0111o\u0302\u0300ng", 150000),  # "đồng" typed with combining marks
])
def test_parser_reads_what_vietnamese_people_write(text, amount):
    assert parse_vnd(text) == amount


@pytest.mark.parametrize("text, words", [
    ("1.50.000", "nhóm chữ số"),
    ("15.0000", "nhóm chữ số"),
    ("1.500,000", "lẫn"),
    ("1,500.000", "lẫn"),
    ("1.500 000", "lẫn"),
    ("150,5", "phần lẻ"),
    ("150.5", "phần lẻ"),
    ("150.50", "phần lẻ"),
    ("150.000,00", "phần lẻ"),
    ("-150.000", "âm"),
    ("−150000", "âm"),
    ("", "Chưa nhập"),
    ("   ", "Chưa nhập"),
    ("abc", "Không đọc được"),
    ("15O.000", "Không đọc được"),
    ("150.000 USD", "Không đọc được"),
    ("1tr5", "Không đọc được"),
    ("1.5k", "phần lẻ"),
    ("1.500k", "“k”"),
    ("150..000", "nhóm chữ số"),
    ("150.000.", "nhóm chữ số"),
    (".150", "Không đọc được"),
    ("0.150", "nhóm chữ số"),
    ("1" * 60, "Không đọc được"),
    (True, "Không đọc được"),
    (150000.5, "phần lẻ"),
    (-1, "âm"),
])
def test_parser_refuses_what_is_ambiguous_with_a_vietnamese_reason(text, words):
    assert words in message_of(text)


def test_ceiling_is_one_billion_by_default_and_an_argument():
    assert MONEY_CEILING == 1_000_000_000
    assert parse_vnd("1.000.000.000") == 1_000_000_000
    assert message_of("1.000.000.001") == CEILING_MESSAGE
    assert message_of(TOO_BIG) == CEILING_MESSAGE
    assert message_of("2000000k") == CEILING_MESSAGE
    assert message_of(10**40) == CEILING_MESSAGE
    assert parse_vnd("5.000", max_value=5000) == 5000
    assert message_of("5.001", max_value=5000) == "Số tiền tối đa là 5.000 ₫."
    assert message_of("0", min_value=1) == "Số tiền tối thiểu là 1 ₫."


# --- properties ----------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=MONEY_CEILING)


def dotted(amount, separator="."):
    """An oracle independent of the code under test: Python's own grouping."""
    return f"{amount:,}".replace(",", separator)


def spellings(amount):
    grouped = dotted(amount)
    written = [
        str(amount), grouped, format_vnd(amount), f"{grouped}đ", f"{grouped} đ", f"{grouped}₫", f"{grouped} VND",
        f"{grouped} VNĐ", f"{grouped} đồng", dotted(amount, " "), dotted(amount, "\u00a0"),
        dotted(amount, "\u202f"), dotted(amount, ","), f"{dotted(amount, chr(0xa0))} ₫",
    ]
    if amount % 1000 == 0:
        written += [f"{amount // 1000}k", f"{amount // 1000}K"]
    return written


@given(amounts)
def test_every_vietnamese_spelling_of_an_amount_reads_back_exactly(amount):
    for text in spellings(amount):
        assert parse_vnd(text) == amount, text


@given(amounts, st.data())
def test_a_separator_slipped_in_anywhere_gives_the_same_amount_or_a_refusal(amount, data):
    text = data.draw(st.sampled_from(spellings(amount)))
    position = data.draw(st.integers(min_value=0, max_value=len(text)))
    separator = data.draw(st.sampled_from([".", ",", " ", "\u00a0", "\u202f"]))
    assert outcome(text[:position] + separator + text[position:]) in (amount, REFUSED)


@given(st.integers(min_value=1000, max_value=MONEY_CEILING), st.sampled_from([".", ",", " "]), st.data())
def test_a_digit_dropped_from_a_full_group_is_refused(amount, separator, data):
    text = dotted(amount, separator)
    positions = [i for i, c in enumerate(text) if c.isdigit() and i > text.index(separator)]
    i = data.draw(st.sampled_from(positions))
    assert outcome(text[:i] + text[i + 1:]) == REFUSED


@given(amounts, st.data())
def test_a_digit_dropped_anywhere_never_reads_as_a_scaled_amount(amount, data):
    """Whatever digits remain are read as they stand (or refused): never ×1000 or ÷1000."""
    text = data.draw(st.sampled_from([t for t in spellings(amount) if not t.lower().endswith("k")]))
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    i = data.draw(st.sampled_from(positions))
    mangled = text[:i] + text[i + 1:]
    remaining = "".join(c for c in mangled if c.isdigit())
    assert outcome(mangled) in ((int(remaining) if remaining else None), REFUSED)


@given(amounts, st.sampled_from([",", "."]), st.text(alphabet="0123456789", min_size=1, max_size=2), st.data())
def test_a_decimal_part_is_always_refused(amount, point, decimals, data):
    grouped = data.draw(st.sampled_from([str(amount), dotted(amount), dotted(amount, " ")]))
    suffix = data.draw(st.sampled_from(["", " ₫", "đ", " VND"]))
    assert outcome(f"{grouped}{point}{decimals}{suffix}") == REFUSED


@hypothesis_settings(max_examples=300)
@given(st.text(alphabet="0123456789.,  \u00a0\u202fkKđ₫VNDv-−", max_size=25))
def test_any_text_is_read_as_its_own_digits_or_refused(text):
    result = outcome(text)
    if result == REFUSED:
        return
    digits = int("".join(c for c in text if c.isdigit()))
    factor = 1000 if re.search(r"[kK]", text) else 1
    assert result == digits * factor
    assert 0 <= result <= MONEY_CEILING


# --- the form field ------------------------------------------------------------------------------

class PriceForm(forms.Form):
    price = MoneyField(label="Giá", min_value=1)
    optional = MoneyField(label="Tuỳ chọn", required=False)


def test_form_field_is_a_numeric_text_input_never_type_number():
    html = str(PriceForm()["price"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'type="number"' not in html and "step=" not in html


def test_form_field_shows_an_amount_as_the_portal_prints_it_and_reads_it_back():
    unbound = PriceForm(initial={"price": 1500000})
    shown = re.search(r'value="([^"]*)"', str(unbound["price"])).group(1)
    assert shown == "1.500.000"
    bound = PriceForm(data={"price": shown, "optional": ""}, initial={"price": 1500000})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data == {"price": 1500000, "optional": None}
    assert bound.changed_data == []


def test_form_field_keeps_what_was_typed_when_it_refuses():
    form = PriceForm(data={"price": "1.50.000"})
    assert not form.is_valid()
    assert 'value="1.50.000"' in str(form["price"])
    assert "nhóm chữ số" in form.errors["price"][0]
    assert PriceForm(data={"price": ""}).errors["price"]
    assert PriceForm(data={"price": TOO_BIG}).errors["price"] == [CEILING_MESSAGE]
    assert PriceForm(data={"price": "0"}).errors["price"] == ["Số tiền tối thiểu là 1 ₫."]


# --- the API field -------------------------------------------------------------------------------

class PriceInput(serializers.Serializer):
    price = MoneySerializerField(min_value=1)
    optional = MoneySerializerField(required=False, allow_null=True)


@pytest.mark.parametrize("value, amount", [(150000, 150000), ("150.000", 150000), ("150.000 ₫", 150000),
                                           ("150k", 150000), (150000.0, 150000), ("1.000.000.000", MONEY_CEILING)])
def test_api_field_takes_integers_and_vietnamese_strings(value, amount):
    data = PriceInput(data={"price": value})
    assert data.is_valid(), data.errors
    assert data.validated_data["price"] == amount


@pytest.mark.parametrize("value, words", [(150000.5, "phần lẻ"), (True, "Không đọc được"), ([150], "Không đọc được"),
                                          ({"a": 1}, "Không đọc được"), ("1.50.000", "nhóm chữ số"),
                                          (TOO_BIG, CEILING_MESSAGE), (10**12, CEILING_MESSAGE), (-5, "âm"),
                                          (0, "tối thiểu"), ("", "Chưa nhập"), (None, "")])
def test_api_field_refuses_what_the_parser_refuses(value, words):
    data = PriceInput(data={"price": value})
    assert not data.is_valid()
    assert words in str(data.errors["price"][0])


def test_api_field_answers_an_integer():
    assert PriceInput({"price": 150000, "optional": None}).data == {"price": 150000, "optional": None}


def test_openapi_schema_says_integer_out_and_integer_or_string_in(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schema["OcopProduct"]["properties"]["price"]["type"] == "integer"
    request = schema["OcopProductRequest"]["properties"]["price"]
    integer, text = request["oneOf"]
    assert integer == {"type": "integer", "minimum": 0, "maximum": MONEY_CEILING}
    assert text["type"] == "string" and text["example"] == "150.000"
    assert schema["PaymentCodeInputRequest"]["properties"]["amount"]["oneOf"][0]["minimum"] == 1


# --- every entry point ---------------------------------------------------------------------------

@pytest.fixture
def bank_account(producer):
    banks_load()
    return BankAccount.objects.create(
        producer=producer, bank=Bank.objects.get(bin="970436"), account_number="1234567890123",
        holder_name="Nguyễn Thị Hoa", is_default=True,
    )


@pytest.fixture
def product(producer):
    return OcopProductFactory(producer=producer, name="Chè Shan tuyết Suối Giàng", price=180000)


@pytest.fixture
def listing(owner, producer, product):
    account = listing_services.account_connect(producer=producer, user=owner, marketplace="sandbox")
    return listing_services.listing_create(product=product, account=account, user=owner)


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def _product_form(price):
    return {"name": "Mật ong bạc hà Mèo Vạc", "group": "thuc-pham", "stars": "4", "unit": "chai 500 ml",
            "certificate_number": "3397/QĐ-UBND", "certificate_date": "15/03/2024", "price": price}


@pytest.mark.django_db
def test_portal_product_form_stores_150_000_as_150000(client, owner, producer):
    client.force_login(owner)
    url = reverse("portal:product_create") + f"?producer={producer.pk}"
    response = client.post(url, _product_form("150.000"))
    assert response.status_code == 302, response.content.decode()
    product = OcopProduct.objects.get(name="Mật ong bạc hà Mèo Vạc")
    assert product.price == 150000
    edit = client.get(reverse("portal:product_edit", args=[product.pk])).content.decode()
    assert re.search(r'name="price" value="150.000"[^>]*inputmode="numeric"', edit)


@pytest.mark.django_db
def test_portal_product_form_refuses_an_amount_over_the_ceiling(client, owner, producer):
    client.force_login(owner)
    url = reverse("portal:product_create") + f"?producer={producer.pk}"
    response = client.post(url, _product_form(TOO_BIG))
    assert response.status_code == 200
    assert CEILING_MESSAGE in response.content.decode()
    assert not OcopProduct.objects.filter(name="Mật ong bạc hà Mèo Vạc").exists()


@pytest.mark.django_db
def test_portal_listing_price_stores_150_000_and_reads_back_what_it_shows(client, owner, listing):
    client.force_login(owner)
    page = client.get(reverse("listings:detail", args=[listing.pk])).content.decode()
    shown = re.search(r'name="price" value="([^"]*)"', page).group(1)
    assert shown == "180.000"
    client.post(reverse("listings:price_stock", args=[listing.pk]), {"price": shown, "stock": ""})
    assert Listing.objects.get(pk=listing.pk).price_override == 180000
    client.post(reverse("listings:price_stock", args=[listing.pk]), {"price": "150.000", "stock": ""})
    assert Listing.objects.get(pk=listing.pk).price_override == 150000


@pytest.mark.django_db
def test_portal_listing_price_refuses_an_amount_over_the_ceiling(client, owner, listing):
    client.force_login(owner)
    response = client.post(reverse("listings:price_stock", args=[listing.pk]), {"price": TOO_BIG, "stock": ""},
                           follow=True)
    assert CEILING_MESSAGE in response.content.decode()
    assert Listing.objects.get(pk=listing.pk).price_override is None


@pytest.mark.django_db
def test_portal_qr_amount_stores_150_000_as_150000(client, owner, product, bank_account):
    client.force_login(owner)
    url = reverse("payments:product_code", args=[product.pk])
    response = client.post(url, {"amount": "150.000", "bank_account": bank_account.pk})
    assert response.status_code == 302, response.content.decode()
    assert PaymentCode.objects.get(product=product).amount == 150000


@pytest.mark.django_db
def test_portal_qr_amount_refuses_an_amount_over_the_ceiling(client, owner, product, bank_account):
    client.force_login(owner)
    url = reverse("payments:product_code", args=[product.pk])
    response = client.post(url, {"amount": TOO_BIG, "bank_account": bank_account.pk})
    assert response.status_code == 200
    assert CEILING_MESSAGE in response.content.decode()
    assert not PaymentCode.objects.exists()


def _sale_form(amount, product):
    yesterday = timezone.localdate() - timedelta(days=1)
    return {"product": product.pk, "quantity": "1", "amount": amount, "occurred_on": yesterday.isoformat()}


@pytest.mark.django_db
def test_portal_manual_sale_stores_150_000_as_150000(client, owner, product):
    client.force_login(owner)
    response = client.post(reverse("payments:manual_sale"), _sale_form("150.000", product))
    assert response.status_code == 302, response.content.decode()
    assert Transaction.objects.get(product=product).amount == 150000


@pytest.mark.django_db
def test_portal_manual_sale_refuses_an_amount_over_the_ceiling(client, owner, product):
    client.force_login(owner)
    response = client.post(reverse("payments:manual_sale"), _sale_form(TOO_BIG, product))
    assert response.status_code == 200
    assert CEILING_MESSAGE in response.content.decode()
    assert not Transaction.objects.exists()


def _refused(response, field):
    assert response.status_code == 400, response.content
    assert response.json() == {"error": "invalid", "message": "Dữ liệu không hợp lệ.",
                               "fields": {field: [CEILING_MESSAGE]}}


@pytest.mark.django_db
def test_api_product_price_reads_150_000_and_refuses_over_the_ceiling(api, producer):
    body = {"producer": producer.pk, "name": "Miến dong Bát Xát", "group": "thuc-pham", "stars": 3,
            "certificate_date": "2024-05-20"}
    _refused(api.post("/api/products/", {**body, "price": TOO_BIG}, format="json"), "price")
    assert not OcopProduct.objects.exists()
    response = api.post("/api/products/", {**body, "price": "150.000"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["price"] == 150000
    product = OcopProduct.objects.get()
    assert product.price == 150000
    url = f"/api/products/{product.pk}/"
    _refused(api.patch(url, {"price": TOO_BIG}, format="json"), "price")
    assert api.patch(url, {"price": "1.500.000 ₫"}, format="json").json()["price"] == 1500000
    assert OcopProduct.objects.get().price == 1500000


@pytest.mark.django_db
def test_api_listing_price_override_reads_150_000_and_refuses_over_the_ceiling(api, owner, producer, product):
    account = listing_services.account_connect(producer=producer, user=owner, marketplace="sandbox")
    body = {"product": product.pk, "marketplace_account": account.pk}
    _refused(api.post("/api/listings/", {**body, "price_override": TOO_BIG}, format="json"), "price_override")
    assert not Listing.objects.exists()
    response = api.post("/api/listings/", {**body, "price_override": "150.000"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["price_override"] == 150000
    assert Listing.objects.get().price_override == 150000


@pytest.mark.django_db
def test_api_payment_code_amount_reads_150_000_and_refuses_over_the_ceiling(api, product, bank_account):
    _refused(api.post("/api/payment-codes/", {"product": product.pk, "amount": TOO_BIG}, format="json"), "amount")
    assert not PaymentCode.objects.exists()
    response = api.post("/api/payment-codes/", {"product": product.pk, "amount": "150.000"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == 150000
    assert PaymentCode.objects.get().amount == 150000


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_api_manual_sale_amount_reads_150_000_and_refuses_over_the_ceiling(api, product, encoding):
    body = {"product": product.pk, "quantity": 1, "occurred_at": (timezone.now() - timedelta(days=1)).isoformat()}
    _refused(api.post("/api/transactions/", {**body, "amount": TOO_BIG}, format=encoding), "amount")
    assert not Transaction.objects.exists()
    response = api.post("/api/transactions/", {**body, "amount": "150.000"}, format=encoding)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == 150000
    assert Transaction.objects.get().amount == 150000
