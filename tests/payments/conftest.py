import io

import pytest
import zxingcpp
from PIL import Image

from payments.models import Bank, BankAccount
from payments.services import banks_load
from tests.factories import OcopProductFactory


@pytest.fixture
def banks(db):
    """The shipped bank list (the data migration loads it; transactional tests flush it)."""
    banks_load()
    return Bank.objects.all()


@pytest.fixture
def vietcombank(banks):
    return Bank.objects.get(bin="970436")


@pytest.fixture
def account(producer, vietcombank):
    return BankAccount.objects.create(
        producer=producer, bank=vietcombank, account_number="1234567890123", holder_name="Nguyễn Thị Hoa",
        is_default=True,
    )


@pytest.fixture
def product(producer):
    return OcopProductFactory(producer=producer, name="Chè Shan tuyết Suối Giàng", price=150000)


def decode_qr(image_bytes_or_image):
    """Every QR payload a real decoder (ZXing C++) finds in the image."""
    image = image_bytes_or_image
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return [result.text for result in zxingcpp.read_barcodes(image)]
