"""Sàn thử nghiệm (sandbox): a marketplace simulated in-process, with no network at all.

It lets `make demo` connect a shop, publish, and "sell" (`orders.simulate_order`). State lives in the
database (marketplace.models), so a retry finds an item by SKU and the demo survives restarts.

Outcomes can be forced per listing through `payload.attributes["sandbox_outcome"]`:
"reject" (RejectedError), "transient" (TransientError, retry after 1 s), "pending_review"
(published but waiting for review). Without it the item goes live at once.
"""
from __future__ import annotations

import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    AuthError,
    CallRecord,
    Capabilities,
    Connector,
    PublishResult,
    RateLimit,
    RejectedError,
    ShopCredentials,
    TransientError,
)
from .orders import order_from_row

ACCESS_LIFETIME = timedelta(days=1)
REFRESH_LIFETIME = timedelta(days=365)
TOKEN_PREFIX = "sandbox-"


class SandboxConnector(Connector):
    code = "sandbox"
    name = gettext_lazy("Sàn thử nghiệm (sandbox)")
    # connected at once with a shop name (its "consent page" is a redirect straight back)
    capabilities = Capabilities(auth="api_key", orders_polling=True, price_stock_updates=True)
    rate_limit = RateLimit(per_second=50.0, burst=100)

    # --- bookkeeping -------------------------------------------------------------------------

    def _record(self, operation, summary, started, *, response=None, error="", status=None):
        """A CallRecord like an HTTP one: 200 on success, 401/422/503 for the simulated errors."""
        if status is None:
            status = 422 if error else 200
        self.calls.append(
            CallRecord(
                operation=operation,
                method="LOCAL",
                url=f"sandbox://{operation}",
                request_summary=summary,
                status_code=status,
                response=response,
                error=error,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )

    def _check(self, credentials: ShopCredentials):
        if not credentials.access_token.startswith(TOKEN_PREFIX):
            raise AuthError(_("Sàn thử nghiệm: mã truy cập không hợp lệ, hãy kết nối lại gian hàng."),
                            code="invalid_token")
        expires = credentials.access_expires_at
        if expires is not None and expires <= timezone.now():
            raise AuthError(_("Sàn thử nghiệm: mã truy cập đã hết hạn, hãy kết nối lại gian hàng."),
                            code="token_expired")

    @staticmethod
    def _result(item, status="live", message=""):
        return PublishResult(
            external_id=item.external_id,
            url=reverse("marketplace:sandbox_item", args=[item.external_id]),
            status=status,
            message=message,
            raw={"external_id": item.external_id, "sku": item.sku, "active": item.active},
        )

    # --- authorisation -------------------------------------------------------------------------

    def authorization_url(self, *, state, redirect_uri):
        """No seller centre to visit: straight back to our callback with a code and a new shop id."""
        shop_id = "sbx-" + secrets.token_hex(4)
        query = urlencode({"code": TOKEN_PREFIX + secrets.token_hex(8), "state": state, "shop_id": shop_id})
        separator = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{separator}{query}"

    def _new_credentials(self, shop_id):
        now = timezone.now()
        return ShopCredentials(
            shop_id=shop_id,
            access_token=TOKEN_PREFIX + secrets.token_hex(16),
            refresh_token=TOKEN_PREFIX + secrets.token_hex(16),
            access_expires_at=now + ACCESS_LIFETIME,
            refresh_expires_at=now + REFRESH_LIFETIME,
            extra={"shop_name": f"Gian hàng thử nghiệm {shop_id}"},
        )

    def exchange_code(self, *, code, shop_id="", redirect_uri=""):
        started = time.monotonic()
        if not code.startswith(TOKEN_PREFIX):
            self._record("auth.token", {"shop_id": shop_id}, started, error="invalid_code", status=401)
            raise AuthError(_("Sàn thử nghiệm: mã ủy quyền không hợp lệ."), code="invalid_code")
        credentials = self._new_credentials(shop_id or "sbx-" + secrets.token_hex(4))
        self._record("auth.token", {"shop_id": credentials.shop_id}, started, response={"ok": True})
        return credentials

    def refresh(self, credentials):
        started = time.monotonic()
        expires = credentials.refresh_expires_at
        if not credentials.refresh_token.startswith(TOKEN_PREFIX) or (
            expires is not None and expires <= timezone.now()
        ):
            self._record("auth.refresh", {"shop_id": credentials.shop_id}, started, error="invalid_refresh",
                         status=401)
            raise AuthError(_("Sàn thử nghiệm: phiên ủy quyền đã hết hạn, hãy kết nối lại gian hàng."),
                            code="invalid_refresh_token")
        fresh = self._new_credentials(credentials.shop_id)
        fresh.refresh_expires_at = credentials.refresh_expires_at or fresh.refresh_expires_at
        self._record("auth.refresh", {"shop_id": credentials.shop_id}, started, response={"ok": True})
        return fresh

    # --- products ------------------------------------------------------------------------------

    def upload_images(self, credentials, images):
        from marketplace.models import SandboxImage

        started = time.monotonic()
        self._check(credentials)
        ids = []
        for image in images:
            image_id = "sbximg-" + secrets.token_hex(6)
            SandboxImage.objects.create(
                image_id=image_id, shop_id=credentials.shop_id, name=image.name[:200],
                content_type=image.content_type, content=image.content,
            )
            ids.append(image_id)
        self._record("image.upload", {"count": len(images)}, started, response={"image_ids": ids})
        return ids

    def publish(self, credentials, payload):
        from marketplace.models import SandboxItem

        started = time.monotonic()
        summary = {"sku": payload.sku, "name": payload.name, "price": payload.price,
                   "stock": payload.stock, "images": len(payload.images)}
        self._check(credentials)
        outcome = str(payload.attributes.get("sandbox_outcome", ""))
        problems = []
        if not payload.name.strip():
            problems.append(_("thiếu tên sản phẩm"))
        if payload.price <= 0:
            problems.append(_("giá phải lớn hơn 0"))
        if outcome == "reject":
            problems.append(_("nội dung vi phạm chính sách đăng bán (mô phỏng)"))
        if problems:
            message = _("Sàn thử nghiệm từ chối sản phẩm: %(reasons)s.") % {"reasons": "; ".join(problems)}
            self._record("product.add", summary, started, error=message)
            raise RejectedError(message, code="rejected")
        if outcome == "transient":
            message = _("Sàn thử nghiệm tạm thời không phản hồi (mô phỏng), sẽ thử lại.")
            self._record("product.add", summary, started, error=message, status=503)
            raise TransientError(message, code="unavailable", retry_after=1)

        image_ids = self.upload_images(credentials, payload.images) if payload.images else []
        fields = {
            "name": payload.name[:255], "description": payload.description, "price": payload.price,
            "stock": max(payload.stock, 0), "weight_grams": max(payload.weight_grams, 0),
            "category_id": payload.category_id, "gtin": payload.gtin, "brand": payload.brand,
            "image_ids": image_ids, "active": True,
        }
        try:
            with transaction.atomic():
                item, _created = SandboxItem.objects.update_or_create(
                    shop_id=credentials.shop_id, sku=payload.sku,
                    defaults=fields,
                    create_defaults={**fields, "external_id": _new_external_id()},
                )
        except IntegrityError:  # a concurrent publish of the same SKU won: return that item
            item = SandboxItem.objects.get(shop_id=credentials.shop_id, sku=payload.sku)
        status = "pending_review" if outcome == "pending_review" else "live"
        result = self._result(item, status=status)
        self._record("product.add", summary, started, response=result.raw)
        return result

    def find_by_sku(self, credentials, sku):
        from marketplace.models import SandboxItem

        started = time.monotonic()
        self._check(credentials)
        item = SandboxItem.objects.filter(shop_id=credentials.shop_id, sku=sku).first()
        result = self._result(item, status="live" if item.active else "delisted") if item else None
        self._record("product.find_by_sku", {"sku": sku}, started,
                     response=result.raw if result else {"found": False})
        return result

    def _item(self, credentials, external_id, operation, started, summary):
        from marketplace.models import SandboxItem

        item = SandboxItem.objects.filter(shop_id=credentials.shop_id, external_id=external_id).first()
        if item is None:
            message = _("Sàn thử nghiệm: không tìm thấy sản phẩm %(id)s trong gian hàng.") % {"id": external_id}
            self._record(operation, summary, started, error=message)
            raise RejectedError(message, code="item_not_found")
        return item

    def update_price_stock(self, credentials, external_id, *, price, stock):
        started = time.monotonic()
        summary = {"external_id": external_id, "price": price, "stock": stock}
        self._check(credentials)
        if price <= 0 or stock < 0:
            message = _("Sàn thử nghiệm từ chối: giá phải lớn hơn 0 và tồn kho không âm.")
            self._record("product.update_price_stock", summary, started, error=message)
            raise RejectedError(message, code="invalid_price_stock")
        item = self._item(credentials, external_id, "product.update_price_stock", started, summary)
        item.price, item.stock = price, stock
        item.save(update_fields=["price", "stock", "updated_at"])
        self._record("product.update_price_stock", summary, started, response={"ok": True})

    def delist(self, credentials, external_id):
        started = time.monotonic()
        summary = {"external_id": external_id}
        self._check(credentials)
        item = self._item(credentials, external_id, "product.delist", started, summary)
        item.active = False
        item.save(update_fields=["active", "updated_at"])
        self._record("product.delist", summary, started, response={"ok": True})

    # --- orders ---------------------------------------------------------------------------------

    def fetch_orders(self, credentials, since):
        from marketplace.models import SandboxOrder

        started = time.monotonic()
        self._check(credentials)
        rows = SandboxOrder.objects.filter(shop_id=credentials.shop_id, updated_at__gte=since)
        orders = [order_from_row(row) for row in rows]
        self._record("order.list", {"since": since.isoformat()}, started, response={"count": len(orders)})
        return orders

    def verify_push(self, *, headers, body, url):
        return False  # the sandbox sends no pushes: orders are fetched

    def parse_push(self, body):
        return []


def _new_external_id():
    return "sbx" + str(secrets.randbelow(10**10)).zfill(10)
