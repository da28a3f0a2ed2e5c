import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from listings import services
from producers.services import photo_add
from tests.factories import OcopProductFactory, jpeg_bytes
from tests.marketplace.fakes import lazada_fake, shopee_fake  # noqa: F401  (pytest fixtures)
from tests.marketplace.order_fixtures import honey, shopee_account, tea  # noqa: F401  (pytest fixtures)


@pytest.fixture
def product(producer):
    return OcopProductFactory(producer=producer, name="Chè Shan tuyết Tà Xùa", price=180000)


@pytest.fixture
def product_with_photo(product, owner, settings, tmp_path):
    # A private media directory: other test runs may clean the shared one meanwhile.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    photo_add(product=product, user=owner, upload=SimpleUploadedFile("che.jpg", jpeg_bytes(), "image/jpeg"))
    return product


@pytest.fixture
def sandbox_account(owner, producer):
    return services.account_connect(producer=producer, user=owner, marketplace="sandbox")


@pytest.fixture
def listing(product, sandbox_account, owner):
    return services.listing_create(product=product, account=sandbox_account, user=owner)

