import json
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.exceptions import InvalidTransition
from marketplace.connectors import registry

from .crypto import EncryptedTextField

EXPIRY_WARNING_DAYS = 7


class MarketplaceAccount(models.Model):
    """A producer's shop on one marketplace. Tokens are encrypted in the database."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Đang kết nối")
        EXPIRED = "expired", _("Hết hạn ủy quyền")
        REVOKED = "revoked", _("Đã ngắt kết nối")

    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.CASCADE, related_name="marketplace_accounts"
    )
    marketplace = models.CharField(_("sàn"), max_length=20, choices=registry.choices)
    shop_id = models.CharField(_("mã gian hàng"), max_length=100)
    shop_name = models.CharField(_("tên gian hàng"), max_length=255, blank=True)
    access_token = EncryptedTextField(blank=True, default="")
    refresh_token = EncryptedTextField(blank=True, default="")
    credentials_extra = EncryptedTextField(blank=True, default="")
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    authorization_expires_at = models.DateTimeField(
        _("ủy quyền hết hạn"), null=True, blank=True,
        help_text=_("Ngày người bán phải ủy quyền lại trên sàn (Shopee: 365 ngày)."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.CONNECTED
    )
    status_message = models.CharField(_("ghi chú"), max_length=500, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    last_order_sync_at = models.DateTimeField(_("lần đồng bộ đơn cuối"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["producer__name", "marketplace", "shop_name"]
        verbose_name = _("gian hàng trên sàn")
        verbose_name_plural = _("gian hàng trên sàn")
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "shop_id"], name="account_unique_shop"),
        ]
        indexes = [models.Index(fields=["status", "refresh_expires_at"])]

    def __str__(self):
        return f"{self.get_marketplace_display()} · {self.shop_name or self.shop_id}"

    @property
    def is_feed(self):
        """A marketplace with no seller API: a spreadsheet, then a product URL pasted by hand."""
        return self.marketplace in registry.codes(auth="feed")

    @property
    def is_connected(self):
        return self.status == self.Status.CONNECTED

    @property
    def extra(self):
        return json.loads(self.credentials_extra) if self.credentials_extra else {}

    @extra.setter
    def extra(self, value):
        self.credentials_extra = json.dumps(value or {}, default=str) if value else ""

    @property
    def reauthorize_by(self):
        """When the seller must authorise us again (the earliest of the deadlines we know)."""
        deadlines = [d for d in (self.authorization_expires_at, self.refresh_expires_at) if d]
        return min(deadlines) if deadlines else None

    def expires_within(self, days=EXPIRY_WARNING_DAYS):
        deadline = self.reauthorize_by
        return bool(deadline and self.is_connected and deadline <= timezone.now() + timedelta(days=days))


class CategoryMapping(models.Model):
    """Which category of a marketplace an OCOP group's products go to; set by administrators."""

    group = models.ForeignKey(
        "producers.ProductGroup", verbose_name=_("nhóm sản phẩm OCOP"), on_delete=models.CASCADE,
        related_name="category_mappings",
    )
    marketplace = models.CharField(_("sàn"), max_length=20, choices=registry.choices)
    category_id = models.CharField(_("mã ngành hàng trên sàn"), max_length=64)
    category_name = models.CharField(_("tên ngành hàng"), max_length=255, blank=True)

    class Meta:
        ordering = ["marketplace", "group__position"]
        verbose_name = _("ánh xạ ngành hàng")
        verbose_name_plural = _("ánh xạ ngành hàng")
        constraints = [
            models.UniqueConstraint(fields=["group", "marketplace"], name="category_mapping_unique"),
        ]

    def __str__(self):
        return f"{self.group} → {self.get_marketplace_display()} {self.category_id}"


class Listing(models.Model):
    """One OCOP product on one marketplace account. Its status changes only through `transition`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        QUEUED = "queued", _("Đang chờ gửi")
        PUBLISHING = "publishing", _("Đang gửi lên sàn")
        IN_REVIEW = "in_review", _("Chờ sàn duyệt")
        LIVE = "live", _("Đang bán")
        REJECTED = "rejected", _("Sàn từ chối")
        FAILED = "failed", _("Gửi thất bại")
        DELISTED = "delisted", _("Đã gỡ")

    TRANSITIONS = {
        Status.DRAFT: {Status.QUEUED},
        Status.QUEUED: {Status.PUBLISHING, Status.FAILED},
        # publishing -> queued: a transient error, a retry is scheduled (or a stuck job re-sent).
        Status.PUBLISHING: {Status.LIVE, Status.IN_REVIEW, Status.REJECTED, Status.FAILED, Status.QUEUED},
        Status.IN_REVIEW: {Status.LIVE, Status.REJECTED, Status.DELISTED},
        Status.LIVE: {Status.DELISTED},
        Status.REJECTED: {Status.QUEUED},
        Status.FAILED: {Status.QUEUED},
        Status.DELISTED: {Status.QUEUED},
    }
    IN_FLIGHT = (Status.QUEUED, Status.PUBLISHING)
    BADGES = {Status.IN_REVIEW: "pending", Status.DELISTED: ""}

    product = models.ForeignKey(
        "producers.OcopProduct", verbose_name=_("sản phẩm"), on_delete=models.CASCADE, related_name="listings"
    )
    account = models.ForeignKey(
        MarketplaceAccount, verbose_name=_("gian hàng"), on_delete=models.CASCADE, related_name="listings"
    )
    price_override = models.PositiveBigIntegerField(
        _("giá trên sàn (đồng)"), null=True, blank=True, help_text=_("Để trống: dùng giá của sản phẩm.")
    )
    stock_override = models.PositiveIntegerField(
        _("tồn kho trên sàn"), null=True, blank=True, help_text=_("Để trống: dùng tồn kho mặc định.")
    )
    external_id = models.CharField(_("mã sản phẩm trên sàn"), max_length=100, blank=True)
    url = models.CharField(_("đường dẫn sản phẩm"), max_length=500, blank=True)
    attributes = models.JSONField(
        _("thuộc tính riêng của sàn"), default=dict, blank=True,
        help_text=_("Gửi kèm khi đăng, ví dụ thuộc tính bắt buộc của ngành hàng."),
    )
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    status_message = models.TextField(_("thông báo của sàn"), blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    live_since = models.DateTimeField(null=True, blank=True)
    delisted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("niêm yết")
        verbose_name_plural = _("niêm yết")
        constraints = [
            models.UniqueConstraint(fields=["product", "account"], name="listing_unique_product_account"),
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"])]

    def __str__(self):
        return f"{self.product} @ {self.account}"

    @property
    def price(self):
        return self.price_override if self.price_override is not None else self.product.price

    @property
    def stock(self):
        if self.stock_override is not None:
            return self.stock_override
        return getattr(settings, "LISTING_DEFAULT_STOCK", 10)

    @property
    def badge(self):
        return self.BADGES.get(self.status, self.status)

    def can_transition(self, new_status):
        return new_status in self.TRANSITIONS.get(self.status, set())

    def transition(self, new_status, *, reason=""):
        """The one way a listing's status changes: refuses what the pipeline does not allow and
        keeps a history row (the dashboard counts "live during a period" from it)."""
        if not self.can_transition(new_status):
            raise InvalidTransition(
                _("Không thể chuyển niêm yết từ “%(old)s” sang “%(new)s”.")
                % {"old": self.get_status_display(), "new": self.Status(new_status).label}
            )
        now = timezone.now()
        old_status = self.status
        self.status = new_status
        self.status_message = reason
        self.status_changed_at = now
        fields = ["status", "status_message", "status_changed_at", "updated_at"]
        if new_status == self.Status.LIVE:
            self.live_since = now
            fields.append("live_since")
        elif new_status == self.Status.DELISTED:
            self.delisted_at = now
            fields.append("delisted_at")
        if new_status == self.Status.QUEUED:
            self.enqueued_at = now
            fields.append("enqueued_at")
        # the status and its history row together or not at all (one commit, no savepoint inside
        # a caller's transaction)
        with transaction.atomic(savepoint=False):
            self.save(update_fields=fields)
            ListingStatusChange.objects.create(
                listing=self, from_status=old_status, to_status=new_status, at=now, reason=reason[:2000]
            )


class ListingStatusChange(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=Listing.Status.choices)
    to_status = models.CharField(max_length=12, choices=Listing.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["to_status", "at"])]


class ListingAttempt(models.Model):
    """One call to a marketplace, kept with what was asked and answered (secrets redacted)."""

    class Operation(models.TextChoices):
        PUBLISH = "publish", _("Đăng sản phẩm")
        FIND = "find", _("Tìm theo SKU")
        UPLOAD_IMAGES = "upload_images", _("Tải ảnh")
        UPDATE = "update", _("Cập nhật giá, tồn kho")
        DELIST = "delist", _("Gỡ sản phẩm")
        REFRESH_TOKEN = "refresh_token", _("Làm mới ủy quyền")
        AUTHORIZE = "authorize", _("Ủy quyền gian hàng")
        OTHER = "other", _("Khác")

    listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    account = models.ForeignKey(MarketplaceAccount, on_delete=models.CASCADE, related_name="attempts")
    operation = models.CharField(_("thao tác"), max_length=20, choices=Operation.choices)
    call = models.CharField(_("lệnh gọi"), max_length=80, blank=True)
    method = models.CharField(max_length=10, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    request_summary = models.JSONField(default=dict, blank=True)
    response = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần gọi sàn")
        verbose_name_plural = _("lần gọi sàn")

    @property
    def succeeded(self):
        return not self.error and self.status_code is not None and self.status_code < 400
