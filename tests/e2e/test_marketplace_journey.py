"""A cooperative connects the sandbox shop, publishes three products at once and sees them live."""
import pytest

from listings.models import Listing
from producers.models import Membership
from tests.factories import OcopProductFactory, make_member

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Que-Van-Yen-2025"


def test_connect_sandbox_publish_three_products_and_see_them_live(phone):
    owner, producer = make_member(username="htxque", role=Membership.Role.OWNER)
    owner.set_password(PASSWORD)
    owner.save()
    names = ["Quế Văn Yên thanh", "Tinh dầu quế Văn Yên", "Trà quế túi lọc"]
    for name in names:
        OcopProductFactory(producer=producer, name=name)

    log_in(phone, "htxque", PASSWORD)
    phone.goto("/niem-yet/gian-hang/")
    form = phone.locator("[data-testid=connect-form]")
    form.locator("select[name=marketplace]").select_option("sandbox")
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-testid=shops]").inner_text().count("Sàn thử nghiệm") >= 1

    phone.goto("/niem-yet/dang-ban/")
    publish = phone.locator("[data-testid=publish-form]")
    for name in names:
        publish.get_by_label(name, exact=False).check()
    publish.locator("input[name=accounts]").first.check()
    publish.locator("button[type=submit]").click()
    phone.wait_for_load_state()

    phone.goto("/niem-yet/")
    page = phone.content()
    for name in names:
        assert name in page
    assert Listing.objects.filter(product__producer=producer, status=Listing.Status.LIVE).count() == 3
    assert phone.locator(".badge.live").count() >= 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
