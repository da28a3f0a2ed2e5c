import secrets
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.exceptions import InvalidTransition

from .text import name_key
from .validators import validate_gtin, validate_tax_code

CERTIFICATE_VALIDITY_MONTHS = 36  # Decision 148/QĐ-TTg: a certificate is valid 36 months.
MAX_PHOTOS_PER_PRODUCT = 9


class Province(models.Model):
    """A province-level unit since 1 July 2025 (34 of them), from the `vietnam-provinces` package."""

    code = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    codename = models.CharField(max_length=100)
    division_type = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")

    def __str__(self):
        return self.name


class Commune(models.Model):
    """A commune, ward or special zone: the lower tier of local government since 1 July 2025."""

    code = models.PositiveIntegerField(primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    name = models.CharField(_("tên"), max_length=100)
    codename = models.CharField(max_length=100)
    division_type = models.CharField(max_length=40)
    name_key = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("xã/phường")
        verbose_name_plural = _("xã/phường")

    def __str__(self):
        return self.name


class ProductGroup(models.Model):
    """An OCOP product group (Decision 919/QĐ-TTg has six); data, since a programme may change them."""

    code = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(_("tên nhóm"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("nhóm sản phẩm OCOP")
        verbose_name_plural = _("nhóm sản phẩm OCOP")

    def __str__(self):
        return self.name


class Producer(models.Model):
    """An OCOP subject: the cooperative, group, enterprise or household business behind products."""

    class Kind(models.TextChoices):
        COOPERATIVE = "HTX", _("Hợp tác xã (HTX)")
        COOPERATIVE_GROUP = "THT", _("Tổ hợp tác (THT)")
        ENTERPRISE = "DN", _("Doanh nghiệp (DN)")
        HOUSEHOLD = "HKD", _("Hộ kinh doanh (HKD)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xác minh")
        VERIFIED = "verified", _("Đã xác minh")
        SUSPENDED = "suspended", _("Tạm ngừng")

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.SUSPENDED},
        Status.VERIFIED: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.VERIFIED},
    }

    kind = models.CharField(_("loại hình"), max_length=3, choices=Kind.choices)
    name = models.CharField(_("tên chủ thể"), max_length=255)
    name_key = models.CharField(max_length=255, editable=False, db_index=True)
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, blank=True, validators=[validate_tax_code]
    )
    claimed_tax_code = models.CharField(
        _("mã số thuế khai khi đăng ký (đang thuộc chủ thể khác)"), max_length=14, blank=True,
        help_text=_("Cán bộ Sở xem xét trước khi xác minh; khi mã được giải phóng, xác minh sẽ gán mã này."),
    )
    representative = models.CharField(_("người đại diện"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="producers",
        null=True, blank=True,
    )
    old_district = models.CharField(
        _("huyện cũ (trước 01/07/2025)"), max_length=100, blank=True,
        help_text=_("Giữ nguyên như văn bản cũ ghi, ví dụ: huyện Văn Yên."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_note = models.CharField(_("ghi chú xác minh"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chủ thể OCOP")
        verbose_name_plural = _("chủ thể OCOP")
        permissions = [("act_as_officer", _("Cán bộ Sở Công Thương: xem và xác minh toàn tỉnh"))]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~models.Q(tax_code=""), name="producer_unique_tax_code"
            ),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["name_key", "commune"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        """The tax code fits the kind: a household business's may be its owner's personal number, an
        organisation's may not (the field's own validator does not know the kind). A code claimed while
        another producer holds it is the one the portal shows in the tax code's place, so is its error."""
        super().clean()
        household = self.kind == self.Kind.HOUSEHOLD if self.kind in self.Kind.values else None
        for code in (self.tax_code, self.claimed_tax_code):
            if code:
                try:
                    validate_tax_code(code, household=household)
                except ValidationError as exc:
                    raise ValidationError({"tax_code": exc.messages}) from exc

    @property
    def is_verified(self):
        return self.status == self.Status.VERIFIED

    def set_status(self, new_status, *, by=None, note=""):
        """The one way a producer's status changes; refuses transitions the pipeline does not allow."""
        if new_status not in self.Status.values:
            raise InvalidTransition(_("Trạng thái không hợp lệ."))
        if new_status not in self.TRANSITIONS.get(self.status, set()):
            raise InvalidTransition(
                _("Không thể chuyển trạng thái từ “%(old)s” sang “%(new)s”.")
                % {"old": self.get_status_display(), "new": self.Status(new_status).label}
            )
        fields = ["status", "status_changed_at", "status_changed_by", "status_note", "updated_at"]
        if new_status == self.Status.VERIFIED and self.claimed_tax_code:
            holder = self.tax_code_holder()
            if holder is not None:
                raise InvalidTransition(
                    _("Mã số thuế %(code)s khai khi đăng ký đang thuộc chủ thể “%(name)s”: làm rõ với hai "
                      "bên trước khi xác minh, hoặc từ chối hồ sơ này.")
                    % {"code": self.claimed_tax_code, "name": holder.name}
                )
            self.tax_code, self.claimed_tax_code = self.claimed_tax_code, ""
            fields += ["tax_code", "claimed_tax_code"]
        self.status = new_status
        self.status_changed_at = timezone.now()
        self.status_changed_by = by
        self.status_note = note
        self.save(update_fields=fields)

    def tax_code_holder(self):
        """The other producer holding the tax code this one claimed at sign-up, if any."""
        if not self.claimed_tax_code:
            return None
        return Producer.objects.filter(tax_code=self.claimed_tax_code).exclude(pk=self.pk).first()


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Chủ sở hữu")
        STAFF = "staff", _("Nhân viên")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        constraints = [models.UniqueConstraint(fields=["user", "producer"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.producer} ({self.role})"


def _invitation_token():
    return secrets.token_urlsafe(24)


def _invitation_expiry():
    return timezone.now() + timedelta(days=7)


class Invitation(models.Model):
    """An owner invites a staff member by email; the link works once, for seven days."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.STAFF)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_open(self):
        return self.accepted_at is None and self.expires_at > timezone.now()


class OcopProduct(models.Model):
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("tên sản phẩm"), max_length=255)
    name_key = models.CharField(max_length=255, editable=False)
    group = models.ForeignKey(
        ProductGroup, verbose_name=_("nhóm sản phẩm"), on_delete=models.PROTECT, related_name="products"
    )
    subgroup = models.CharField(_("phân nhóm"), max_length=120, blank=True)
    stars = models.PositiveSmallIntegerField(
        _("hạng sao"), validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    certificate_number = models.CharField(_("số quyết định công nhận"), max_length=60, blank=True)
    certificate_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    certificate_expiry = models.DateField(
        _("ngày hết hạn chứng nhận"), null=True, blank=True,
        help_text=_("Để trống: tự tính 36 tháng sau ngày quyết định."),
    )
    unit = models.CharField(_("quy cách"), max_length=60, blank=True, help_text=_("Ví dụ: hộp 500 g"))
    price = models.PositiveBigIntegerField(_("giá bán (đồng)"), default=0)
    weight_grams = models.PositiveIntegerField(_("khối lượng (gam)"), null=True, blank=True)
    gtin = models.CharField(_("mã vạch GTIN"), max_length=14, blank=True, validators=[validate_gtin])
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sản phẩm OCOP")
        verbose_name_plural = _("sản phẩm OCOP")
        constraints = [
            models.UniqueConstraint(fields=["producer", "name_key"], name="product_unique_per_producer"),
            models.CheckConstraint(condition=models.Q(stars__gte=3, stars__lte=5), name="product_stars_3_to_5"),
        ]
        indexes = [models.Index(fields=["group", "stars"]), models.Index(fields=["certificate_expiry"])]

    def __str__(self):
        return self.name

    @property
    def sku(self):
        """The seller SKU we give marketplaces; stable, so a retry finds the item it created."""
        return f"OCOP-{self.pk:06d}"

    @staticmethod
    def expiry_for(certificate_date):
        return certificate_date + relativedelta(months=CERTIFICATE_VALIDITY_MONTHS) if certificate_date else None

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        if self.certificate_expiry is None:
            self.certificate_expiry = self.expiry_for(self.certificate_date)
        super().save(*args, **kwargs)

    def certificate_valid_on(self, day):
        return self.certificate_expiry is None or self.certificate_expiry >= day


def photo_path(instance, filename):
    return f"products/{instance.product_id}/{filename}"


class ProductPhoto(models.Model):
    """A product photo, normalised: orientation applied, metadata stripped, at most 2048 px,
    with a white-padded square derivative of at least 800 × 800 for marketplaces."""

    product = models.ForeignKey(OcopProduct, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    square = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    original_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ảnh sản phẩm")
        verbose_name_plural = _("ảnh sản phẩm")


class DataDeletionRequest(models.Model):
    """A producer asks for its personal data to be erased (Law 91/2025/QH15 on personal data).

    An officer carries it out: people's details are erased and their accounts closed, while the
    product and sales figures the province must report stay, no longer tied to a person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        DONE = "done", _("Đã xoá")
        REJECTED = "rejected", _("Từ chối")

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="deletion_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("lý do"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
