"""An officer filters the department's dashboard by commune and downloads the Excel export."""
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from listings.services import account_connect, listing_create
from listings.tasks import publish_listing
from tests.factories import OcopProductFactory, ProducerFactory, lao_cai_commune, make_member, make_officer

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Bao-cao-quy-2025"


def test_officer_filters_by_commune_and_downloads_the_export(phone, tmp_path):
    officer = make_officer(username="canbo-so")
    officer.set_password(PASSWORD)
    officer.save()
    owner, tu_le = make_member(producer=ProducerFactory(commune=lao_cai_commune("Xã Tú Lệ")))
    OcopProductFactory(producer=tu_le, name="Gạo nếp Tú Lệ", certificate_date=timezone.localdate() - timedelta(days=200))
    OcopProductFactory(producer=tu_le, name="Chè Tú Lệ", certificate_date=timezone.localdate() - timedelta(days=200))
    sa_pa = ProducerFactory(commune=lao_cai_commune("Phường Sa Pa"))
    OcopProductFactory(producer=sa_pa, name="Thổ cẩm Sa Pa", certificate_date=timezone.localdate() - timedelta(days=200))
    shop = account_connect(producer=tu_le, user=owner, marketplace="sandbox", shop_name="Gian hàng Tú Lệ")
    shop = shop[0] if isinstance(shop, tuple) else shop
    listing = listing_create(product=tu_le.products.get(name="Gạo nếp Tú Lệ"), account=shop, user=owner)
    from listings.services import listing_publish

    listing_publish(listing=listing, user=owner)
    publish_listing(listing.pk)

    log_in(phone, "canbo-so", PASSWORD)
    phone.goto("/bao-cao/")
    phone.select_option("#f-period", "year")
    phone.select_option("#f-commune", label="Xã Tú Lệ")
    phone.click("[data-testid=dashboard-apply]")
    phone.wait_for_load_state()
    assert phone.locator("[data-testid=total-products]").inner_text().strip() == "2"
    assert phone.locator("[data-testid=total-listed]").inner_text().startswith("1")

    with phone.expect_download() as download:
        phone.click("[data-testid=dashboard-export]")
    path = tmp_path / "bao-cao.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path, read_only=True)
    assert len(workbook.sheetnames) >= 4
    values = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "Xã Tú Lệ" in " ".join(str(v) for v in values)
