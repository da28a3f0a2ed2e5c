"""Receipts of manual sales (the "chứng từ"): validated, sanitised, then stored; served only as a
download.

- Images (JPEG, PNG, WebP) are decoded within the product photos' memory bounds
  (`producers.photos.with_bounded_image`: pixel caps from the header, scaled JPEG decoding, a few at a
  time) and written anew, upright, with no EXIF, GPS or text chunks: a phone photo of a paper
  receipt says where it was taken.
- PDFs are kept as uploaded once pypdf has read every object (object streams included) and found
  nothing that runs or carries a file: JavaScript, an open action, additional actions, a launch
  action, embedded files, XFA forms, rich media. Encrypted or unreadable ones are refused.
- Served with `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and a type from
  our own list; in a bucket the object itself is stored as an attachment (common.storage).
"""
import io
import re
import uuid

from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from common.exceptions import DomainError
from producers.photos import PhotoRejected, in_image_worker, with_bounded_image

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2560  # small print on a long receipt stays legible
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf", "webp": "image/webp"}
ACTIVE_NAMES = frozenset({
    "/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia",
})
_STREAM_BODY = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.DOTALL)
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _refused(message, code):
    return DomainError(message, code=code, fields={"evidence": [message]})


def _wrong_kind():
    return _refused(_("Chứng từ phải là ảnh (JPG, PNG, WebP) hoặc tệp PDF."), "evidence_format")


def _read(upload):
    too_large = _refused(_("Tệp chứng từ quá lớn: tối đa 10 MB. Hãy chụp lại hoặc giảm kích thước tệp."),
                         "evidence_too_large")
    if (getattr(upload, "size", None) or 0) > MAX_BYTES:
        raise too_large
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large
    return data


def _image(data):
    try:
        kind = Image.open(io.BytesIO(data)).format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    extension = "jpg" if kind in ("JPEG", "MPO") else "png"  # screenshots of a transfer stay sharp as PNG

    def encode(image):
        out = io.BytesIO()
        if extension == "jpg":
            image.save(out, "JPEG", quality=90, optimize=True)
        else:
            image.save(out, "PNG")
        return out.getvalue()

    try:
        return with_bounded_image(data, encode, max_side=MAX_SIDE), extension
    except PhotoRejected as error:
        if error.code in ("photo_format", "photo_not_image"):
            raise _wrong_kind() from error
        raise _refused(error.message, error.code) from error


def _unescaped(name):
    return "/" + _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name).decode("latin-1")


def _active_in_bytes(data):
    """Names written in the open anywhere in the file, even in an object no cross-reference lists."""
    for match in _NAME.finditer(_STREAM_BODY.sub(b"stream endstream", data)):
        if _unescaped(match.group(1)) in ACTIVE_NAMES:
            return True
    return False


def _objects(reader):
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def _active_in_objects(reader):
    """Every object the cross-references list (object streams included), every key and name value,
    nested dictionaries and arrays followed; references are visited as their own objects."""
    for obj in _objects(reader):
        stack = [obj]
        while stack:
            item = stack.pop()
            if isinstance(item, DictionaryObject):
                for key, value in item.items():
                    if key in ACTIVE_NAMES:
                        return True
                    stack.append(value)
            elif isinstance(item, ArrayObject):
                stack.extend(item)
            elif isinstance(item, NameObject) and item in ACTIVE_NAMES:
                return True
    return False


def _check_pdf(data):
    unreadable = _refused(_("Không đọc được tệp PDF này. Hãy in hóa đơn ra PDF lại hoặc chụp ảnh hóa đơn."),
                          "evidence_pdf_unreadable")
    active = _refused(
        _("Tệp PDF này chứa mã chạy tự động hoặc tệp đính kèm nên không được nhận. Hãy in hóa đơn ra PDF "
          "(In → Lưu dưới dạng PDF) hoặc chụp ảnh hóa đơn rồi gửi lại."), "evidence_pdf_active")
    if _active_in_bytes(data):
        raise active

    def parse():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refused(_("Tệp PDF có mật khẩu hoặc bị mã hóa. Hãy gửi bản không đặt mật khẩu."),
                               "evidence_pdf_encrypted")
            if len(reader.pages) < 1:
                raise unreadable
            return _active_in_objects(reader)
        except DomainError:
            raise
        except Exception as error:  # a hostile file can break the parser in any way: refused, not a 500
            raise unreadable from error

    found = in_image_worker(parse)  # the same few threads: parsing can take memory too
    if found:
        raise active


def sanitised(upload):
    """The receipt to store, as a ContentFile with a fresh name, or DomainError (fields["evidence"]).
    Called before the sale's database transaction: a refused file leaves no trace."""
    data = _read(upload)
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        content, extension = data, "pdf"
    else:
        content, extension = _image(data)
    return ContentFile(content, name=f"{uuid.uuid4().hex}.{extension}")


def download_response(field_file):
    """Receipts are personal data and may be a PDF: always a download, never rendered by the browser
    on our origin."""
    name = field_file.name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=name,
                            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=600"
    return response
