"""Sign up, get verified by an officer, add a product with a photo, see it listed: on a phone."""
import pytest

from producers.models import OcopProduct, Producer
from tests.factories import jpeg_bytes, make_officer

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Che-Shan-Tuyet-2025"


def test_cooperative_signs_up_is_verified_and_lists_a_product(phone, tmp_path):
    officer = make_officer(username="canbo")
    officer.set_password(PASSWORD)
    officer.save()

    # A cooperative signs up from its phone.
    phone.goto("/dang-ky/")
    assert phone.viewport_size["width"] == 390
    phone.fill("#id_account-full_name", "Sùng A Páo")
    phone.fill("#id_account-username", "htxsuoigiang")
    phone.fill("#id_account-email", "pao@suoigiang.vn")
    phone.fill("#id_account-password1", PASSWORD)
    phone.fill("#id_account-password2", PASSWORD)
    phone.select_option("#id_producer-kind", "HTX")
    phone.fill("#id_producer-name", "HTX Chè Suối Giàng")
    phone.fill("#id_producer-tax_code", "5200887765")
    phone.fill("#id_producer-representative", "Sùng A Páo")
    phone.fill("#id_producer-phone", "0987 654 321")
    phone.select_option("#id_producer-commune", label="Xã Văn Chấn")
    phone.fill("#id_producer-old_district", "huyện Văn Chấn")
    phone.click("[data-testid=signup-submit]")
    phone.wait_for_url("**/tong-quan/")
    assert phone.locator("[data-testid=producer-status]").inner_text() == "Chờ xác minh"
    # Nothing overflows sideways on a 390 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("[data-testid=logout]")

    # The department officer verifies it from the queue.
    log_in(phone, "canbo", PASSWORD)
    phone.goto("/can-bo/cho-xac-minh/")
    row = phone.locator("[data-testid=queue-row]", has_text="HTX Chè Suối Giàng")
    row.locator("[data-testid=verify]").click()
    phone.wait_for_load_state()
    assert Producer.objects.get(name="HTX Chè Suối Giàng").status == Producer.Status.VERIFIED
    phone.click("[data-testid=logout]")

    # The cooperative adds a product with a photo and sees it listed.
    log_in(phone, "htxsuoigiang", PASSWORD)
    assert phone.locator("[data-testid=producer-status]").inner_text() == "Đã xác minh"
    phone.goto("/san-pham/")
    phone.click("[data-testid=add-product]")
    phone.fill("#id_name", "Chè Shan tuyết Suối Giàng")
    phone.select_option("#id_group", "do-uong")
    phone.select_option("#id_stars", "5")
    phone.fill("#id_certificate_number", "2156/QĐ-UBND")
    phone.fill("#id_certificate_date", "20/05/2024")
    phone.fill("#id_unit", "hộp 200 g")
    assert phone.get_attribute("#id_price", "inputmode") == "numeric"
    phone.fill("#id_price", "180.000")  # as the portal prints it: a text input, not type=number
    phone.click("[data-testid=product-save]")
    phone.wait_for_selector("[data-testid=product-name]")
    assert phone.locator("[data-testid=product-price]").inner_text() == "180.000 ₫"
    photo = tmp_path / "che.jpg"
    photo.write_bytes(jpeg_bytes(1600, 1200))
    phone.set_input_files("#id_photo", str(photo))
    phone.click("[data-testid=photo-upload]")
    phone.wait_for_selector(".photos img")
    product = OcopProduct.objects.get(name="Chè Shan tuyết Suối Giàng")
    assert product.photos.count() == 1
    assert product.certificate_expiry.strftime("%d/%m/%Y") == "20/05/2027"

    phone.goto("/san-pham/")
    assert phone.locator("table.list", has_text="Chè Shan tuyết Suối Giàng").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
