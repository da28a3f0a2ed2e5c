import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import vietqr

# Reference codes: 6 characters without look-alikes (0, O, 1, I, L left out): 31^6, about 887 million.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
PURPOSE_PREFIX = "OCOP"


def normalise_holder_name(name):
    """'Nguyễn Thị  Hoa' -> 'NGUYEN THI HOA': as banks print a holder's name."""
    return vietqr.to_ascii(name).upper()


def validate_holder_name(name):
    if not re.fullmatch(r"[A-Z][A-Z .'-]*", name or ""):
        raise ValidationError(_("Tên chủ tài khoản chỉ gồm chữ cái (không dấu) và khoảng trắng."))


class Bank(models.Model):
    """A bank that takes NAPAS247 transfers; `bin` is its 6-digit NAPAS BIN (the VietQR acquirer id).
    Loaded from payments/data/banks.json by a data migration; administrators keep it current."""

    bin = models.CharField(_("mã BIN"), max_length=6, unique=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=40)
    name = models.CharField(_("tên đầy đủ"), max_length=200)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("ngân hàng")
        verbose_name_plural = _("ngân hàng")

    def __str__(self):
        return f"{self.short_name} ({self.bin})"

    def clean(self):
        try:
            vietqr.validate_bin(self.bin)
        except vietqr.VietQRError as exc:
            raise ValidationError({"bin": exc.message}) from exc


class BankAccount(models.Model):
    """Where a producer's money goes: an account (or a card) at a bank. Removing one only archives it
    (`is_active`), because labels already printed keep paying into it."""

    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.CASCADE, related_name="bank_accounts",
        verbose_name=_("chủ thể OCOP"),
    )
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("ngân hàng"))
    account_number = models.CharField(_("số tài khoản / số thẻ"), max_length=vietqr.MAX_ACCOUNT_LENGTH)
    is_card = models.BooleanField(_("là số thẻ"), default=False)
    holder_name = models.CharField(
        _("tên chủ tài khoản"), max_length=70, validators=[validate_holder_name],
        help_text=_("Viết hoa, không dấu, như ngân hàng hiển thị: NGUYEN VAN AN."),
    )
    is_default = models.BooleanField(_("tài khoản mặc định"), default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "bank__short_name", "account_number"]
        verbose_name = _("tài khoản ngân hàng")
        verbose_name_plural = _("tài khoản ngân hàng")
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "bank", "account_number"], name="bank_account_unique_per_producer"
            ),
            models.UniqueConstraint(
                fields=["producer"], condition=models.Q(is_default=True, is_active=True),
                name="bank_account_one_default",
            ),
        ]

    def __str__(self):
        return f"{self.bank.short_name} {self.account_number} ({self.holder_name})"

    def clean(self):
        self.holder_name = normalise_holder_name(self.holder_name)
        try:
            self.account_number = vietqr.validate_account(self.account_number, is_card=self.is_card)
        except vietqr.VietQRError as exc:
            raise ValidationError({"account_number": exc.message}) from exc

    def save(self, *args, **kwargs):
        self.holder_name = normalise_holder_name(self.holder_name)
        self.account_number = re.sub(r"[\s.-]", "", self.account_number or "")
        super().save(*args, **kwargs)


def new_reference():
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class PaymentCode(models.Model):
    """A VietQR code for one product, paid into one of its producer's bank accounts.

    Reference code format (what transfer matching looks for): exactly 6 characters from
    `REFERENCE_ALPHABET` = "23456789ABCDEFGHJKMNPQRSTUVWXYZ" (digits 2-9 and upper-case letters
    without I, L, O), e.g. "K7P2QX". It is unique and written into the payload's purpose (tag 62-08)
    as "OCOP K7P2QX"; banks copy the purpose into the transfer's memo, sometimes without the space
    or in lower case. `amount` null means a static code (the buyer types the amount).
    """

    product = models.ForeignKey(
        "producers.OcopProduct", on_delete=models.CASCADE, related_name="payment_codes",
        verbose_name=_("sản phẩm"),
    )
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="payment_codes", verbose_name=_("tài khoản nhận"),
    )
    amount = models.PositiveBigIntegerField(
        _("số tiền (đồng)"), null=True, blank=True, help_text=_("Để trống: người mua tự nhập số tiền."),
    )
    reference = models.CharField(_("mã tham chiếu"), max_length=REFERENCE_LENGTH, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mã QR thanh toán")
        verbose_name_plural = _("mã QR thanh toán")
        indexes = [models.Index(fields=["product", "bank_account", "amount"])]

    def __str__(self):
        return f"{self.reference} · {self.product}"

    @property
    def purpose(self):
        return f"{PURPOSE_PREFIX} {self.reference}"

    @property
    def is_static(self):
        return self.amount is None

    @property
    def display_amount(self):
        """What the label shows: the code's amount, or the product's price for a static code."""
        return self.amount if self.amount is not None else self.product.price

    @property
    def payload(self):
        account = self.bank_account
        return vietqr.build_payload(
            bank_bin=account.bank.bin, account=account.account_number, is_card=account.is_card,
            amount=self.amount, purpose=self.purpose,
        )
