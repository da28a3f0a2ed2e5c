"""Portal pages and API for payment codes: the owner gets them, another producer gets 404, anonymous nothing."""
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from payments.models import BankAccount, PaymentCode
from payments.services import payment_code_create
from payments.vietqr import parse_payload
from tests.factories import OcopProductFactory

from .conftest import decode_qr

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(owner, product, account):
    return payment_code_create(user=owner, product=product, amount=150000)


@pytest.fixture
def stranger(other_owner_and_producer):
    return other_owner_and_producer[0]


def _portal_urls(code):
    return [
        reverse("payments:code", args=[code.pk]),
        reverse("payments:code_png", args=[code.pk]),
        reverse("payments:code_svg", args=[code.pk]),
        reverse("payments:code_pdf", args=[code.pk]),
        reverse("payments:product_code", args=[code.product_id]),
    ]


def test_owner_opens_code_pages_and_files(client, owner, code):
    client.force_login(owner)
    statuses = {url: client.get(url).status_code for url in _portal_urls(code)}
    assert set(statuses.values()) == {200}, statuses


def test_another_producer_gets_404_everywhere(client, stranger, code, account):
    client.force_login(stranger)
    for url in _portal_urls(code):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("payments:product_code", args=[code.product_id]), {}).status_code == 404
    assert client.post(reverse("payments:bank_account_delete", args=[account.pk])).status_code == 404
    assert BankAccount.objects.get(pk=account.pk).is_active
    listing = client.get(reverse("payments:codes")).content.decode()
    assert code.reference not in listing


def test_anonymous_is_sent_to_login(client, code):
    for url in _portal_urls(code) + [reverse("payments:codes"), reverse("payments:bank_accounts"),
                                     reverse("payments:batch_print")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_officer_sees_every_code(client, officer, code):
    client.force_login(officer)
    assert code.reference in client.get(reverse("payments:codes")).content.decode()
    assert client.get(reverse("payments:code", args=[code.pk])).status_code == 200


def test_codes_list_is_in_the_navigation(client, owner, code):
    client.force_login(owner)
    body = client.get(reverse("payments:codes")).content.decode()
    assert f'href="{reverse("payments:codes")}"' in body
    assert code.reference in body and "150.000 ₫" in body


def test_png_and_pdf_downloads_decode_to_the_payload(client, owner, code):
    client.force_login(owner)
    png = client.get(reverse("payments:code_png", args=[code.pk]))
    assert png["Content-Type"] == "image/png"
    assert decode_qr(png.content) == [code.payload]
    pdf = client.get(reverse("payments:code_pdf", args=[code.pk]) + "?layout=a4-stickers")
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    text = reader.pages[0].extract_text()
    assert "Chè Shan tuyết" in text and "150.000 ₫" in text
    svg = client.get(reverse("payments:code_svg", args=[code.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_in_ma_qr_creates_a_code_with_optional_amount(client, owner, product, account):
    client.force_login(owner)
    url = reverse("payments:product_code", args=[product.pk])
    page = client.get(url).content.decode()
    assert "In mã QR" in page and "Chè Shan tuyết" in page
    response = client.post(url, {"amount": "", "bank_account": account.pk})
    code = PaymentCode.objects.get(product=product)
    assert response.status_code == 302 and response["Location"] == reverse("payments:code", args=[code.pk])
    assert code.amount is None and code.created_by == owner
    client.post(url, {"amount": "300000", "bank_account": account.pk})
    assert PaymentCode.objects.filter(product=product, amount=300000).count() == 1


def test_in_ma_qr_without_account_explains(client, owner, product):
    client.force_login(owner)
    body = client.get(reverse("payments:product_code", args=[product.pk])).content.decode()
    assert "chưa có tài khoản ngân hàng" in body


def test_bank_accounts_add_and_delete(client, owner, producer, vietcombank):
    producer.representative = "Lò Thị Mai"  # the holder fits the producer: usable at once (issue 12)
    producer.save()
    client.force_login(owner)
    url = reverse("payments:bank_accounts")
    response = client.post(url, {
        "producer": producer.pk, "bank": vietcombank.pk, "account_number": "0071001234567",
        "holder_name": "Lò Thị Mai", "is_default": "on",
    })
    assert response.status_code == 302
    account = BankAccount.objects.get(producer=producer)
    assert account.holder_name == "LO THI MAI" and account.is_default
    assert "LO THI MAI" in client.get(url).content.decode()
    bad = client.post(url, {"producer": producer.pk, "bank": vietcombank.pk, "account_number": "12/3",
                            "holder_name": "A"})
    assert bad.status_code == 200 and "Số tài khoản chỉ gồm chữ số" in bad.content.decode()
    deleted = client.post(reverse("payments:bank_account_delete", args=[account.pk]), follow=True)
    assert "Đã xoá tài khoản 0071001234567." in deleted.content.decode()
    account.refresh_from_db()
    assert not account.is_active
    assert "0071001234567" not in client.get(url).content.decode()


def test_bank_account_for_another_producer_is_refused(client, owner, other_owner_and_producer, vietcombank):
    _, other = other_owner_and_producer
    client.force_login(owner)
    response = client.post(reverse("payments:bank_accounts"), {
        "producer": other.pk, "bank": vietcombank.pk, "account_number": "1", "holder_name": "A",
    })
    assert response.status_code == 200
    assert not BankAccount.objects.filter(producer=other).exists()


def test_batch_print_makes_one_pdf_of_many_products(client, owner, product, account):
    second = OcopProductFactory(producer=product.producer, name="Gạo nếp Tú Lệ", price=60000)
    client.force_login(owner)
    url = reverse("payments:batch_print")
    page = client.get(url).content.decode()
    assert "Gạo nếp Tú Lệ" in page
    response = client.post(url, {"products": [product.pk, second.pk], "layout": "a4-stickers"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Chè Shan tuyết" in text and "Gạo nếp Tú Lệ" in text and "150.000 ₫" in text and "60.000 ₫" in text
    decoded = {p for image in reader.pages[0].images for p in decode_qr(image.image)}
    assert decoded == {c.payload for c in PaymentCode.objects.filter(product__in=[product, second])}


def test_batch_print_cannot_include_another_producers_product(client, owner, product, account, vietcombank,
                                                              other_owner_and_producer):
    _, other = other_owner_and_producer
    BankAccount.objects.create(producer=other, bank=vietcombank, account_number="55", holder_name="B")
    foreign = OcopProductFactory(producer=other)
    client.force_login(owner)
    response = client.post(reverse("payments:batch_print"), {"products": [foreign.pk], "layout": "a6"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not PaymentCode.objects.filter(product=foreign).exists()


def test_batch_print_with_nothing_selected_explains(client, owner, product, account):
    client.force_login(owner)
    response = client.post(reverse("payments:batch_print"), {"layout": "a6"})
    assert "Chưa chọn sản phẩm nào để in." in response.content.decode()


# API


@pytest.fixture
def api():
    return APIClient()


def test_api_creates_and_lists_codes_with_payload_and_absolute_links(api, owner, product, account):
    api.force_authenticate(owner)
    response = api.post("/api/payment-codes/", {"product": product.pk, "amount": 150000}, format="json")
    assert response.status_code == 201, response.data
    data = response.json()
    assert parse_payload(data["payload"]).purpose == f"OCOP {data['reference']}"
    assert data["initiation"] == "dynamic" and data["amount"] == 150000
    assert data["bank_account"]["bank"]["short_name"] == "Vietcombank"
    assert data["links"]["png"] == f"http://testserver/api/payment-codes/{data['id']}/png/"
    png = api.get(data["links"]["png"])
    assert png.status_code == 200 and decode_qr(png.content) == [data["payload"]]
    pdf = api.get(data["links"]["pdf"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "150.000 ₫" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert api.get(data["links"]["svg"]).status_code == 200
    listing = api.get("/api/payment-codes/").json()
    assert [row["reference"] for row in listing["results"]] == [data["reference"]]
    assert api.get(f"/api/payment-codes/{data['id']}/").json()["payload"] == data["payload"]


def test_api_hides_another_producers_codes(api, stranger, code):
    api.force_authenticate(stranger)
    assert api.get("/api/payment-codes/").json()["results"] == []
    for suffix in ("", "png/", "svg/", "pdf/"):
        response = api.get(f"/api/payment-codes/{code.pk}/{suffix}", HTTP_ACCEPT="image/png, */*")
        assert response.status_code == 404, suffix
        assert response["Content-Type"] == "application/json" and response.json()["error"] == "not_found"
    response = api.post("/api/payment-codes/", {"product": code.product_id}, format="json")
    assert response.status_code == 404


def test_api_refuses_anonymous(api, code):
    for url in ("/api/payment-codes/", f"/api/payment-codes/{code.pk}/", f"/api/payment-codes/{code.pk}/png/",
                "/api/bank-accounts/", "/api/banks/"):
        assert api.get(url).status_code in (401, 403), url


def test_api_create_errors_are_the_common_json_shape(api, owner, product):
    api.force_authenticate(owner)
    response = api.post("/api/payment-codes/", {"product": product.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "no_bank_account" and "tài khoản ngân hàng" in response.json()["message"]
    response = api.post("/api/payment-codes/", {"product": product.pk, "amount": 0}, format="json")
    assert response.status_code == 400 and "amount" in response.json()["fields"]


def test_api_bank_accounts(api, owner, producer, stranger):
    producer.representative = "Hà Văn Đức"  # the holder fits the producer: usable at once (issue 12)
    producer.save()
    api.force_authenticate(owner)
    response = api.post("/api/bank-accounts/", {
        "producer": producer.pk, "bank": "970418", "account_number": "21510001234567", "holder_name": "Hà Văn Đức",
    }, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["holder_name"] == "HA VAN DUC" and data["bank"]["short_name"] == "BIDV" and data["is_default"]
    assert [row["id"] for row in api.get("/api/bank-accounts/").json()["results"]] == [data["id"]]
    api.force_authenticate(stranger)
    assert api.get(f"/api/bank-accounts/{data['id']}/").status_code == 404
    assert api.delete(f"/api/bank-accounts/{data['id']}/").status_code == 404
    api.force_authenticate(owner)
    assert api.delete(f"/api/bank-accounts/{data['id']}/").status_code == 204
    assert api.get("/api/bank-accounts/").json()["results"] == []


def test_api_banks_are_read_only(api, owner, banks):
    api.force_authenticate(owner)
    rows = api.get("/api/banks/").json()
    assert {"bin": "970436", "short_name": "Vietcombank", "name": "Ngân hàng TMCP Ngoại thương Việt Nam"} in rows
    assert api.get("/api/banks/970405/").json()["short_name"] == "Agribank"
    assert api.post("/api/banks/", {"bin": "123456"}, format="json").status_code == 405
