"""`seed_demo`: a believable Lào Cai province, one account per role, idempotent and fast."""
import io
import sys
import time
import types
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from producers import demo
from producers.models import Membership, OcopProduct, Producer, ProductPhoto
from producers.selectors import is_officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Photos go to this test's own directory: another test session may clean the shared one."""
    settings.MEDIA_ROOT = str(tmp_path / "media")

FORMER_YEN_BAI = {"Xã Mù Cang Chải", "Xã Tú Lệ", "Xã Trạm Tấu", "Xã Văn Chấn", "Xã Châu Quế", "Xã Đông Cuông"}
LAO_CAI = {"Phường Sa Pa", "Xã Bắc Hà", "Xã Y Tý", "Xã Bát Xát", "Xã Mường Khương", "Xã Si Ma Cai"}


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state():
    return (
        sorted(Producer.objects.values_list("pk", "name", "status", "updated_at")),
        sorted(OcopProduct.objects.values_list("pk", "name", "stars", "certificate_date", "updated_at")),
        sorted(ProductPhoto.objects.values_list("pk", "image", "square")),
        sorted(get_user_model().objects.values_list("pk", "username", "password", "last_login")),
        sorted(Membership.objects.values_list("pk", "user__username", "producer__name", "role")),
    )


def test_seed_demo_builds_a_believable_province_and_a_second_run_changes_nothing():
    output = seed()

    producers = Producer.objects.select_related("commune")
    products = OcopProduct.objects.select_related("producer__commune")
    assert producers.count() >= 40
    assert products.count() >= 120
    assert {p.commune.province_id for p in producers} == {15}
    communes = {p.commune.name for p in producers}
    assert FORMER_YEN_BAI | LAO_CAI <= communes
    assert {p.kind for p in producers} == {"HTX", "THT", "DN", "HKD"}
    assert producers.filter(status=Producer.Status.PENDING).count() >= 3
    assert producers.get(name="HTX Quế Văn Yên").old_district == "huyện Văn Yên"
    assert {p.group_id for p in products} >= {"thuc-pham", "do-uong", "duoc-lieu", "thu-cong-my-nghe",
                                              "sinh-vat-canh", "du-lich"}
    assert {p.stars for p in products} == {3, 4, 5}
    names = set(products.values_list("name", flat=True))
    assert {"Chè Shan tuyết Suối Giàng", "Quế Văn Yên", "Gạo nếp Tú Lệ", "Thổ cẩm Sa Pa",
            "Rượu ngô Bắc Hà men lá", "Măng tre Bát Độ sấy khô", "Miến dong Đông Cuông"} <= names
    assert all(p.price > 0 and p.unit for p in products)

    today = timezone.localdate()
    dates = [p.certificate_date for p in products]
    assert min(dates) < today - timedelta(days=3 * 365) and max(dates) > today - timedelta(days=365)
    assert products.filter(certificate_expiry__lt=today).count() >= 5  # expired
    assert products.filter(certificate_expiry__gte=today,
                           certificate_expiry__lte=today + timedelta(days=60)).count() >= 3  # expiring soon

    assert ProductPhoto.objects.count() == products.count()
    photo = ProductPhoto.objects.first()
    with photo.square.open("rb") as stream:
        square = Image.open(stream)
        assert square.size[0] == square.size[1] >= 800
    assert photo.width >= 800

    User = get_user_model()
    officer, owner, staff, admin = (
        User.objects.get(username=u) for u in ("canbo", "htx", "nhanvien", "admin")
    )
    assert is_officer(officer)
    assert not is_officer(owner)
    suoi_giang = Producer.objects.get(name="HTX Chè Suối Giàng")
    assert Membership.objects.get(user=owner).producer == suoi_giang
    assert Membership.objects.get(user=owner).role == Membership.Role.OWNER
    assert Membership.objects.get(user=staff).role == Membership.Role.STAFF
    assert admin.is_superuser and admin.is_staff
    assert all(u.check_password("ocop2025") for u in (officer, owner, staff, admin))
    for username in ("admin", "canbo", "htx", "nhanvien"):
        assert f"| {username} " in output
    assert "ocop2025" in output

    before = state()
    started = time.monotonic()
    second = seed()
    elapsed = time.monotonic() - started

    assert state() == before
    assert "(0 mới)" in second and "0 ảnh mới" in second
    assert elapsed < 3


def test_demo_accounts_can_log_in(client, monkeypatch):
    monkeypatch.setattr(demo, "PRODUCERS", demo.PRODUCERS[:2])
    seed()

    for username in ("htx", "canbo", "nhanvien", "admin"):
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": "ocop2025"})
        assert response.status_code == 302, username
        assert int(client.session["_auth_user_id"]) == get_user_model().objects.get(username=username).pk


def test_optional_demo_modules_are_called_with_the_base(monkeypatch):
    monkeypatch.setattr(demo, "PRODUCERS", demo.PRODUCERS[:2])
    calls = []
    fake = types.ModuleType("payments.demo")
    fake.seed = lambda stdout, base: calls.append(base) or stdout.write("Mã QR mẫu: 3")
    monkeypatch.setitem(sys.modules, "payments.demo", fake)

    output = seed()

    assert len(calls) == 1
    base = calls[0]
    assert base["owner"].username == "htx" and base["officer"].username == "canbo"
    assert base["producers"][0].name == "HTX Chè Suối Giàng"
    assert len(base["products"]) == 7
    assert "Mã QR mẫu: 3" in output


def test_seed_demo_refuses_to_run_with_production_settings(settings):
    # given production settings (the demo accounts share the published password `ocop2025`)
    settings.SETTINGS_MODULE = "config.settings.production"
    # when the demo data is asked for, then it is refused and no demo account exists
    from django.core.management import CommandError, call_command

    from accounts.models import User

    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(username="canbo").exists()
