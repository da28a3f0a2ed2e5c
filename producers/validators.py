"""What the portal, the API and the OCOP list import accept as a tax code and a GTIN (phone numbers:
common.phones)."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

TAX_CODE_FORMAT = _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (chi nhánh).")
def validate_tax_code(value):
    """A mã số thuế as the tax office writes it, 10 digits or 10-3 for a branch, with its check digit
    (the 10th, from the first nine: stdnum.vn.mst)."""
    value = value or ""
    body, _dash, branch = value.partition("-")
    if not (body.isascii() and body.isdigit() and len(body) == 10) or (
        _dash and not (branch.isascii() and branch.isdigit() and len(branch) == 3)
    ):
        raise ValidationError(TAX_CODE_FORMAT, code="tax_code")
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
        raise ValidationError(TAX_CODE_FORMAT, code="tax_code") from exc


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
