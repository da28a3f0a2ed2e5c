"""Receipts of manual sales (payments/evidence.py): images re-encoded without metadata and within the
photos' memory bounds, PDFs refused when they could run or carry something, always served as a
download."""
import io
import struct
import zlib
from datetime import timedelta

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto import mock_aws
from PIL import Image, ImageFile, PngImagePlugin
from pypdf import PdfWriter

from common.exceptions import DomainError
from config.settings import base
from payments import services
from payments.models import Transaction
from tests.factories import jpeg_bytes, pdf_bytes, solid_png_bytes

pytestmark = pytest.mark.django_db

GPS = 0x8825


def _sale(owner, product, upload):
    return services.manual_sale_create(user=owner, product=product, quantity=1, amount=150000,
                                       occurred_at=timezone.now() - timedelta(days=1), evidence=upload)


def _stored(sale):
    with sale.evidence.open("rb") as stored:
        return stored.read()


def _receipt_photo_with_gps():
    """A phone photo of a paper receipt: stored landscape with "rotate 90°", the camera and where
    it was taken in its EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Samsung"
    exif[GPS] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 7.0)}
    out = io.BytesIO()
    Image.new("RGB", (1600, 1000), (240, 240, 230)).save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS)  # the GPS really is there
    return data


# --- Images --------------------------------------------------------------------------------------

def test_a_receipt_photo_loses_its_exif_and_gps_and_is_stored_upright(owner, product):
    sale = _sale(owner, product, SimpleUploadedFile("hoa-don.jpg", _receipt_photo_with_gps()))
    stored = _stored(sale)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and sale.evidence.name.endswith(".jpg")
    assert image.size == (1000, 1600)  # orientation applied
    assert not image.getexif() and b"Exif" not in stored and b"Samsung" not in stored


def test_a_receipt_screenshot_loses_its_png_text_and_exif(owner, product):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Vị trí 21.0283, 105.8542")
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"
    out = io.BytesIO()
    Image.new("RGB", (1080, 2400), (255, 255, 255)).save(out, "PNG", pnginfo=info, exif=exif)
    sale = _sale(owner, product, SimpleUploadedFile("chuyen-khoan.png", out.getvalue()))
    stored = _stored(sale)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "PNG" and sale.evidence.name.endswith(".png")
    assert not image.text and not image.getexif()
    assert b"tEXt" not in stored and b"eXIf" not in stored and b"Xiaomi" not in stored


def test_a_6300_square_png_receipt_is_refused_before_any_decode(owner, product, monkeypatch):
    decoded = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or original(image))
    with pytest.raises(DomainError) as error:
        _sale(owner, product, SimpleUploadedFile("r.png", solid_png_bytes(6300, 6300)))
    assert error.value.code == "photo_too_many_pixels" and "6.300 × 6.300" in error.value.message
    assert error.value.fields == {"evidence": [error.value.message]}
    assert decoded == [] and not Transaction.objects.exists()


def test_a_large_phone_jpeg_receipt_is_accepted_at_a_bounded_size(owner, product):
    sale = _sale(owner, product, SimpleUploadedFile("r.jpg", jpeg_bytes(6000, 4500)))
    image = Image.open(io.BytesIO(_stored(sale)))
    assert max(image.size) <= 2560


# --- PDFs ----------------------------------------------------------------------------------------

def _pdf(catalog=b"", page=b"", extra=()):
    """A one-page PDF written by hand (classic cross-reference table), with `catalog` and `page`
    added to those dictionaries and `extra` objects numbered from 4."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b" >>", *extra]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_with_object_stream(catalog=b""):
    """The same page with its three objects compressed inside an object stream (PDF 1.5), found
    through a compressed cross-reference stream: nothing of the catalog is readable in the bytes."""
    inner = [b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
             b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    body, offsets = b"", []
    for obj in inner:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(b"%d %d" % (n, offset) for n, offset in enumerate(offsets, 1)) + b"\n"
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += (b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(header), len(packed)) + packed + b"\nendstream\nendobj\n")
    xref_at = len(out)
    rows = [(0, 0, 65535), (2, 4, 0), (2, 4, 1), (2, 4, 2), (1, stream_at, 0), (1, xref_at, 0)]
    table = zlib.compress(b"".join(struct.pack(">BIH", *row) for row in rows))
    out += (b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % len(table) + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


LINK = b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A %s >>]"
DANGEROUS = {
    "JavaScript name tree": _pdf(catalog=b"/Names << /JavaScript << /Names [] >> >>"),
    "JS in a link": _pdf(page=LINK % b"<< /JS (app.alert(1)) >>"),
    "OpenAction": _pdf(catalog=b"/OpenAction [3 0 R /Fit]"),
    "AA on the page": _pdf(page=b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >>"),
    "Launch": _pdf(page=LINK % b"<< /S /Launch /F (calc.exe) >>"),
    "EmbeddedFiles name tree": _pdf(catalog=b"/Names << /EmbeddedFiles << /Names [] >> >>"),
    "EmbeddedFile stream": _pdf(
        page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] "
             b"/FS << /Type /Filespec /F (a.exe) /EF << /F 4 0 R >> >> >>]",
        extra=[b"<< /Type /EmbeddedFile /Length 5 >>\nstream\nMZ\x90\x00\x03\nendstream"]),
    "OpenAction spelt with #41": _pdf(catalog=b"/Open#41ction [3 0 R /Fit]"),
    "OpenAction inside an object stream": _pdf_with_object_stream(
        catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
}


def test_the_hand_written_pdfs_are_real_pdfs():
    # the builders make what readers accept, so a refusal below is for the construct, not the syntax
    from pypdf import PdfReader

    for data in (_pdf(), _pdf_with_object_stream(), *DANGEROUS.values()):
        assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert b"OpenAction" not in DANGEROUS["OpenAction inside an object stream"]


@pytest.mark.parametrize("data", DANGEROUS.values(), ids=DANGEROUS.keys())
def test_a_pdf_that_could_run_or_carry_something_is_refused(owner, product, data):
    with pytest.raises(DomainError) as error:
        _sale(owner, product, SimpleUploadedFile("hoa-don.pdf", data))
    assert error.value.code == "evidence_pdf_active"
    assert "evidence" in error.value.fields and "in hóa đơn ra PDF" in error.value.message
    assert not Transaction.objects.exists()


def _encrypted_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [b"%PDF-1.4\n%%EOF\n", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", _encrypted_pdf()],
                         ids=["empty", "truncated", "encrypted"])
def test_an_unreadable_or_encrypted_pdf_is_refused(owner, product, data):
    with pytest.raises(DomainError) as error:
        _sale(owner, product, SimpleUploadedFile("hoa-don.pdf", data))
    assert error.value.code in ("evidence_pdf_unreadable", "evidence_pdf_encrypted")
    assert "evidence" in error.value.fields
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("data", [pdf_bytes(), _pdf(), _pdf_with_object_stream()],
                         ids=["pypdf", "classic xref", "object stream"])
def test_a_plain_pdf_is_kept_as_uploaded(owner, product, data):
    sale = _sale(owner, product, SimpleUploadedFile("hoa-don.pdf", data))
    assert sale.evidence.name.endswith(".pdf") and _stored(sale) == data


# --- Serving -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, content_type", [
    ("r.jpg", jpeg_bytes(300, 300), "image/jpeg"),
    ("r.png", jpeg_bytes(300, 300, fmt="PNG"), "image/png"),
    ("r.pdf", pdf_bytes(), "application/pdf"),
])
def test_evidence_is_served_as_an_attachment_with_nosniff(client, owner, product, name, data, content_type):
    sale = _sale(owner, product, SimpleUploadedFile(name, data))
    client.force_login(owner)
    response = client.get(reverse("payments:transaction_evidence", args=[sale.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"  # even if rendered, nothing runs
    assert b"".join(response.streaming_content) == _stored(sale)


def test_a_receipt_stored_before_the_checks_is_a_plain_download(client, owner, product):
    # given a file kept as uploaded by an older version, with a name a browser would render
    sale = _sale(owner, product, None)
    sale.evidence.save("cu.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"))
    client.force_login(owner)
    response = client.get(reverse("payments:transaction_evidence", args=[sale.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


BUCKET = "ocop-media-test"


@pytest.fixture
def s3_media(settings, monkeypatch):
    for name, value in {"MEDIA_S3_BUCKET": BUCKET, "MEDIA_S3_REGION": "ap-southeast-1",
                        "MEDIA_S3_ACCESS_KEY": "test-access", "MEDIA_S3_SECRET_KEY": "test-secret"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-southeast-1", aws_access_key_id="test-access",
                          aws_secret_access_key="test-secret")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
        settings.STORAGES = {**settings.STORAGES, "default": base.media_storage()}
        yield s3


@pytest.mark.parametrize("name, data, content_type", [
    ("r.jpg", jpeg_bytes(300, 300), "image/jpeg"), ("r.pdf", pdf_bytes(), "application/pdf"),
])
def test_in_a_bucket_even_a_signed_link_downloads_the_receipt(s3_media, client, owner, product, name, data,
                                                              content_type):
    sale = _sale(owner, product, SimpleUploadedFile(name, data))
    # the object itself says "download" (the admin links to it with a signed URL)
    head = s3_media.head_object(Bucket=BUCKET, Key=f"media/{sale.evidence.name}")
    assert head["ContentDisposition"] == "attachment" and head["ContentType"] == content_type
    assert "X-Amz-Signature=" in sale.evidence.url
    # and the portal streams it from the bucket as an attachment
    client.force_login(owner)
    response = client.get(reverse("payments:transaction_evidence", args=[sale.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == _stored(sale)
