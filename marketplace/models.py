"""State of the sandbox marketplace: a shop simulated in-process, kept in the database.

Kept in the database (not a cache) so a retry finds an item by its SKU exactly like on a real
marketplace, and the demo survives restarts. Nothing here talks to a real marketplace.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxImage(models.Model):
    image_id = models.CharField(_("mã ảnh"), max_length=40, unique=True)
    shop_id = models.CharField(_("mã gian hàng"), max_length=64, db_index=True)
    name = models.CharField(_("tên tệp"), max_length=200, blank=True)
    content_type = models.CharField(max_length=50, default="image/jpeg")
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ảnh sàn thử nghiệm")
        verbose_name_plural = _("ảnh sàn thử nghiệm")

    def __str__(self):
        return self.image_id


class SandboxItem(models.Model):
    shop_id = models.CharField(_("mã gian hàng"), max_length=64)
    sku = models.CharField(_("mã SKU"), max_length=100)
    external_id = models.CharField(_("mã sản phẩm trên sàn"), max_length=40, unique=True)
    name = models.CharField(_("tên sản phẩm"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    price = models.PositiveBigIntegerField(_("giá (đồng)"))
    stock = models.PositiveIntegerField(_("tồn kho"), default=0)
    weight_grams = models.PositiveIntegerField(_("khối lượng (g)"), default=0)
    category_id = models.CharField(_("danh mục"), max_length=64, blank=True)
    gtin = models.CharField(_("mã vạch"), max_length=20, blank=True)
    brand = models.CharField(_("thương hiệu"), max_length=100, blank=True)
    image_ids = models.JSONField(_("ảnh"), default=list, blank=True)
    active = models.BooleanField(_("đang bán"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sản phẩm sàn thử nghiệm")
        verbose_name_plural = _("sản phẩm sàn thử nghiệm")
        constraints = [
            models.UniqueConstraint(fields=["shop_id", "sku"], name="sandbox_item_unique_sku_per_shop")
        ]

    def __str__(self):
        return f"{self.external_id} {self.name}"


class SandboxOrder(models.Model):
    class Status(models.TextChoices):
        COMPLETED = "completed", _("Hoàn thành")
        PENDING = "pending", _("Đang xử lý")
        CANCELLED = "cancelled", _("Đã hủy")
        REFUNDED = "refunded", _("Đã hoàn tiền")

    shop_id = models.CharField(_("mã gian hàng"), max_length=64, db_index=True)
    external_id = models.CharField(_("mã đơn hàng"), max_length=40, unique=True)
    item = models.ForeignKey(SandboxItem, on_delete=models.PROTECT, related_name="orders")
    sku = models.CharField(_("mã SKU"), max_length=100)
    quantity = models.PositiveIntegerField(_("số lượng"))
    amount = models.PositiveBigIntegerField(_("thành tiền (đồng)"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status, default=Status.COMPLETED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("đơn hàng sàn thử nghiệm")
        verbose_name_plural = _("đơn hàng sàn thử nghiệm")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.external_id
