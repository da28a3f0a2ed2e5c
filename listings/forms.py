from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import MoneyField
from common.numbers import WholeNumberField
from marketplace.connectors import registry

from .models import Listing


class ConnectForm(forms.Form):
    producer = forms.ModelChoiceField(label=_("Chủ thể"), queryset=None, empty_label=None)
    marketplace = forms.ChoiceField(label=_("Sàn"), choices=registry.choices)
    shop_name = forms.CharField(
        label=_("Tên gian hàng"), max_length=255, required=False,
        help_text=_("Với Postmart, Voso: tên gian hàng trên sàn (nếu đã có)."),
    )

    def __init__(self, *args, producers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = producers
        if producers.count() == 1:
            self.fields["producer"].widget = forms.HiddenInput()
            self.fields["producer"].initial = producers.first()


class BulkPublishForm(forms.Form):
    products = forms.ModelMultipleChoiceField(
        label=_("Sản phẩm"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một sản phẩm.")},
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Gian hàng"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một gian hàng.")},
    )

    def __init__(self, *args, products, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products
        self.fields["accounts"].queryset = accounts
        self.fields["products"].label_from_instance = lambda p: f"{p.name} ({p.producer.name})"
        self.fields["accounts"].label_from_instance = lambda a: f"{a.get_marketplace_display()} · {a.shop_name}"


class PriceStockForm(forms.Form):
    price = MoneyField(label=_("Giá trên sàn (đồng)"), min_value=1, required=False)
    stock = WholeNumberField(label=_("Tồn kho trên sàn"), min_value=0, required=False)


class MarkLiveForm(forms.Form):
    url = forms.URLField(label=_("Đường dẫn sản phẩm trên sàn"), max_length=500, assume_scheme="https")


class ListingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Tất cả"))] + list(Listing.Status.choices))
    account = forms.ChoiceField(label=_("Gian hàng"), required=False)
    q = forms.CharField(label=_("Tìm"), required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", _("Tất cả"))] + [(str(a.pk), str(a)) for a in accounts]
