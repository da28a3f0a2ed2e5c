"""A household business's tax code is its owner's 12-digit personal identification number (số định
danh cá nhân) since 1 July 2025 (Circular 86/2024/TT-BTC); cooperatives, cooperative groups and
enterprises keep the 10-digit mã số thuế (10-3 for a branch). The first three digits are the province
of the birth registration (Circular 59/2021/TT-BCA), the 4th the century and sex, the 5th-6th the year."""
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from producers.importing import import_ocop_list
from producers.models import Producer
from producers.validators import validate_tax_code
from tests.factories import ProducerFactory, lao_cai_commune

pytestmark = pytest.mark.django_db

HOUSEHOLD_CODE = "001190012345"  # born in Hà Nội (001), a woman of the 20th century (1), in 1990
HOUSEHOLD_ONLY = "Số định danh cá nhân 12 chữ số chỉ là mã số thuế của hộ kinh doanh"


@pytest.mark.parametrize("household", [True, None])
@pytest.mark.parametrize("code", [HOUSEHOLD_CODE, "010185000001", "096099999999", "079203000123"])
def test_a_personal_number_is_a_household_business_tax_code(code, household):
    validate_tax_code(code, household=household)


def test_a_household_business_keeps_a_ten_digit_code_it_was_given_before():
    validate_tax_code("0100109106", household=True)
    validate_tax_code("0100109106-001", household=True)


def test_a_cooperative_or_an_enterprise_has_no_personal_number():
    with pytest.raises(ValidationError) as refused:
        validate_tax_code(HOUSEHOLD_CODE, household=False)
    assert refused.value.messages[0].startswith(HOUSEHOLD_ONLY)


@pytest.mark.parametrize("code, reason", [
    ("000190012345", "“000” không phải mã tỉnh"),
    ("003190012345", "“003” không phải mã tỉnh"),  # a gap in the list
    ("097190012345", "“097” không phải mã tỉnh"),
    ("001490012345", "năm sinh 2190"),  # 4 = a man of the 22nd century
])
def test_a_personal_number_that_cannot_exist_is_refused_with_the_reason(code, reason):
    with pytest.raises(ValidationError) as refused:
        validate_tax_code(code, household=True)
    message = refused.value.messages[0]
    assert message.startswith("Mã số thuế của hộ kinh doanh là số định danh cá nhân 12 chữ số của chủ hộ")
    assert reason in message


@pytest.mark.parametrize("code", ["12345", "00119001234", "0011900123456", "00119001234x"])
def test_a_household_business_is_told_what_its_tax_code_is(code):
    with pytest.raises(ValidationError) as refused:
        validate_tax_code(code, household=True)
    assert refused.value.messages[0].startswith(
        "Mã số thuế của hộ kinh doanh là số định danh cá nhân 12 chữ số của chủ hộ")


def _sign_up(client, **producer):
    data = {
        "account-full_name": "Nguyễn Thị Hoà", "account-username": "hkdhoa", "account-email": "hoa@example.vn",
        "account-password1": "Mien-dong-Hoa-2025", "account-password2": "Mien-dong-Hoa-2025",
        "producer-kind": "HKD", "producer-name": "Hộ kinh doanh Nguyễn Thị Hoà", "producer-tax_code": "",
        "producer-representative": "Nguyễn Thị Hoà", "producer-phone": "0912 345 678",
        "producer-email": "hoa@example.vn", "producer-address": "Thôn Cốc San",
        "producer-commune": lao_cai_commune("Xã Tú Lệ").pk, "producer-old_district": "",
    }
    data.update({f"producer-{name}": value for name, value in producer.items()})
    return client.post(reverse("portal:signup"), data)


def test_a_household_business_signs_up_with_its_owners_personal_number(client):
    response = _sign_up(client, tax_code=HOUSEHOLD_CODE)

    assert response.status_code == 302
    assert Producer.objects.get(name="Hộ kinh doanh Nguyễn Thị Hoà").tax_code == HOUSEHOLD_CODE


def test_a_cooperative_cannot_sign_up_with_a_personal_number(client):
    response = _sign_up(client, kind="HTX", name="HTX Nông nghiệp Tú Lệ", tax_code=HOUSEHOLD_CODE)

    assert response.status_code == 200
    assert HOUSEHOLD_ONLY in response.content.decode()
    assert not Producer.objects.exists()


def test_the_api_takes_a_personal_number_for_a_household_business_only(owner, producer):
    api = APIClient()
    api.force_authenticate(owner)
    refused = api.patch(f"/api/producers/{producer.pk}/", {"tax_code": HOUSEHOLD_CODE}, format="json")
    taken = api.patch(f"/api/producers/{producer.pk}/", {"kind": "HKD", "tax_code": HOUSEHOLD_CODE}, format="json")

    assert refused.status_code == 400
    assert HOUSEHOLD_ONLY in str(refused.json())
    assert taken.status_code == 200, taken.json()
    producer.refresh_from_db()
    assert (producer.kind, producer.tax_code) == ("HKD", HOUSEHOLD_CODE)


def test_a_household_business_does_not_become_a_cooperative_with_its_owners_number(owner, producer):
    Producer.objects.filter(pk=producer.pk).update(kind=Producer.Kind.HOUSEHOLD, tax_code=HOUSEHOLD_CODE)
    api = APIClient()
    api.force_authenticate(owner)
    refused = api.patch(f"/api/producers/{producer.pk}/", {"kind": "HTX"}, format="json")

    assert refused.status_code == 400
    assert HOUSEHOLD_ONLY in str(refused.json())
    producer.refresh_from_db()
    assert producer.kind == Producer.Kind.HOUSEHOLD


HEADER = ["STT", "Tên sản phẩm", "Chủ thể", "Loại hình", "Xã", "Nhóm sản phẩm", "Hạng sao", "Mã số thuế"]


def _import(*rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return import_ocop_list(file=data, filename="list.xlsx")


def test_the_import_keeps_a_household_business_personal_number():
    report = _import([1, "Miến dong", "Hộ kinh doanh Nguyễn Thị Hoà", "HKD", "Xã Văn Chấn", "Thực phẩm", 3,
                      "001 190 012 345"])

    assert report.row(2).status == "created" and report.row(2).warnings == []
    assert Producer.objects.get(name="Hộ kinh doanh Nguyễn Thị Hoà").tax_code == HOUSEHOLD_CODE


@pytest.mark.parametrize("cell, stored", [
    (10185000001, "010185000001"),  # Lào Cai (010): one zero lost
    (1190012345, HOUSEHOLD_CODE),  # Hà Nội (001): two zeros lost, ten digits that are no tax code
])
def test_the_import_puts_back_the_leading_zeros_a_number_cell_dropped_from_a_personal_number(cell, stored):
    report = _import([1, "Miến dong", "Hộ kinh doanh Nguyễn Thị Hoà", "HKD", "Xã Văn Chấn", "Thực phẩm", 3,
                      cell])

    assert report.row(2).warnings == []
    assert Producer.objects.get(name="Hộ kinh doanh Nguyễn Thị Hoà").tax_code == stored


def test_the_import_leaves_a_personal_number_off_a_cooperative_and_says_why():
    report = _import([1, "Chè Shan tuyết", "HTX Chè Suối Giàng", "HTX", "Xã Văn Chấn", "Đồ uống", 4,
                      HOUSEHOLD_CODE])

    row = report.row(2)
    assert row.status == "created"
    assert len(row.warnings) == 1 and HOUSEHOLD_ONLY in row.warnings[0]
    assert Producer.objects.get(name="HTX Chè Suối Giàng").tax_code == ""


def test_the_import_does_not_give_a_known_cooperative_a_personal_number():
    """A row whose kind says nothing (no kind cell, a name without HTX/HKD) names a known cooperative."""
    known = ProducerFactory(name="Chè Suối Giàng", tax_code="", commune=lao_cai_commune("Xã Văn Chấn"))
    report = _import([1, "Chè Shan tuyết", "Chè Suối Giàng", "", "Xã Văn Chấn", "Đồ uống", 4, HOUSEHOLD_CODE])

    row = report.row(2)
    assert row.status in ("created", "updated", "unchanged"), row
    assert any(HOUSEHOLD_ONLY in warning for warning in row.warnings)
    known.refresh_from_db()
    assert known.tax_code == ""


def test_erasure_takes_the_owners_personal_number_out_of_the_producer_and_its_history(owner, producer, officer):
    """A household business's tax code is a person's number: erased with its name, in the audit log too."""
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    from producers import privacy, services

    with set_actor(owner):
        services.producer_update(producer=producer, user=owner, kind="HKD", tax_code=HOUSEHOLD_CODE)
    assert any(HOUSEHOLD_CODE in str(entry.changes) for entry in LogEntry.objects.get_for_object(producer))
    request = privacy.deletion_request_create(producer=producer, user=owner)
    privacy.deletion_request_carry_out(request=request, user=officer)

    producer.refresh_from_db()
    assert (producer.tax_code, producer.claimed_tax_code) == ("", "")
    history = LogEntry.objects.get_for_object(producer)
    assert history.exists()
    assert not any(HOUSEHOLD_CODE in str(entry.changes) + str(entry.serialized_data) + entry.changes_text
                   for entry in history)


def test_erasure_takes_a_claimed_personal_number_too(owner, producer, officer):
    from producers import privacy

    Producer.objects.filter(pk=producer.pk).update(kind=Producer.Kind.HOUSEHOLD, tax_code="",
                                                   claimed_tax_code=HOUSEHOLD_CODE)
    request = privacy.deletion_request_create(producer=producer, user=owner)
    privacy.deletion_request_carry_out(request=request, user=officer)

    producer.refresh_from_db()
    assert producer.claimed_tax_code == ""
