import io
import json
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from payments.banks import casso, sepay
from payments.models import Bank, BankAccount, PaymentCode
from payments.services import banks_load
from tests.factories import OcopProductFactory
from tests.marketplace.fakes import lazada_fake, shopee_fake, tiki_fake  # noqa: F401  (pytest fixtures: order intake)
from tests.marketplace.order_fixtures import honey, lazada_account, shopee_account, tea  # noqa: F401


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


# --- Sales and bank notifications ---------------------------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "data" / "payments"
SEPAY_KEY = "sepay-test-api-key-3f9a"
SEPAY_SECRET = "sepay-test-hmac-secret-77c1"
CASSO_KEY = "casso-test-checksum-key-1b2e"


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def raw(data):
    return json.dumps(data, ensure_ascii=False).encode()


def sepay_hmac_headers(body, *, secret=SEPAY_SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "HTTP_X_SEPAY_TIMESTAMP": str(timestamp),
        "HTTP_X_SEPAY_SIGNATURE": "sha256=" + sepay.sepay_signature(secret, timestamp, body),
    }


def sepay_key_headers(key=SEPAY_KEY):
    return {"HTTP_AUTHORIZATION": f"Apikey {key}"}


def casso_headers(data, *, key=CASSO_KEY, timestamp_ms=None):
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    return {"HTTP_X_CASSO_SIGNATURE": f"t={timestamp_ms},v1={casso.casso_signature(key, timestamp_ms, data)}"}


@pytest.fixture
def webhook_secrets(settings):
    settings.SEPAY_API_KEY = SEPAY_KEY
    settings.SEPAY_HMAC_SECRET = SEPAY_SECRET
    settings.CASSO_CHECKSUM_KEY = CASSO_KEY
    return settings


@pytest.fixture
def static_code(product, account):
    """The code of the documented samples: "OCOP K7P2QX", static, into account 1234567890123."""
    return PaymentCode.objects.create(product=product, bank_account=account, reference="K7P2QX")


@pytest.fixture
def priced_code(product, account):
    return PaymentCode.objects.create(product=product, bank_account=account, reference="9HJ4MN", amount=300000)
