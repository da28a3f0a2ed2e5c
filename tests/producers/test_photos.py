import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from producers.models import ProductPhoto
from producers.photos import PhotoRejected, normalise_photo
from producers.services import photo_add
from tests.factories import OcopProductFactory, jpeg_bytes, make_member

pytestmark = pytest.mark.django_db


def _with_orientation(width, height, orientation):
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker that should be stripped"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_exif_orientation_applied_then_stripped():
    # A phone photo stored landscape with "rotate 90°" in its EXIF is shown portrait.
    result = normalise_photo(_with_orientation(1600, 1000, 6))
    image = Image.open(io.BytesIO(result.image))
    assert (image.width, image.height) == (1000, 1600)
    assert not image.getexif()


def test_large_photo_bounded_to_2048_and_square_at_least_800():
    result = normalise_photo(jpeg_bytes(4000, 3000))
    assert (result.width, result.height) == (2048, 1536)
    square = Image.open(io.BytesIO(result.square))
    assert square.width == square.height == 2048


def test_small_photo_gets_an_800_square():
    result = normalise_photo(jpeg_bytes(900, 400, fmt="PNG"))
    square = Image.open(io.BytesIO(result.square))
    assert square.size == (900, 900)
    assert square.getpixel((0, 0)) == (255, 255, 255)


@pytest.mark.parametrize(
    "data, code",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "photo_not_image"),
        (b"<html><body>not an image</body></html>", "photo_not_image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "photo_not_image"),
        (jpeg_bytes(400, 300), "photo_too_small"),
        (jpeg_bytes(900, 900, fmt="GIF"), "photo_format"),
        (jpeg_bytes(900, 900, fmt="BMP"), "photo_format"),
    ],
)
def test_bad_uploads_refused(data, code):
    with pytest.raises(PhotoRejected) as error:
        normalise_photo(data)
    assert error.value.code == code


def test_decompression_bomb_refused(settings):
    settings.PHOTO_MAX_PIXELS = 40_000_000
    # A tiny PNG claiming 20000 × 20000 pixels: refused before decoding.
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG", optimize=True)
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(PhotoRejected) as error:
        normalise_photo(bomb.getvalue())
    assert error.value.code == "photo_too_many_pixels"


def test_oversized_file_refused_and_nothing_stored(settings):
    user, producer = make_member()
    product = OcopProductFactory(producer=producer)
    upload = SimpleUploadedFile("big.jpg", b"\xff" * (settings.PHOTO_MAX_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(PhotoRejected):
        photo_add(product=product, user=user, upload=upload)
    assert not ProductPhoto.objects.exists()


def test_at_most_nine_photos():
    user, producer = make_member()
    product = OcopProductFactory(producer=producer)
    for n in range(9):
        photo_add(product=product, user=user, upload=SimpleUploadedFile(f"{n}.jpg", jpeg_bytes()))
    with pytest.raises(Exception) as error:
        photo_add(product=product, user=user, upload=SimpleUploadedFile("10.jpg", jpeg_bytes()))
    assert error.value.code == "too_many_photos"
    assert product.photos.count() == 9
