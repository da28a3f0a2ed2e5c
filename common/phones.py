"""Vietnamese phone numbers (phonenumbers): what a producer, a user or an imported list gives as a
number to call, however written, in one stored form, E.164 (+84...)."""
import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_EXAMPLE = _(
    "Số điện thoại không hợp lệ: cần số di động 10 chữ số (ví dụ 0912 345 678) hoặc số cố định có mã vùng "
    "(ví dụ 0214 3840 888)."
)
# Numbers a producer or a person is reached at; not 1800/1900 service numbers.
PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_phone(value):
    """A Vietnamese mobile or landline in its stored form:
    '0912 345 678', '+84 912-345-678', '84912345678' -> '+84912345678';
    '0214 3840 888', '(0214) 3.840.888' -> '+842143840888'. Anything else is refused."""
    text = str(value or "").strip()
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(PHONE_EXAMPLE, code="phone") from exc
    if number.country_code != 84:
        raise ValidationError(_("Chỉ nhận số điện thoại Việt Nam (+84)."), code="phone_country")
    if any(c.isalpha() for c in text) or not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) not in PHONE_TYPES
    ):
        raise ValidationError(PHONE_EXAMPLE, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneField(forms.CharField):
    """A form field that hands back the stored form (or "" when left blank)."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "0912 345 678"})

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value
