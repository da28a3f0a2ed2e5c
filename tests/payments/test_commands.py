import io
import json
import os

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from payments.models import PaymentCode
from tests.factories import OcopProductFactory

from .conftest import decode_qr

NAPAS_613 = ("00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN"
             "62340107NPS68690819thanh toan don hang63042E2E")


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_build_prints_the_payload_on_one_line():
    out = _run("vietqr", "build", "--bank", "970403", "--account", "0011012345678", "--amount", "180000",
               "--bill", "NPS6869", "--purpose", "thanh toán đơn hàng")
    assert out == NAPAS_613 + "\n"


def test_build_a_card_and_write_png_and_svg(tmp_path):
    png, svg = tmp_path / "qr.png", tmp_path / "qr.svg"
    out = _run("vietqr", "build", "--bank", "970403", "--account", "9704031101234567", "--card",
               "--png", str(png), "--svg", str(svg))
    payload = out.strip()
    assert payload == "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52"
    assert decode_qr(png.read_bytes()) == [payload]
    assert svg.read_bytes().lstrip().startswith(b"<?xml")


def test_parse_prints_json_with_every_field():
    data = json.loads(_run("vietqr", "parse", NAPAS_613))
    assert data == {
        "bank_bin": "970403", "account": "0011012345678", "service": "QRIBFTTA", "initiation": "dynamic",
        "amount": 180000, "bill_number": "NPS6869", "purpose": "thanh toan don hang", "crc": "2E2E",
        "crc_valid": True,
    }


def test_parse_wrong_crc_prints_json_then_fails():
    out = io.StringIO()
    with pytest.raises(CommandError, match="CRC là 2E2F nhưng nội dung cho ra 2E2E"):
        call_command("vietqr", "parse", NAPAS_613[:-4] + "2E2F", stdout=out)
    assert json.loads(out.getvalue())["crc_valid"] is False


@pytest.mark.parametrize("payload, message", [
    ("hello", "không hợp lệ"),
    ("00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5", "38-01"),
    (NAPAS_613[:50], "chỉ còn"),
])
def test_parse_malformed_exits_with_a_message(payload, message):
    with pytest.raises(CommandError, match=message):
        call_command("vietqr", "parse", payload, stdout=io.StringIO())


@pytest.mark.parametrize("args, message", [
    (["--bank", "9704", "--account", "1"], "6 chữ số"),
    (["--bank", "970436", "--account", "1", "--amount", "0"], "lớn hơn 0"),
    (["--bank", "970436", "--account", "1", "--purpose", "x" * 26], "tối đa 25"),
])
def test_build_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("vietqr", "build", *args, stdout=io.StringIO())


def test_process_exit_code_is_non_zero_on_malformed_input():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "vietqr", "parse", "0002010102"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode != 0 and "không hợp lệ" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("layout, pages", [("a4-stickers", 1), ("a6", 2)])
def test_print_labels_writes_a_pdf(tmp_path, product, account, layout, pages):
    second = OcopProductFactory(producer=product.producer, name="Mật ong bạc hà Mèo Vạc", price=250000)
    out_file = tmp_path / "nhan.pdf"
    message = _run("print_labels", "--products", f"{product.pk},{second.pk}", "--layout", layout,
                   "--out", str(out_file))
    assert "2 nhãn" in message
    reader = PdfReader(str(out_file))
    assert len(reader.pages) == pages
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Chè Shan tuyết" in text and "150.000 ₫" in text and "Mật ong bạc hà" in text and "250.000 ₫" in text
    codes = PaymentCode.objects.filter(product__in=[product, second])
    assert codes.count() == 2 and all(code.amount is None for code in codes)
    decoded = {p for page in reader.pages for image in page.images for p in decode_qr(image.image)}
    assert decoded == {code.payload for code in codes}
    # printing again reuses the codes
    _run("print_labels", "--products", f"{product.pk},{second.pk}", "--layout", layout, "--out", str(out_file))
    assert PaymentCode.objects.filter(product__in=[product, second]).count() == 2


@pytest.mark.django_db
def test_print_labels_with_price_makes_dynamic_codes(tmp_path, product, account):
    _run("print_labels", "--products", str(product.pk), "--with-price", "--out", str(tmp_path / "x.pdf"))
    assert PaymentCode.objects.get(product=product).amount == 150000


@pytest.mark.django_db
@pytest.mark.parametrize("products, message", [("abc", "danh sách"), ("999999", "Không tìm thấy sản phẩm: 999999"),
                                               (",", "Chưa chọn")])
def test_print_labels_refuses_bad_product_lists(tmp_path, products, message):
    with pytest.raises(CommandError, match=message):
        call_command("print_labels", "--products", products, "--out", str(tmp_path / "x.pdf"), stdout=io.StringIO())


@pytest.mark.django_db
def test_print_labels_without_bank_account_says_so(tmp_path, product):
    with pytest.raises(CommandError, match="chưa có tài khoản ngân hàng"):
        call_command("print_labels", "--products", str(product.pk), "--out", str(tmp_path / "x.pdf"),
                     stdout=io.StringIO())
