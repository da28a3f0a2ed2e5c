import io
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile
from rest_framework.test import APIClient

from producers import photos
from producers.models import ProductPhoto
from producers.photos import PhotoRejected, normalise_photo
from producers.services import photo_add
from tests.factories import OcopProductFactory, jpeg_bytes, make_member, solid_png_bytes

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


# --- Memory: refuse from the header, decode at reduced size, a few at a time -----------------------

@pytest.fixture
def decodes(monkeypatch):
    """Every full decode Pillow is asked for: (format, size at the time, progressive)."""
    calls = []
    original = ImageFile.ImageFile.load

    def spy(image):
        if image.tile:  # not yet decoded
            calls.append((image.format, image.size))
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def test_a_6300_square_png_is_refused_from_its_header_before_any_decode(decodes):
    # given the file a real user sent: a small PNG (~130 KB) of 6,300 × 6,300 pixels, 160 MB decoded
    data = solid_png_bytes(6300, 6300)
    assert len(data) < 200_000
    # when it is normalised
    with pytest.raises(PhotoRejected) as error:
        normalise_photo(data)
    # then it is refused with what to do, and Pillow was never asked to decode it
    assert error.value.code == "photo_too_many_pixels"
    assert "6.300 × 6.300 điểm ảnh" in error.value.message
    assert "Hãy chụp lại hoặc giảm kích thước ảnh" in error.value.message
    assert decodes == []


def test_the_api_refuses_it_with_the_json_error_shape(settings):
    user, producer = make_member()
    product = OcopProductFactory(producer=producer)
    api = APIClient()
    api.force_authenticate(user)
    upload = SimpleUploadedFile("man-hinh.png", solid_png_bytes(6300, 6300), content_type="image/png")
    response = api.post(f"/api/products/{product.pk}/photos/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "photo_too_many_pixels"
    assert "6.300 × 6.300" in body["message"] and "giảm kích thước" in body["message"]
    assert not ProductPhoto.objects.exists()


@pytest.fixture(scope="module")
def phone_50mp_jpeg():
    """What a 50 MP phone camera writes in full-resolution mode: 8160 × 6144, baseline JPEG."""
    image = Image.new("RGB", (8160, 6144), (90, 140, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_a_50mp_phone_jpeg_is_accepted_and_decoded_at_reduced_size(decodes, phone_50mp_jpeg):
    result = normalise_photo(phone_50mp_jpeg)
    assert (result.width, result.height) == (2048, 1542)
    # JPEG's own scaled decoding (Image.draft): never more than twice the 2048 px target per side
    [(kind, size)] = decodes
    assert kind == "JPEG" and max(size) <= 2 * photos.MAX_SIDE and size == (4080, 3072)


@pytest.mark.parametrize("width, height", [(4624, 3472), (1290, 2796), (1440, 3120)],
                         ids=["16 MP camera PNG", "iPhone screenshot", "Android screenshot"])
def test_what_phones_make_as_png_is_accepted(width, height):
    result = normalise_photo(solid_png_bytes(width, height))
    assert max(result.width, result.height) == min(2048, max(width, height))


def test_a_progressive_jpeg_is_held_to_the_full_decode_cap():
    # libjpeg keeps a progressive image's coefficients at full size even when drafting
    image = Image.new("RGB", (6000, 4000), (90, 140, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", progressive=True)
    with pytest.raises(PhotoRejected) as error:
        normalise_photo(out.getvalue())
    assert error.value.code == "photo_too_many_pixels" and "6.000 × 4.000" in error.value.message


@pytest.mark.parametrize("data", [jpeg_bytes(1600, 1200), solid_png_bytes(1600, 1200)], ids=["JPEG", "PNG"])
def test_four_uploads_at_once_decode_at_most_two_at_a_time(settings, monkeypatch, data):
    settings.IMAGE_WORK_SLOTS = 2
    running, peak, lock, threads_used = [0], [0], threading.Lock(), set()
    original = ImageFile.ImageFile.load

    def slow_load(image):
        if not image.tile:
            return original(image)
        threads_used.add(threading.current_thread().name.split("_")[0])
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.2)
        try:
            return original(image)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", slow_load)
    results = []
    threads = [threading.Thread(target=lambda: results.append(normalise_photo(data))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and peak[0] == 2
    assert threads_used == {"image-work"}  # nothing decoded in the request's own thread


def test_when_every_slot_stays_busy_the_upload_is_refused_with_a_retry_message(settings):
    settings.IMAGE_WORK_SLOTS = 1
    settings.IMAGE_WORK_WAIT_SECONDS = 0.1
    release = threading.Event()
    busy = threading.Thread(target=photos.in_image_worker, args=(lambda: release.wait(5),))
    busy.start()
    try:
        time.sleep(0.05)
        with pytest.raises(PhotoRejected) as error:
            normalise_photo(jpeg_bytes(1600, 1200))
    finally:
        release.set()
        busy.join()
    assert error.value.code == "images_busy" and error.value.status == 503
    assert "thử lại" in error.value.message


def test_resizing_a_strip_at_a_time_leaves_no_seam():
    # given a detailed, partly transparent image
    noise = Image.effect_noise((3000, 2250), 60)
    image = Image.merge("RGB", [noise, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                noise.transpose(Image.Transpose.FLIP_TOP_BOTTOM)]).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize(image.size))
    # when it is flattened and resized strip by strip
    ours = photos._downscale_to_rgb(image, (1024, 768))
    # then it is exactly what Pillow makes from the whole image at once
    whole = Image.new("RGB", image.size, "white")
    whole.paste(image, mask=image)
    assert ours.tobytes() == whole.resize((1024, 768), Image.Resampling.LANCZOS).tobytes()


def test_a_phone_jpeg_with_a_second_picture_mpo_is_accepted():
    # Samsung and other phones append a preview picture (MPO); Pillow calls the format "MPO"
    out = io.BytesIO()
    first, second = Image.new("RGB", (1600, 1200), (200, 30, 30)), Image.new("RGB", (320, 240), (0, 0, 200))
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    result = normalise_photo(out.getvalue())
    assert (result.width, result.height) == (1600, 1200)
    assert Image.open(io.BytesIO(result.image)).getpixel((10, 10))[0] > 150  # the first picture
