from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField
from common.numbers import WholeNumberField
from producers.selectors import producers_for, producers_owned_by

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
        producers = producers_owned_by(user).order_by("name")  # the payout is the owner's (issue 12)
        self.fields["producer"].queryset = producers
        self.fields["bank"].queryset = active_banks()
        if producers.count() == 1:
            self.fields["producer"].initial = producers.first()
            self.fields["producer"].widget = forms.HiddenInput()


class PaymentCodeForm(forms.Form):
    amount = MoneyField(
        label=_("Số tiền (đồng)"), required=False, min_value=1,
        help_text=_("Để trống: mã tĩnh, người mua tự nhập số tiền."),
    )
    bank_account = forms.ModelChoiceField(label=_("Tài khoản nhận tiền"), queryset=None, empty_label=None)

    def __init__(self, *args, accounts, **kwargs):
        """`accounts` None: the user may not choose (not the owner); the code pays into the default."""
        super().__init__(*args, **kwargs)
        if accounts is None:
            del self.fields["bank_account"]
        else:
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


# --- Sales ---------------------------------------------------------------------------------------

class SalesFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Nguồn"), required=False)
    marketplace = forms.ChoiceField(label=_("Sàn"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from marketplace.connectors import registry

        from .models import Transaction

        super().__init__(*args, **kwargs)
        everything = [("", _("Tất cả"))]
        self.fields["source"].choices = everything + list(Transaction.Source.choices)
        self.fields["marketplace"].choices = everything + registry.choices()
        self.fields["status"].choices = everything + list(Transaction.Status.choices)

    def filters(self):
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class ManualSaleForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Sản phẩm"), queryset=None)
    quantity = WholeNumberField(label=_("Số lượng"), min_value=1, max_value=1_000_000, initial=1)
    amount = MoneyField(
        label=_("Số tiền thu được (đồng)"), min_value=0,
        help_text=_("Tổng số tiền của lần bán này."),
    )
    occurred_on = forms.DateField(label=_("Ngày bán"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.FileField(
        label=_("Ảnh hóa đơn hoặc phiếu thu (không bắt buộc)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        help_text=_("Ảnh JPG, PNG, WebP hoặc tệp PDF, tối đa 10 MB."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class AssignTransferForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Sản phẩm đã bán"), queryset=None)
    quantity = WholeNumberField(
        label=_("Số lượng"), min_value=1, max_value=1_000_000, required=False,
        help_text=_("Để trống: tính theo số tiền chia cho giá bán."),
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class BankAccountRejectForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối"), required=False, max_length=300)


class RejectSaleForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối"), required=False, max_length=300)


class OrderImportForm(forms.Form):
    producer = forms.ModelChoiceField(label=_("Chủ thể OCOP"), queryset=None)
    file = forms.FileField(
        label=_("Tệp đơn hàng xuất từ Shopee hoặc Lazada (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(label=_("Chạy thử: chỉ kiểm tra, không ghi gì"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        producers = producers_for(user).filter(memberships__user=user).order_by("name")  # members record sales
        self.fields["producer"].queryset = producers
        if producers.count() == 1:
            self.fields["producer"].initial = producers.first()
            self.fields["producer"].widget = forms.HiddenInput()

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        return upload
