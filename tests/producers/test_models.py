from datetime import date

import pytest
from django.core.exceptions import ValidationError

from common.exceptions import InvalidTransition
from common.phones import normalize_phone
from producers.models import Commune, OcopProduct, Producer, Province
from producers.text import name_key, strip_diacritics
from producers.units import find_commune
from producers.validators import validate_gtin, validate_tax_code
from tests.factories import OcopProductFactory, ProducerFactory

pytestmark = pytest.mark.django_db


def test_administrative_units_are_the_2025_structure():
    assert Province.objects.count() == 34
    lao_cai = Province.objects.get(code=15)
    assert lao_cai.name == "Lào Cai"
    # The former Yên Bái communes now belong to Lào Cai.
    assert Commune.objects.filter(province=lao_cai, name__in=["Xã Mù Cang Chải", "Xã Tú Lệ", "Xã Trạm Tấu"]).count() == 3


@pytest.mark.parametrize("text", ["Xã Tú Lệ", "xa tu le", "Tú Lệ", "  TÚ  LỆ "])
def test_commune_found_whatever_the_spelling(text):
    assert find_commune(text, 15).name == "Xã Tú Lệ"


def test_commune_of_another_province_is_not_found():
    assert find_commune("Phường Hoàn Kiếm", 15) is None


@pytest.mark.parametrize("raw", ["0912 345 678", "+84 912-345-678", "84912345678", "0912.345.678"])
def test_phone_numbers_stored_as_plus_84(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["12345", "0112345678", "+1 202 555 0100", "091234567a"])
def test_bad_phone_numbers_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


@pytest.mark.parametrize("code", ["5200123456", "5200123456-001"])
def test_tax_codes_accepted(code):
    validate_tax_code(code)


@pytest.mark.parametrize("code", ["520012345", "5200123456-01", "52001234567", "ABCDEFGHIJ"])
def test_bad_tax_codes_refused(code):
    with pytest.raises(ValidationError):
        validate_tax_code(code)


def test_gtin_check_digit():
    validate_gtin("8934563138165")
    with pytest.raises(ValidationError):
        validate_gtin("8934563138166")


def test_name_key_ignores_case_diacritics_and_spacing():
    assert strip_diacritics("Đặc sản Đồng Tháp") == "Dac san Dong Thap"
    assert name_key("HTX  Chè Suối-Giàng") == name_key("htx che suoi giang")


def test_certificate_expiry_is_36_months_after_the_decision_unless_overridden():
    product = OcopProductFactory(certificate_date=date(2024, 2, 29))
    assert product.certificate_expiry == date(2027, 2, 28)
    product = OcopProductFactory(certificate_date=date(2024, 3, 1), certificate_expiry=date(2026, 1, 1))
    assert product.certificate_expiry == date(2026, 1, 1)


def test_producer_status_pipeline():
    producer = ProducerFactory(status=Producer.Status.PENDING)
    producer.set_status(Producer.Status.VERIFIED)
    producer.set_status(Producer.Status.SUSPENDED)
    producer.set_status(Producer.Status.VERIFIED)
    producer.refresh_from_db()
    assert producer.status == Producer.Status.VERIFIED
    with pytest.raises(InvalidTransition):
        producer.set_status(Producer.Status.PENDING)


def test_product_sku_is_stable():
    product = OcopProductFactory()
    assert product.sku == f"OCOP-{product.pk:06d}"
    assert OcopProduct.objects.get(pk=product.pk).sku == product.sku
