"""QR images of a payload: error correction M, quiet zone of 4 modules (as the issue and ISO 18004 ask)."""
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4


def _qr(payload, *, box_size=10, image_factory=None):
    qr = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=box_size, border=QUIET_ZONE, image_factory=image_factory
    )
    qr.add_data(payload.encode("ascii"), optimize=0)
    qr.make(fit=True)
    return qr


def qr_image(payload, *, box_size=10):
    """A black-on-white PIL image (mode "1" upgraded to "RGB" so it pastes and saves anywhere)."""
    return _qr(payload, box_size=box_size).make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(payload, *, box_size=10):
    out = io.BytesIO()
    qr_image(payload, box_size=box_size).save(out, "PNG", optimize=True)
    return out.getvalue()


def qr_svg(payload, *, box_size=10):
    """A standalone SVG (one path, white background) that scales without blurring."""
    image = _qr(payload, box_size=box_size, image_factory=qrcode.image.svg.SvgPathFillImage).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
