"""What the portal, the API and the OCOP list import accept as a tax code and a GTIN (phone numbers:
common.phones)."""
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

TAX_CODE_FORMAT = _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (chi nhánh).")
ANY_TAX_CODE_FORMAT = _(
    "Mã số thuế gồm 10 chữ số, 10 chữ số, dấu gạch ngang và 3 chữ số (chi nhánh), hoặc với hộ kinh doanh, "
    "số định danh cá nhân 12 chữ số của chủ hộ."
)
HOUSEHOLD_TAX_CODE = _("Mã số thuế của hộ kinh doanh là số định danh cá nhân 12 chữ số của chủ hộ.")
HOUSEHOLD_TAX_CODE_FORMAT = _(
    "Mã số thuế của hộ kinh doanh là số định danh cá nhân 12 chữ số của chủ hộ (hoặc mã số thuế 10 chữ số "
    "được cấp trước 01/07/2025)."
)
HOUSEHOLD_ONLY = _(
    "Số định danh cá nhân 12 chữ số chỉ là mã số thuế của hộ kinh doanh; hợp tác xã, tổ hợp tác và doanh "
    "nghiệp có mã số thuế 10 chữ số (chi nhánh: 10 chữ số, dấu gạch ngang và 3 chữ số)."
)
# The province of the birth registration, the first three digits of a personal identification number
# (Circular 59/2021/TT-BCA, Appendix I: the 63 provinces before 2025, codes with gaps).
BIRTH_PROVINCES = frozenset({
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42,
    44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84,
    86, 87, 89, 91, 92, 93, 94, 95, 96,
})


def validate_tax_code(value, *, household=None):
    """A mã số thuế: 10 digits or 10-3 for a branch, with its check digit (the 10th, stdnum.vn.mst); or,
    for a household business since 1 July 2025 (Circular 86/2024/TT-BTC), its owner's 12-digit personal
    identification number. `household`: True for a hộ kinh doanh, False for a cooperative, cooperative
    group or enterprise, None where the kind is not known (then every form is taken)."""
    value = value or ""
    if len(value) == 12 and value.isascii() and value.isdigit():
        if household is False:
            raise ValidationError(HOUSEHOLD_ONLY, code="tax_code_household_only")
        _validate_personal_number(value)
        return
    format_message = {True: HOUSEHOLD_TAX_CODE_FORMAT, False: TAX_CODE_FORMAT, None: ANY_TAX_CODE_FORMAT}[household]
    body, _dash, branch = value.partition("-")
    if not (body.isascii() and body.isdigit() and len(body) == 10) or (
        _dash and not (branch.isascii() and branch.isdigit() and len(branch) == 3)
    ):
        raise ValidationError(format_message, code="tax_code")
    try:
        mst.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("Mã số thuế sai chữ số kiểm tra (chữ số thứ 10)."), code="tax_code_check"
        ) from exc
    except stdnum_errors.InvalidComponent as exc:
        message = (_("Mã chi nhánh (3 chữ số sau dấu gạch ngang) phải từ 001 đến 999.") if branch == "000"
                   else _("Mã số thuế không hợp lệ: 7 chữ số sau mã tỉnh không thể đều là 0."))
        raise ValidationError(message, code="tax_code") from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(format_message, code="tax_code") from exc


def _validate_personal_number(value):
    """What can be checked of a số định danh cá nhân (it has no check digit): digits 1-3 the province
    of the birth registration, digit 4 the century and sex (0/1 the 1900s, 2/3 the 2000s, ...), digits
    5-6 the year of birth, which has come."""
    province = value[:3]
    if int(province) not in BIRTH_PROVINCES:
        raise ValidationError(
            _("%(rule)s 3 chữ số đầu là mã tỉnh nơi đăng ký khai sinh; “%(code)s” không phải mã tỉnh nào.")
            % {"rule": HOUSEHOLD_TAX_CODE, "code": province}, code="tax_code_personal_number")
    born = 1900 + 100 * (int(value[3]) // 2) + int(value[4:6])
    if born > timezone.localdate().year:
        raise ValidationError(
            _("%(rule)s Chữ số thứ 4 (thế kỷ, giới tính) và thứ 5–6 ở đây cho năm sinh %(year)s, chưa tới.")
            % {"rule": HOUSEHOLD_TAX_CODE, "year": born}, code="tax_code_personal_number")


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
