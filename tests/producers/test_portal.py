from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from producers.models import Invitation, Membership, OcopProduct, Producer, ProductGroup
from tests.factories import OcopProductFactory, ProducerFactory, jpeg_bytes, lao_cai_commune, make_member

pytestmark = pytest.mark.django_db
User = get_user_model()


def signup_data(**overrides):
    data = {
        "account-full_name": "Lò Thị Mai",
        "account-username": "htxtule",
        "account-email": "mai@htxtule.vn",
        "account-password1": "Gao-nep-Tu-Le-2025",
        "account-password2": "Gao-nep-Tu-Le-2025",
        "producer-kind": "HTX",
        "producer-name": "HTX Nông nghiệp Tú Lệ",
        "producer-tax_code": "5200812343",
        "producer-representative": "Lò Thị Mai",
        "producer-phone": "0912 345 678",
        "producer-email": "mai@htxtule.vn",
        "producer-address": "Bản Tú Lệ",
        "producer-commune": lao_cai_commune("Xã Tú Lệ").pk,
        "producer-old_district": "huyện Văn Chấn",
    }
    data.update(overrides)
    return data


def test_sign_up_creates_user_pending_producer_and_owner_membership(client):
    response = client.post(reverse("portal:signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get(username="htxtule")
    producer = Producer.objects.get(name="HTX Nông nghiệp Tú Lệ")
    assert producer.status == Producer.Status.PENDING
    assert producer.phone == "+84912345678"
    assert producer.old_district == "huyện Văn Chấn"
    assert Membership.objects.get(user=user, producer=producer).role == Membership.Role.OWNER
    page = client.get(reverse("portal:home"))
    assert "Chờ xác minh" in page.content.decode()


def test_sign_up_with_bad_input_shows_vietnamese_errors_and_writes_nothing(client):
    response = client.post(
        reverse("portal:signup"),
        signup_data(**{"producer-tax_code": "12345", "producer-phone": "12", "account-password2": "khac"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mã số thuế gồm 10 chữ số" in body
    assert "Số điện thoại không hợp lệ" in body
    assert "Hai mật khẩu không khớp" in body
    assert not User.objects.filter(username="htxtule").exists()
    assert not Producer.objects.exists()


def test_officer_verifies_from_the_queue(client, officer):
    producer = ProducerFactory(status=Producer.Status.PENDING, name="HTX Quế Văn Yên")
    client.force_login(officer)
    queue = client.get(reverse("portal:verification_queue"))
    assert "HTX Quế Văn Yên" in queue.content.decode()
    client.post(reverse("portal:producer_set_status", args=[producer.pk]), {"status": "verified"})
    producer.refresh_from_db()
    assert producer.status == Producer.Status.VERIFIED
    assert producer.status_changed_by == officer


def test_member_cannot_verify(client, owner, producer):
    producer.status = Producer.Status.PENDING
    producer.save()
    client.force_login(owner)
    response = client.post(reverse("portal:producer_set_status", args=[producer.pk]), {"status": "verified"})
    assert response.status_code == 403
    producer.refresh_from_db()
    assert producer.status == Producer.Status.PENDING


def test_owner_adds_product_with_photo(client, owner, producer):
    client.force_login(owner)
    response = client.post(reverse("portal:product_create") + f"?producer={producer.pk}", {
        "name": "Chè Shan tuyết Suối Giàng", "group": "do-uong", "stars": "4",
        "certificate_number": "3397/QĐ-UBND", "certificate_date": "15/03/2024", "unit": "hộp 200 g",
        "price": "150000", "weight_grams": "250",
    })
    assert response.status_code == 302, response.content.decode()
    product = OcopProduct.objects.get(name="Chè Shan tuyết Suối Giàng")
    assert product.certificate_date == date(2024, 3, 15)
    assert product.certificate_expiry == date(2027, 3, 15)
    upload = SimpleUploadedFile("che.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(reverse("portal:product", args=[product.pk]), {"photo": upload})
    assert response.status_code == 302
    assert product.photos.count() == 1
    page = client.get(reverse("portal:product", args=[product.pk])).content.decode()
    assert "150.000 ₫" in page
    assert "15/03/2027" in page


def test_photo_that_is_not_an_image_gets_a_clear_message(client, owner, producer):
    product = OcopProductFactory(producer=producer)
    client.force_login(owner)
    upload = SimpleUploadedFile("anh.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = client.post(reverse("portal:product", args=[product.pk]), {"photo": upload})
    assert response.status_code == 400
    assert "Tệp này không phải là ảnh hợp lệ." in response.content.decode()
    assert product.photos.count() == 0


def test_duplicate_product_name_refused(client, owner, producer):
    OcopProductFactory(producer=producer, name="Quế Văn Yên")
    client.force_login(owner)
    response = client.post(reverse("portal:product_create") + f"?producer={producer.pk}", {
        "name": "quế văn yên", "group": "duoc-lieu", "stars": "3", "price": "50000",
    })
    assert response.status_code == 200
    assert "Đã có sản phẩm cùng tên." in response.content.decode()


def test_owner_invites_staff_who_joins(client, owner, producer):
    client.force_login(owner)
    client.post(reverse("portal:members", args=[producer.pk]), {"email": "nv@htx.vn"})
    invitation = Invitation.objects.get(email="nv@htx.vn")
    client.logout()
    client.get(reverse("portal:invitation_link", args=[invitation.token]))
    response = client.post(reverse("portal:accept_invitation"), {
        "full_name": "Giàng A Sử", "username": "giangasu", "email": "nv@htx.vn",
        "password1": "Nhan-vien-2025!", "password2": "Nhan-vien-2025!",
    })
    assert response.status_code == 302
    staff = User.objects.get(username="giangasu")
    assert Membership.objects.get(user=staff, producer=producer).role == Membership.Role.STAFF
    second = client.get(reverse("portal:invitation_link", args=[invitation.token]), follow=True)
    assert second.status_code == 410


def test_staff_cannot_invite(client, producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF)
    client.force_login(staff)
    response = client.post(reverse("portal:members", args=[producer.pk]), {"email": "x@y.vn"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_officer_filters_products_by_commune_group_and_stars(client, officer):
    tu_le = ProducerFactory(commune=lao_cai_commune("Xã Tú Lệ"))
    sa_pa = ProducerFactory(commune=lao_cai_commune("Phường Sa Pa"))
    OcopProductFactory(producer=tu_le, name="Gạo nếp Tú Lệ", stars=4,
                       group=ProductGroup.objects.get(code="thuc-pham"))
    OcopProductFactory(producer=sa_pa, name="Thổ cẩm Sa Pa", stars=3,
                       group=ProductGroup.objects.get(code="thu-cong-my-nghe"))
    client.force_login(officer)
    url = reverse("portal:all_products")
    body = client.get(url, {"commune": tu_le.commune_id}).content.decode()
    assert "Gạo nếp Tú Lệ" in body and "Thổ cẩm Sa Pa" not in body
    body = client.get(url, {"group": "thu-cong-my-nghe", "stars": "3"}).content.decode()
    assert "Thổ cẩm Sa Pa" in body and "Gạo nếp Tú Lệ" not in body


def test_english_through_the_language_switch(client, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("portal:products")).content.decode()
    assert "OCOP products" in body or "Products" in body


def test_changes_are_in_the_audit_log_for_officers(client, owner, producer, officer):
    client.force_login(owner)
    product = OcopProductFactory(producer=producer, price=100000)
    client.post(reverse("portal:product_edit", args=[product.pk]), {
        "name": product.name, "group": product.group_id, "stars": "4", "price": "120000",
    })
    client.force_login(officer)
    body = client.get(reverse("portal:audit_log"), {"model": "ocopproduct"}).content.decode()
    assert product.name in body
    assert "giá bán: 100.000 ₫ → 120.000 ₫" in body
    assert str(owner) in body


def test_a_product_with_sales_cannot_be_deleted(client, owner, producer):
    from payments.services import manual_sale_create

    product = OcopProductFactory(producer=producer)
    manual_sale_create(user=owner, product=product, quantity=1, amount=150000,
                       occurred_at=timezone.now() - timedelta(days=3))
    client.force_login(owner)
    response = client.post(reverse("portal:product_delete", args=[product.pk]), follow=True)
    assert "không thể xoá" in response.content.decode()
    assert OcopProduct.objects.filter(pk=product.pk).exists()
