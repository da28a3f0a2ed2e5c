import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
# Mobile prefixes 03, 05, 07, 08, 09 and landlines 02x: ten digits after the leading 0.
PHONE_RE = re.compile(r"^0(2\d|3\d|5\d|7\d|8\d|9\d)\d{7}$")


def validate_tax_code(value):
    if not TAX_CODE_RE.match(value or ""):
        raise ValidationError(
            _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (chi nhánh)."),
            code="tax_code",
        )


def normalize_phone(value):
    """'0912 345 678', '+84 912-345-678', '84912345678' -> '+84912345678'; refuse what is not Vietnamese."""
    raw = re.sub(r"[\s.\-()]", "", str(value or ""))
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    if not PHONE_RE.match(raw):
        raise ValidationError(
            _("Số điện thoại không hợp lệ: cần 10 chữ số bắt đầu bằng 0 (ví dụ 0912 345 678)."),
            code="phone",
        )
    return "+84" + raw[1:]


def validate_gtin(value):
    """GTIN-8/12/13/14 with a correct check digit (the barcode printed on the package)."""
    if not value:
        return
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise ValidationError(_("Mã GTIN/mã vạch gồm 8, 12, 13 hoặc 14 chữ số."), code="gtin")
    digits = [int(d) for d in value]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    if (10 - total % 10) % 10 != check:
        raise ValidationError(_("Mã GTIN sai số kiểm tra."), code="gtin_check")
