"""A market trader prints one PDF of QR stickers for several products, from a phone."""
import io

import pytest
from pypdf import PdfReader

from payments.models import Bank, PaymentCode
from payments.services import bank_account_create
from tests.factories import OcopProductFactory, make_member

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Mat-ong-bac-ha-2025"


def test_trader_prints_a_batch_of_stickers(phone):
    owner, producer = make_member(username="tieuthuong")
    owner.set_password(PASSWORD)
    owner.save()
    bank_account_create(user=owner, producer=producer, bank=Bank.objects.get(bin="970436"),
                        account_number="0071000123456", holder_name=producer.representative)  # fits: usable
    names = {"Chè Shan tuyết Suối Giàng": 150000, "Mật ong bạc hà Mèo Vạc": 320000}
    for name, price in names.items():
        OcopProductFactory(producer=producer, name=name, price=price)

    log_in(phone, "tieuthuong", PASSWORD)
    phone.goto("/thanh-toan/")
    phone.click("[data-testid=batch-print]")
    for name in names:
        phone.get_by_label(name, exact=False).check()
    with phone.expect_download() as download:
        phone.click("[data-testid=print-batch]")
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join(page.extract_text() for page in pdf.pages).replace("\n", " ")
    for name in names:
        assert name in text
    assert "150.000 ₫" in text and "320.000 ₫" in text
    assert PaymentCode.objects.filter(product__producer=producer).count() == 2
