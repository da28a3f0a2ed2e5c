"""Phone numbers (phonenumbers) and tax codes (python-stdnum, stdnum.vn.mst) wherever the project takes
one: the validators, the portal's sign-up form, the API and the OCOP list import.

Landlines such as 0214 3840 888 (Lào Cai) are Vietnamese numbers: official lists carry them and
they were refused. Every number is stored in one form, E.164 (+84...), as mobiles always were."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from common.phones import normalize_phone
from producers.importing import import_ocop_list
from producers.models import Producer
from producers.validators import validate_tax_code
from tests.factories import lao_cai_commune

pytestmark = pytest.mark.django_db
User = get_user_model()

LAO_CAI_LANDLINE = "0214 3840 888"


@pytest.mark.parametrize("raw, stored", [
    ("0214 3840 888", "+842143840888"),  # Lào Cai: area code 214, seven digits
    ("(0214) 3.840.888", "+842143840888"),
    ("+84 214 3840 888", "+842143840888"),
    ("024 3825 1234", "+842438251234"),  # Hà Nội: area code 24, eight digits
    ("0912 345 678", "+84912345678"),
    ("0355123456", "+84355123456"),
])
def test_vietnamese_mobiles_and_landlines_are_stored_in_one_form(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw, reason", [
    ("+1 202 555 0100", "Chỉ nhận số điện thoại Việt Nam"),
    ("0281234567", "Số điện thoại không hợp lệ"),  # an area code with a digit missing
    ("12345", "Số điện thoại không hợp lệ"),
    ("0912 345 67x", "Số điện thoại không hợp lệ"),
])
def test_refused_numbers_say_why_in_vietnamese(raw, reason):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(raw)
    assert refused.value.messages[0].startswith(reason)


@pytest.mark.parametrize("code", ["0100109106", "5200123456", "0100109106-001"])
def test_tax_codes_with_the_right_check_digit_are_accepted(code):
    validate_tax_code(code)


@pytest.mark.parametrize("code, reason", [
    ("0100109107", "Mã số thuế sai chữ số kiểm tra"),
    ("5200123457-001", "Mã số thuế sai chữ số kiểm tra"),
    ("0100109106-000", "Mã chi nhánh"),
    ("12345", "Mã số thuế gồm 10 chữ số"),
])
def test_tax_codes_refused_with_a_vietnamese_reason(code, reason):
    with pytest.raises(ValidationError) as refused:
        validate_tax_code(code)
    assert refused.value.messages[0].startswith(reason)


def _sign_up(client, **producer):
    data = {
        "account-full_name": "Lò Thị Mai", "account-username": "htxtule", "account-email": "mai@htxtule.vn",
        "account-password1": "Gao-nep-Tu-Le-2025", "account-password2": "Gao-nep-Tu-Le-2025",
        "producer-kind": "HTX", "producer-name": "HTX Nông nghiệp Tú Lệ", "producer-tax_code": "",
        "producer-representative": "Lò Thị Mai", "producer-phone": "0912 345 678",
        "producer-email": "mai@htxtule.vn", "producer-address": "Bản Tú Lệ",
        "producer-commune": lao_cai_commune("Xã Tú Lệ").pk, "producer-old_district": "huyện Văn Chấn",
    }
    data.update({f"producer-{name}": value for name, value in producer.items()})
    return client.post(reverse("portal:signup"), data)


def test_the_sign_up_form_takes_a_landline(client):
    response = _sign_up(client, phone=LAO_CAI_LANDLINE)

    assert response.status_code == 302
    assert Producer.objects.get(name="HTX Nông nghiệp Tú Lệ").phone == "+842143840888"
    assert User.objects.get(username="htxtule").phone == "+842143840888"  # the applicant's number too


def test_the_sign_up_form_refuses_a_wrong_check_digit(client):
    response = _sign_up(client, tax_code="0100109107")

    assert response.status_code == 200
    assert "Mã số thuế sai chữ số kiểm tra" in response.content.decode()
    assert not Producer.objects.exists()


def test_the_api_takes_a_landline_and_refuses_a_wrong_check_digit(owner, producer):
    api = APIClient()
    api.force_authenticate(owner)
    taken = api.patch(f"/api/producers/{producer.pk}/", {"phone": LAO_CAI_LANDLINE}, format="json")
    refused = api.patch(f"/api/producers/{producer.pk}/", {"tax_code": "0100109107"}, format="json")

    assert taken.status_code == 200, taken.json()
    producer.refresh_from_db()
    assert producer.phone == "+842143840888"
    assert refused.status_code == 400
    assert "Mã số thuế sai chữ số kiểm tra" in str(refused.json())


HEADER = "STT;Tên sản phẩm;Chủ thể;Loại hình;Xã;Nhóm sản phẩm;Hạng sao;Mã số thuế;Điện thoại\n"


def _import(*rows):
    text = HEADER + "".join(";".join(row) + "\n" for row in rows)
    return import_ocop_list(file=io.BytesIO(text.encode("utf-8-sig")), filename="list.csv")


def test_the_import_keeps_a_landline():
    report = _import(["1", "Chè Shan tuyết", "HTX Chè Suối Giàng", "HTX", "Xã Văn Chấn", "Đồ uống", "4",
                      "", LAO_CAI_LANDLINE])

    assert report.row(2).status == "created" and report.row(2).warnings == []
    assert Producer.objects.get(name="HTX Chè Suối Giàng").phone == "+842143840888"


def test_the_import_keeps_the_row_without_a_tax_code_whose_check_digit_is_wrong():
    """An officer importing the province's list wants the product in and the typo shown: the producer
    is created without the tax code, and the row says why."""
    report = _import(["1", "Chè Shan tuyết", "HTX Chè Suối Giàng", "HTX", "Xã Văn Chấn", "Đồ uống", "4",
                      "0100109107", ""])

    row = report.row(2)
    assert row.status == "created"
    assert row.warnings == ["Bỏ qua mã số thuế “0100109107”: Mã số thuế sai chữ số kiểm tra (chữ số thứ 10)."]
    assert Producer.objects.get(name="HTX Chè Suối Giàng").tax_code == ""


def test_the_users_admin_takes_a_landline_and_refuses_a_foreign_number(rf, admin_user):
    """A user's own number, edited by staff in the admin, follows the same rules as the portal's."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    form = admin.site._registry[User].get_form(request, obj=admin_user)
    phone = form.base_fields["phone"]

    assert phone.clean(LAO_CAI_LANDLINE) == "+842143840888"
    assert phone.clean("") == ""
    with pytest.raises(ValidationError) as refused:
        phone.clean("+1 202 555 0100")
    assert refused.value.messages == ["Chỉ nhận số điện thoại Việt Nam (+84)."]
