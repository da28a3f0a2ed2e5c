from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.selectors import username_available
from common.money import MoneyField
from common.numbers import WholeNumberField
from common.phones import PhoneField

from .models import Commune, OcopProduct, Producer, ProductGroup
from .validators import validate_tax_code

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs):
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


def commune_choices_queryset():
    return Commune.objects.filter(province_id=settings.OCOP_PROVINCE_CODE).order_by("name")


class ProducerForm(forms.ModelForm):
    phone = PhoneField(label=_("Số điện thoại"), required=True)

    class Meta:
        model = Producer
        fields = ["kind", "name", "tax_code", "representative", "phone", "email", "address", "commune", "old_district"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = commune_choices_queryset()
        self.fields["commune"].required = True
        self.fields["commune"].empty_label = _("— Chọn xã/phường —")
        self.fields["tax_code"].widget.attrs["inputmode"] = "numeric"
        if self.instance.pk and not self.instance.tax_code and self.instance.claimed_tax_code:
            self.initial["tax_code"] = self.instance.claimed_tax_code  # waiting for the officers

    def clean_tax_code(self):
        tax_code, kind = self.cleaned_data["tax_code"], self.cleaned_data.get("kind")
        if tax_code:
            validate_tax_code(tax_code, household=kind == Producer.Kind.HOUSEHOLD if kind else None)
        if tax_code and tax_code == self.instance.claimed_tax_code and not self.instance.tax_code:
            return ""  # the claim stands as it is
        return tax_code

    def _get_validation_exclusions(self):
        """Whether a tax code is held by another producer is the services' answer, never the form's:
        for a producer not yet verified it becomes a claim for the officers (producers.services)."""
        return super()._get_validation_exclusions() | {"tax_code"}


# One answer for a taken, reserved or too short name: the page does not tell which.
USERNAME_REFUSED = _("Không dùng được tên đăng nhập này. Hãy chọn tên khác, ví dụ thêm tên xã hoặc năm sinh.")


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên người đăng ký"), max_length=150)
    username = forms.RegexField(
        label=_("Tên đăng nhập"), max_length=150, regex=r"^[\w.@+-]+$",
        help_text=_("Chữ không dấu, số và . @ + - _"),
        error_messages={"invalid": _("Tên đăng nhập chỉ gồm chữ không dấu, số và . @ + - _")},
    )
    email = forms.EmailField(label=_("Email"))
    password1 = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, phone="", **kwargs):
        """`phone`: the producer's number typed on the same page; the password may not contain it."""
        super().__init__(*args, **kwargs)
        self.phone = phone

    def clean_username(self):
        username = self.cleaned_data["username"]
        if not username_available(username):
            raise ValidationError(USERNAME_REFUSED, code="username_refused")
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        elif p1:
            person = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""),
                          full_name=cleaned.get("full_name", ""), phone=self.phone or "")
            try:
                password_validation.validate_password(p1, person)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProducerSignUpForm(ProducerForm):
    """The producer half of the sign-up page (prefix "producer")."""


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email người được mời"))


class AcceptInvitationForm(SignUpForm):
    pass


class ProductForm(forms.ModelForm):
    price = MoneyField(label=_("Giá bán (đồng)"), min_value=0)
    weight_grams = WholeNumberField(label=_("Khối lượng (gam)"), min_value=0, max_value=1_000_000, required=False)

    class Meta:
        model = OcopProduct
        fields = [
            "name", "group", "subgroup", "stars", "certificate_number", "certificate_date",
            "certificate_expiry", "unit", "price", "weight_grams", "gtin", "description",
        ]
        widgets = {"certificate_date": DateInput(), "certificate_expiry": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = ProductGroup.objects.filter(is_active=True)
        self.fields["stars"] = forms.TypedChoiceField(
            label=_("Hạng sao"), choices=[(3, "3 ★"), (4, "4 ★"), (5, "5 ★")], coerce=int
        )
        for name in ("certificate_date", "certificate_expiry"):
            self.fields[name].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Ảnh sản phẩm (JPEG, PNG, WebP; tối đa 10 MB)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))


class ProducerFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False)
    commune = forms.ModelChoiceField(label=_("Xã/phường"), queryset=Commune.objects.none(), required=False,
                                     empty_label=_("Tất cả xã/phường"))
    kind = forms.ChoiceField(label=_("Loại hình"), choices=[("", _("Tất cả loại hình"))] + list(Producer.Kind.choices),
                             required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Tất cả trạng thái"))] + list(Producer.Status.choices))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = commune_choices_queryset()


class ProductFilterForm(ProducerFilterForm):
    group = forms.ModelChoiceField(label=_("Nhóm"), queryset=ProductGroup.objects.all(), required=False,
                                   empty_label=_("Tất cả nhóm"))
    stars = forms.TypedChoiceField(label=_("Hạng sao"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("Mọi hạng sao")), (3, "3 ★"), (4, "4 ★"), (5, "5 ★")])
