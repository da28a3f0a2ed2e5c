"""MEDIA_S3_BUCKET: photos go to a private bucket (S3 or S3-compatible, here moto's in-process S3),
are read back from it for the marketplaces, and are shown through signed links."""
import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from config.settings import base
from listings.services import _images
from producers.services import photo_add
from tests.factories import OcopProductFactory, jpeg_bytes, make_member

pytestmark = pytest.mark.django_db

BUCKET = "ocop-media-test"


def test_without_a_bucket_uploads_stay_on_disk(monkeypatch):
    monkeypatch.delenv("MEDIA_S3_BUCKET", raising=False)
    assert base.media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


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


def test_photos_are_stored_in_the_bucket_and_read_back_for_the_marketplaces(s3_media):
    user, producer = make_member()
    product = OcopProductFactory(producer=producer)
    photo = photo_add(product=product, user=user, upload=SimpleUploadedFile("che.jpg", jpeg_bytes()))
    keys = sorted(item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([f"media/{photo.image.name}", f"media/{photo.square.name}"])
    stored = s3_media.get_object(Bucket=BUCKET, Key=f"media/{photo.square.name}")["Body"].read()
    assert stored[:3] == b"\xff\xd8\xff"  # the normalised JPEG
    # the connectors get the bytes from the bucket
    [image] = _images(product)
    assert image.content == stored
    # pages link to it with a signed, expiring URL, never a public one
    url = photo.square.url
    assert BUCKET in url and "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
