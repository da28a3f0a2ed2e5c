import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from common.exceptions import DomainError
from payments.images import qr_png, qr_svg
from payments.labels import Label, render_codes, render_labels
from payments.services import payment_code_create
from payments.vietqr import build_payload
from tests.factories import OcopProductFactory

from .conftest import decode_qr

PAYLOADS = [
    build_payload(bank_bin="970436", account="1234567890123"),
    build_payload(bank_bin="970403", account="9704031101234567", is_card=True, amount=180000, bill_number="NPS6869",
                  purpose="thanh toan don hang"),
    build_payload(bank_bin="970405", account="9" * 19, amount=9_999_999_999_999, bill_number="B" * 25,
                  purpose="Chè Shan tuyết Suối Giàng"),
]


def _svg_to_image(svg_bytes, scale=8):
    """Rasterises the one-path SVG qrcode writes (unit squares 'Mx,yHx+1Vy+1Hxz') for the decoder."""
    root = ET.fromstring(svg_bytes)
    size = float(root.get("viewBox").split()[2])
    image = Image.new("L", (int(size * scale), int(size * scale)), 255)
    draw = ImageDraw.Draw(image)
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    for x, y in re.findall(r"M([\d.]+),([\d.]+)H", path):
        x, y = float(x) * scale, float(y) * scale
        draw.rectangle([x, y, x + scale - 1, y + scale - 1], fill=0)
    return image


@pytest.mark.parametrize("payload", PAYLOADS)
def test_png_decodes_back_to_its_payload(payload):
    png = qr_png(payload)
    assert png.startswith(b"\x89PNG")
    assert decode_qr(png) == [payload]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_svg_decodes_back_to_its_payload(payload):
    svg = qr_svg(payload)
    assert b"<svg" in svg
    assert decode_qr(_svg_to_image(svg)) == [payload]


def test_png_has_a_quiet_zone_of_four_modules_and_level_m():
    import zxingcpp

    png = qr_png(PAYLOADS[0], box_size=10)
    image = Image.open(io.BytesIO(png)).convert("L")
    # the first 4 modules (40 px) of every side are white
    assert image.crop((0, 0, image.width, 40)).getextrema() == (255, 255)
    assert image.crop((0, 0, 40, image.height)).getextrema() == (255, 255)
    assert image.getpixel((40, 40)) == 0  # the finder pattern starts right after
    assert zxingcpp.read_barcodes(image)[0].ec_level == "M"


def _label(**overrides):
    values = dict(
        product_name="Chè Shan tuyết Suối Giàng", price=150000, producer_name="HTX Chè Suối Giàng",
        bank_short_name="Vietcombank", account_number="1234567890123", holder_name="NGUYEN THI HOA",
        is_card=False, reference="K7P2QX", payload=PAYLOADS[0],
    )
    values.update(overrides)
    return Label(**values)


@pytest.mark.parametrize("layout, pages", [("a6", 3), ("a4-stickers", 1)])
def test_labels_print_vietnamese_text_and_a_readable_qr(layout, pages):
    labels = [_label(payload=payload) for payload in PAYLOADS]
    reader = PdfReader(io.BytesIO(render_labels(labels, layout=layout)))
    assert len(reader.pages) == pages
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Chè Shan tuyết", "150.000 ₫", "HTX Chè Suối Giàng", "Vietcombank", "1234567890123",
                     "NGUYEN THI HOA"):
        assert expected in text
    decoded = {payload for page in reader.pages for image in page.images for payload in decode_qr(image.image)}
    assert decoded == set(PAYLOADS)


def test_pdf_embeds_the_dejavu_font():
    reader = PdfReader(io.BytesIO(render_labels([_label()], layout="a6")))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [font.get_object()["/FontDescriptor"].get_object() for font in fonts.values()
                   if "/FontDescriptor" in font.get_object()]
    assert any("DejaVuSans" in str(d["/FontName"]) and "/FontFile2" in d for d in descriptors)


def test_a4_sheet_takes_24_stickers_a_page():
    reader = PdfReader(io.BytesIO(render_labels([_label()] * 25, layout="a4-stickers")))
    assert len(reader.pages) == 2
    assert reader.pages[0].extract_text().count("K7P2QX") == 24
    assert reader.pages[1].extract_text().count("K7P2QX") == 1


def test_long_names_are_cut_not_overflowing():
    name = "Chè Shan tuyết cổ thụ Suối Giàng thượng hạng đóng hộp thiếc quà biếu Tết " * 3
    text = PdfReader(io.BytesIO(render_labels([_label(product_name=name)], layout="a4-stickers"))).pages[0].extract_text()
    assert "…" in text and "Chè Shan tuyết" in text


@pytest.mark.parametrize("layout, labels", [("a5", [_label()]), ("a6", [])])
def test_bad_layout_or_nothing_to_print_is_refused(layout, labels):
    with pytest.raises(DomainError):
        render_labels(labels, layout=layout)


@pytest.mark.django_db
def test_codes_render_with_their_product_and_account(owner, product, account):
    code = payment_code_create(user=owner, product=product, amount=150000)
    other = payment_code_create(user=owner, product=OcopProductFactory(producer=product.producer, price=95000))
    reader = PdfReader(io.BytesIO(render_codes([code, other], layout="a4-stickers")))
    text = reader.pages[0].extract_text()
    assert "Chè Shan tuyết" in text and "150.000 ₫" in text and "95.000 ₫" in text
    assert code.reference in text and "NGUYEN THI HOA" in text
    decoded = {payload for image in reader.pages[0].images for payload in decode_qr(image.image)}
    assert decoded == {code.payload, other.payload}
