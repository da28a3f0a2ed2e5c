"""Product photos: refuse what is not a real, reasonably sized JPEG/PNG/WebP; normalise the rest.

Everything is decided before anything is stored, so a refused upload leaves no trace.

Memory is bounded in three steps (the receipts of manual sales use the same `with_bounded_image`):
- the header alone decides: too many pixels is refused before any decode. A baseline JPEG may be
  as large as a phone's full-resolution mode (PHOTO_MAX_PIXELS, 64 MP) because it is decoded at
  1/2, 1/4 or 1/8 scale (`Image.draft`), never more than twice the target per side; PNG, WebP and
  progressive JPEG are decoded whole (libjpeg keeps a progressive image's coefficients at full size
  even when drafting), so they are held to PHOTO_MAX_PIXELS_FULL_DECODE (16.8 MP: a 16 MP camera,
  any phone or tablet screenshot);
- the decoded image is resized to the target a strip at a time (`_downscale_to_rgb`): no whole-size
  copy for flattening transparency or for the resize's passes;
- images are decoded and encoded on IMAGE_WORK_SLOTS threads of their own in a process, so
  parallel uploads queue instead of multiplying the peak (docs/benchmarks.md, `bench uploads`).
"""
import io
import math
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from common.exceptions import DomainError

ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # MPO: a phone JPEG carrying a second picture
DRAFTABLE_FORMATS = {"JPEG", "MPO"}
MAX_SIDE = 2048
SQUARE_MIN = 800
MIN_LONG_SIDE = 800
MIN_SHORT_SIDE = 300
ORIENTATION = 0x0112
STRIP = 128  # output rows resized at a time


class PhotoRejected(DomainError):
    code = "photo_rejected"


class ImagesBusy(PhotoRejected):
    code = "images_busy"
    status = 503


@dataclass(frozen=True)
class NormalisedPhoto:
    image: bytes
    square: bytes
    width: int
    height: int


_workers_lock = threading.Lock()
_workers = {}


def in_image_worker(function):
    """function() run on one of IMAGE_WORK_SLOTS threads kept for image work in this process, its
    result returned (its exception raised). Waits at most IMAGE_WORK_WAIT_SECONDS for a free thread,
    then refuses (503). Fixed threads also keep the peak down: the memory one image frees is reused
    by the next, where each request thread's malloc arena would keep its own."""
    size = max(1, int(settings.IMAGE_WORK_SLOTS))
    with _workers_lock:
        if size not in _workers:
            _workers[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="image-work")
    language = translation.get_language()

    def in_language():
        with translation.override(language):
            return function()

    future = _workers[size].submit(in_language)
    try:
        return future.result(timeout=settings.IMAGE_WORK_WAIT_SECONDS)
    except FutureTimeout:
        if future.cancel():
            raise ImagesBusy(_("Máy chủ đang bận xử lý ảnh. Hãy thử lại sau ít phút.")) from None
        return future.result()  # started in time: let it finish


def _grouped(number):
    return f"{number:,}".replace(",", ".")


def _too_many_pixels(image, *, drafted):
    values = {"width": _grouped(image.width), "height": _grouped(image.height)}
    if drafted:
        message = _("Ảnh quá lớn (%(width)s × %(height)s điểm ảnh). Hãy chụp lại hoặc giảm kích thước ảnh.")
    else:
        values["limit"] = f"{settings.PHOTO_MAX_PIXELS_FULL_DECODE / 1e6:.1f}".replace(".", ",")
        message = _("Ảnh quá lớn (%(width)s × %(height)s điểm ảnh; ảnh PNG, WebP tối đa %(limit)s triệu điểm "
                    "ảnh). Hãy chụp lại hoặc giảm kích thước ảnh, hoặc gửi ảnh JPEG.")
    return PhotoRejected(message % values, code="photo_too_many_pixels")


def _not_an_image():
    return PhotoRejected(_("Tệp này không phải là ảnh hợp lệ. Hãy gửi ảnh JPEG, PNG hoặc WebP."),
                         code="photo_not_image")


def file_too_large(size):
    return PhotoRejected(
        _("Tệp ảnh quá lớn (%(size)s MB; tối đa %(limit)s MB). Hãy chụp lại hoặc giảm kích thước ảnh.")
        % {"size": f"{size / 1024 / 1024:.1f}".replace(".", ","), "limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
        code="photo_too_large",
    )


def _open_header(data):
    """Reads the header only: format and size, no pixels."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise file_too_large(len(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoRejected(_("Ảnh có quá nhiều điểm ảnh. Hãy chụp lại hoặc giảm kích thước ảnh."),
                                code="photo_too_many_pixels") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise _not_an_image() from error
    if image.format not in ALLOWED_FORMATS:
        raise PhotoRejected(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."), code="photo_format")
    drafted = image.format in DRAFTABLE_FORMATS and not image.info.get("progressive")
    cap = settings.PHOTO_MAX_PIXELS if drafted else settings.PHOTO_MAX_PIXELS_FULL_DECODE
    if image.width * image.height > cap:
        raise _too_many_pixels(image, drafted=drafted)
    return image, drafted


def _fit(size, max_side):
    width, height = size
    scale = min(1, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _orientation(image):
    """From the EXIF block found in the header only: Pillow's `getexif()` on a PNG decodes the whole
    image to look for one after the pixels."""
    raw = image.info.get("exif")
    if not raw:
        return 1
    try:
        exif = Image.Exif()
        exif.load(raw)
        return exif.get(ORIENTATION, 1)
    except Exception:  # a broken EXIF block is ignored, like a missing one
        return 1


def _transpose(image, orientation):
    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(orientation)
    return image.transpose(method) if method is not None else image


def _flatten_to_rgb(image):
    """Transparent parts on white. `paste` takes the RGBA image itself as the mask: no band copied."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or image.has_transparency_data:
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image)
        return background
    return image.convert("RGB")


def _downscale_to_rgb(image, size):
    """`image` resized to `size` (Lanczos) and flattened to RGB, STRIP output rows at a time: besides
    the decoded image only the result and one strip are ever in memory, where Pillow's own resize
    would copy the whole image for its first pass (and once more to premultiply transparency).
    Each strip is cut with a margin wider than the filter reaches, so the seams do not show."""
    width, height = image.size
    if size == image.size:
        return _flatten_to_rgb(image)
    scale = height / size[1]
    margin = math.ceil(3 * max(scale, width / size[0])) + 2  # Lanczos reaches 3 source px per output px
    result = Image.new("RGB", size, "white")
    for top in range(0, size[1], STRIP):
        bottom = min(size[1], top + STRIP)
        first, last = top * scale, bottom * scale
        crop_top, crop_bottom = max(0, math.floor(first) - margin), min(height, math.ceil(last) + margin)
        piece = _flatten_to_rgb(image.crop((0, crop_top, width, crop_bottom)))
        result.paste(piece.resize((size[0], bottom - top), Image.Resampling.LANCZOS,
                                  box=(0, first - crop_top, width, last - crop_top)), (0, top))
    return result


def with_bounded_image(data, work, *, max_side=MAX_SIDE, check=None):
    """work(image) for the image in `data` as RGB, upright, at most `max_side` px, with no metadata.
    The header is checked first, without waiting: the format, the pixel caps, then
    `check(width, height)` (the upright size) may refuse before anything is decoded. Decoding and
    `work` run on an image worker (`in_image_worker`)."""
    image, drafted = _open_header(data)
    orientation = _orientation(image)
    upright = image.size[::-1] if orientation in (5, 6, 7, 8) else image.size
    if check is not None:
        check(*upright)
    target = _fit(image.size, max_side)
    pending = [image]
    del image

    def decode_then_work():
        try:
            source = pending.pop()
            if drafted:
                source.draft("RGB", target)
            source.load()
            result = _transpose(_downscale_to_rgb(source, target), orientation)
            del source  # the decoded original goes before the work makes anything
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise _not_an_image() from error
        return work(result)

    return in_image_worker(decode_then_work)


def _jpeg(image):
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def _check_not_too_small(width, height):
    if max(width, height) < MIN_LONG_SIDE or min(width, height) < MIN_SHORT_SIDE:
        raise PhotoRejected(
            _("Ảnh quá nhỏ: cạnh dài cần ít nhất %(long)s px và cạnh ngắn ít nhất %(short)s px.")
            % {"long": MIN_LONG_SIDE, "short": MIN_SHORT_SIDE},
            code="photo_too_small",
        )


def _normalised(image):
    side = max(SQUARE_MIN, max(image.size))
    square = Image.new("RGB", (side, side), "white")
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return NormalisedPhoto(image=_jpeg(image), square=_jpeg(square), width=image.width, height=image.height)


def normalise_photo(data):
    """Apply EXIF orientation, drop metadata, bound to 2048 px, and make the marketplace square."""
    return with_bounded_image(data, _normalised, max_side=MAX_SIDE, check=_check_not_too_small)
