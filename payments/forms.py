from django import forms
from django.utils.translation import gettext_lazy as _

from producers.selectors import producers_for

from .labels import LAYOUT_A4_STICKERS, LAYOUT_A6
from .selectors import active_banks

LAYOUT_CHOICES = [
    (LAYOUT_A4_STICKERS, _("Tờ A4, 24 nhãn dán (3 × 8)")),
    (LAYOUT_A6, _("Biển A6 đặt tại sạp, mỗi trang một sản phẩm")),
]


class BankAccountForm(forms.Form):
    producer = forms.ModelChoiceField(label=_("Chủ thể OCOP"), queryset=None)
    bank = forms.ModelChoiceField(label=_("Ngân hàng"), queryset=None)
    account_number = forms.CharField(label=_("Số tài khoản / số thẻ"), max_length=25)
    is_card = forms.BooleanField(label=_("Đây là số thẻ (không phải số tài khoản)"), required=False)
    holder_name = forms.CharField(
        label=_("Tên chủ tài khoản"), max_length=70,
        help_text=_("Như ngân hàng hiển thị; hệ thống tự viết hoa và bỏ dấu."),
    )
    is_default = forms.BooleanField(label=_("Dùng làm tài khoản mặc định"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        producers = producers_for(user).order_by("name")
        self.fields["producer"].queryset = producers
        self.fields["bank"].queryset = active_banks()
        if producers.count() == 1:
            self.fields["producer"].initial = producers.first()
            self.fields["producer"].widget = forms.HiddenInput()


class PaymentCodeForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Số tiền (đồng)"), required=False, min_value=1, max_value=9_999_999_999_999,
        help_text=_("Để trống: mã tĩnh, người mua tự nhập số tiền."),
    )
    bank_account = forms.ModelChoiceField(label=_("Tài khoản nhận tiền"), queryset=None, empty_label=None)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].queryset = accounts


class BatchPrintForm(forms.Form):
    products = forms.ModelMultipleChoiceField(
        label=_("Sản phẩm"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chưa chọn sản phẩm nào để in.")},
    )
    layout = forms.ChoiceField(label=_("Khổ in"), choices=LAYOUT_CHOICES, initial=LAYOUT_A4_STICKERS)
    with_price = forms.BooleanField(
        label=_("Ghi sẵn giá bán vào mã QR"), required=False,
        help_text=_("Người mua không phải nhập số tiền; chỉ dùng khi mỗi lần bán đúng một sản phẩm."),
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products
