"""QR images of a payload: error correction M, quiet zone of 4 modules (as the issue and ISO 18004 ask).

The payload is split into numeric, alphanumeric and byte segments the way `qrcode.make` does (ISO
18004 mixed modes, read by every decoder): a VietQR payload is mostly digits, so it fits a smaller
version (5 instead of 6 for a typical one), whose modules print larger on a label of the same size.
"""
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4


def _qr(payload, *, box_size=10, image_factory=None):
    if not payload.isascii():
        raise ValueError("a VietQR payload is ASCII")
    qr = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE, image_factory=image_factory
    )
    qr.add_data(payload)
    qr.make(fit=True)
    return qr


def _bitmap(payload, *, box_size):
    """The black-on-white 1-bit PIL image qrcode draws."""
    return _qr(payload, box_size=box_size).make_image(fill_color="black", back_color="white").get_image()


def qr_image(payload, *, box_size=10):
    """A black-on-white PIL image (mode "1" upgraded to "RGB" so it pastes and saves anywhere)."""
    return _bitmap(payload, box_size=box_size).convert("RGB")


def qr_png(payload, *, box_size=10):
    """A 1-bit PNG, saved as it is drawn: converting it to RGB or optimising it costs more than half
    the time and makes the file larger (2.5 kB against 1 kB)."""
    out = io.BytesIO()
    _bitmap(payload, box_size=box_size).save(out, "PNG")
    return out.getvalue()


def qr_svg(payload, *, box_size=10):
    """A standalone SVG (one path, white background) that scales without blurring."""
    image = _qr(payload, box_size=box_size, image_factory=qrcode.image.svg.SvgPathFillImage).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
