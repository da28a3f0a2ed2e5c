"""Product photos: refuse what is not a real, reasonably sized JPEG/PNG/WebP; normalise the rest.

Everything is decided before anything is stored, so a refused upload leaves no trace.
"""
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from common.exceptions import DomainError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 2048
SQUARE_MIN = 800
MIN_LONG_SIDE = 800
MIN_SHORT_SIDE = 300


class PhotoRejected(DomainError):
    code = "photo_rejected"


@dataclass(frozen=True)
class NormalisedPhoto:
    image: bytes
    square: bytes
    width: int
    height: int


def _open_checked(data):
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise PhotoRejected(_("Ảnh quá lớn: tối đa 10 MB."), code="photo_too_large")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise PhotoRejected(
                    _("Chỉ nhận ảnh JPEG, PNG hoặc WebP."), code="photo_format"
                )
            if image.width * image.height > settings.PHOTO_MAX_PIXELS:
                raise PhotoRejected(_("Ảnh có quá nhiều điểm ảnh."), code="photo_too_many_pixels")
            image.load()
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(_("Ảnh có quá nhiều điểm ảnh."), code="photo_too_many_pixels")
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise PhotoRejected(_("Tệp này không phải là ảnh hợp lệ."), code="photo_not_image")
    return image


def _flatten_to_rgb(image):
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def normalise_photo(data):
    """Apply EXIF orientation, drop metadata, bound to 2048 px, and make the marketplace square."""
    image = _open_checked(data)
    image = ImageOps.exif_transpose(image)
    if max(image.size) < MIN_LONG_SIDE or min(image.size) < MIN_SHORT_SIDE:
        raise PhotoRejected(
            _("Ảnh quá nhỏ: cạnh dài cần ít nhất %(long)s px và cạnh ngắn ít nhất %(short)s px.")
            % {"long": MIN_LONG_SIDE, "short": MIN_SHORT_SIDE},
            code="photo_too_small",
        )
    image = _flatten_to_rgb(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    side = max(SQUARE_MIN, max(image.size))
    square = Image.new("RGB", (side, side), "white")
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return NormalisedPhoto(image=_jpeg(image), square=_jpeg(square), width=image.width, height=image.height)
