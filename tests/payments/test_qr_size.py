"""The QR image is as small as the bare qrcode library makes it, and still reads back (issue 8)."""
import io

import pytest
import qrcode
import zxingcpp
from PIL import Image

from payments.images import qr_image, qr_png
from payments.vietqr import build_payload

from .conftest import decode_qr

PAYLOADS = [
    build_payload(bank_bin="970436", account="0011004123456", amount=150001, purpose="OCOP TT000001"),
    build_payload(bank_bin="970405", account="9" * 19, amount=9_999_999_999_999, bill_number="B" * 25,
                  purpose="Chè Shan tuyết Suối Giàng"),
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_png_has_the_version_of_a_bare_qrcode_call_and_reads_back_at_level_m(payload):
    bare = qrcode.make(payload).get_image()

    png = qr_png(payload)

    image = Image.open(io.BytesIO(png))
    assert image.mode == "1"  # saved as drawn, no RGB copy
    assert image.size == bare.size  # same version, box 10, border 4
    assert decode_qr(png) == [payload]
    assert zxingcpp.read_barcodes(image.convert("L"))[0].ec_level == "M"


def test_a_typical_payment_fits_version_5():
    # 37 modules + 2 x 4 quiet zone, 10 px a module; the byte-only encoding needed version 6 (41).
    assert Image.open(io.BytesIO(qr_png(PAYLOADS[0]))).size == (450, 450)


def test_the_label_image_is_rgb_and_reads_back():
    image = qr_image(PAYLOADS[0], box_size=6)

    assert image.mode == "RGB"
    assert decode_qr(image) == [PAYLOADS[0]]


def test_a_payload_that_is_not_ascii_is_refused():
    with pytest.raises(ValueError):
        qr_png("00020101021238570010A000000727 Chè")
