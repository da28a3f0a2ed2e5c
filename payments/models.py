import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import channels, vietqr

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

    class Review(models.TextChoices):
        APPROVED = "approved", _("Đã xác nhận")
        PENDING = "pending", _("Chờ cán bộ xác nhận")
        REJECTED = "rejected", _("Cán bộ từ chối")

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
    # Issue 12: an account is usable for codes and bank matching only once approved. A number another
    # producer already holds, or a holder name that does not fit the producer, waits for an officer.
    review_status = models.CharField(
        _("xác nhận"), max_length=10, choices=Review.choices, default=Review.APPROVED,
    )
    review_reason = models.CharField(_("lý do chờ xác nhận"), max_length=300, blank=True)
    review_note = models.CharField(_("ghi chú của cán bộ"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

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
            models.UniqueConstraint(
                fields=["bank", "account_number"], condition=models.Q(is_active=True, review_status="approved"),
                name="bank_account_one_holder_per_number",
            ),
        ]

    def __str__(self):
        return f"{self.bank.short_name} {self.account_number} ({self.holder_name})"

    @property
    def masked_number(self):
        """What notifications and the payout history show: the last four digits."""
        return f"***{self.account_number[-4:]}"

    @property
    def is_usable(self):
        return self.is_active and self.review_status == self.Review.APPROVED

    @property
    def is_pending(self):
        return self.is_active and self.review_status == self.Review.PENDING

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


def evidence_path(instance, filename):
    return f"sales-evidence/{instance.producer_id}/{filename}"


class InboundEvent(models.Model):
    """Every webhook body, stored raw before anything else happens, then processed by a task.

    `dedup_key` is the provider's own id for the event (SePay's transaction `id`, Casso's `data.id`,
    a marketplace's push id) and is unique per provider: a second delivery adds one to the first
    row's `deliveries` and stores nothing else. For bank notifications, the
    processing fills the transfer fields and, when the receiving account is known, `producer`
    (this is how producers see their events and their unmatched-transfer queue)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Đã nhận, chờ xử lý")
        MATCHED = "matched", _("Đã khớp")
        DUPLICATE = "duplicate", _("Trùng lặp")
        NO_MATCH = "no_match", _("Chưa khớp")
        IGNORED = "ignored", _("Không tính")
        DISMISSED = "dismissed", _("Đã bỏ qua")
        ERROR = "error", _("Lỗi")

    BADGES = {
        State.RECEIVED: "pending", State.MATCHED: "ok", State.DUPLICATE: "", State.NO_MATCH: "pending",
        State.IGNORED: "", State.DISMISSED: "", State.ERROR: "failed",
    }

    # The channel it came in by (payments.channels: bank-notification services and marketplaces).
    provider = models.CharField(_("nguồn"), max_length=20, choices=channels.choices)
    dedup_key = models.CharField(max_length=120, blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="duplicates"
    )
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"), default=False)
    body = models.TextField(_("nội dung gốc"))
    headers = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)
    state = models.CharField(_("trạng thái"), max_length=12, choices=State.choices, default=State.RECEIVED)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    processed_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    # The same event delivered again (a provider's retry, a replay) is not stored again: it is
    # counted here, on the first row (an F() update, so concurrent deliveries all count).
    deliveries = models.PositiveIntegerField(_("số lần nhận"), default=1)
    last_delivered_at = models.DateTimeField(_("nhận lần cuối lúc"), null=True, blank=True)
    # Bank transfer fields, filled by the processing.
    producer = models.ForeignKey(
        "producers.Producer", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_events",
        verbose_name=_("chủ thể OCOP"),
    )
    bank_account = models.ForeignKey(
        BankAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_events"
    )
    external_id = models.CharField(_("mã giao dịch"), max_length=120, blank=True)
    account_number = models.CharField(_("tài khoản nhận"), max_length=40, blank=True)
    amount = models.BigIntegerField(_("số tiền"), null=True, blank=True)
    content = models.CharField(_("nội dung chuyển khoản"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm giao dịch"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("sự kiện nhận về")
        verbose_name_plural = _("sự kiện nhận về")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "dedup_key"], condition=~models.Q(dedup_key=""),
                name="inbound_event_unique_provider_key",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "received_at"]),
            models.Index(fields=["producer", "state"]),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} #{self.pk} ({self.get_state_display()})"

    @property
    def badge(self):
        return self.BADGES.get(self.state, "")

    @property
    def is_bank(self):
        return self.provider in channels.bank_codes()

    @property
    def is_open(self):
        """In the unmatched-transfer queue: a bank transfer in that nobody assigned or dismissed."""
        return self.is_bank and self.state == self.State.NO_MATCH


class Transaction(models.Model):
    """One sale of one OCOP product, from wherever it happened. Only `completed` ones count.

    Idempotency: unique on (source, dedup_scope, external_id). `dedup_scope` is never null (NULLs
    are distinct in unique constraints on both SQLite and PostgreSQL), so the constraint holds even
    without a marketplace account:
      - marketplace_order: "account:<MarketplaceAccount id>", external_id "<order id>:<sku or item id>";
      - import:            "<marketplace>:producer:<Producer id>", same external_id form;
      - bank_transfer:     "bank:<receiving account number>", external_id "ref:<the bank's own reference>"
                           (the same from SePay and Casso), or "<provider>:<provider's id>" without one;
      - manual:            "manual", external_id a fresh uuid.

    Write these only through instance .save()/.create()/.delete() (never queryset.update() or
    bulk_create): the dashboard keeps summary tables from post_save/post_delete signals.
    """

    class Source(models.TextChoices):
        MARKETPLACE_ORDER = "marketplace_order", _("Đơn trên sàn")
        BANK_TRANSFER = "bank_transfer", _("Chuyển khoản")
        MANUAL = "manual", _("Tự khai báo")
        IMPORT = "import", _("Nhập từ tệp đơn hàng")

    class Status(models.TextChoices):
        COMPLETED = "completed", _("Hoàn thành")
        PENDING = "pending", _("Đang xử lý")
        CANCELLED = "cancelled", _("Đã hủy")
        REFUNDED = "refunded", _("Đã hoàn tiền")

    BADGES = {Status.COMPLETED: "ok", Status.PENDING: "pending", Status.CANCELLED: "failed", Status.REFUNDED: "failed"}

    product = models.ForeignKey(
        "producers.OcopProduct", on_delete=models.PROTECT, related_name="transactions", verbose_name=_("sản phẩm"),
    )
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.CASCADE, related_name="transactions", verbose_name=_("chủ thể OCOP"),
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    marketplace_account = models.ForeignKey(
        "listings.MarketplaceAccount", null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions",
        verbose_name=_("gian hàng"),
    )
    listing = models.ForeignKey(
        "listings.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions",
    )
    marketplace = models.CharField(_("sàn"), max_length=20, blank=True, default="")
    payment_code = models.ForeignKey(
        PaymentCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions",
        verbose_name=_("mã QR"),
    )
    inbound_event = models.ForeignKey(
        InboundEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="transactions",
    )
    dedup_scope = models.CharField(max_length=100)
    external_id = models.CharField(_("mã giao dịch"), max_length=200)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    occurred_at = models.DateTimeField(_("thời điểm bán"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.COMPLETED)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    evidence = models.FileField(_("chứng từ"), upload_to=evidence_path, blank=True, max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("giao dịch bán hàng")
        verbose_name_plural = _("giao dịch bán hàng")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dedup_scope", "external_id"], name="transaction_unique_source_scope_external",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "status", "occurred_at"], name="transaction_source_status_at"),
            models.Index(fields=["product", "source", "status", "occurred_at"], name="transaction_product_src_at"),
            models.Index(fields=["producer", "occurred_at"], name="transaction_producer_at"),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity} ({self.get_source_display()})"

    @property
    def badge(self):
        return self.BADGES.get(self.status, "")

    @property
    def counts(self):
        return self.status == self.Status.COMPLETED

    @property
    def is_self_reported(self):
        """A manual sale nobody at the department has confirmed yet: shown as "tự khai báo"."""
        return self.source == self.Source.MANUAL and self.confirmed_at is None and self.rejected_at is None

    @property
    def is_rejected(self):
        return self.rejected_at is not None
