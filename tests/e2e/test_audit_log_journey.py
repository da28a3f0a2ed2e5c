"""An officer reads the audit log on a 390 px phone: sentences, nothing overflowing sideways."""
import pytest
from auditlog.context import set_actor

from producers import services
from tests.factories import OcopProductFactory, make_member, make_officer

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Nhat-ky-can-bo-2025"


def test_officer_reads_the_audit_log_on_a_phone(phone):
    officer = make_officer(username="canbo-nhatky", full_name="Trần Thị Bình")
    officer.set_password(PASSWORD)
    officer.save()
    owner, producer = make_member(username="chu-htx", full_name="Lò Thị Mai")
    product = OcopProductFactory(producer=producer, name="Chè Shan tuyết cổ thụ Suối Giàng", price=120000)
    with set_actor(owner):
        services.product_update(product=product, user=owner, price=150000,
                                description="Chè shan tuyết cổ thụ hái tay trên núi cao " * 6)

    log_in(phone, "canbo-nhatky", PASSWORD)
    phone.goto("/can-bo/nhat-ky/")
    text = phone.locator("main").inner_text()
    assert "Lò Thị Mai (chủ sở hữu) đã sửa sản phẩm OCOP “Chè Shan tuyết cổ thụ Suối Giàng”" in text
    assert "giá bán: 120.000 ₫ → 150.000 ₫" in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
