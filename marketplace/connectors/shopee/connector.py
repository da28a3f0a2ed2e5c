"""Shopee Open Platform v2 (open.shopee.com developer guide): the connector.

Prices are in the shop's currency (VND for Vietnam), weights in kilograms. The product page URL
follows shopee.vn's public pattern. The signed calls are in `api`, the pushes in `webhooks`.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    AuthError,
    Capabilities,
    Connector,
    ConnectorError,
    ImageRef,
    ListingPayload,
    Order,
    OrderExport,
    OrderLine,
    PublishResult,
    PushEvent,
    RateLimit,
    RejectedError,
    ShopCredentials,
    numeric_category,
)
from . import api, webhooks
from .constants import (
    ACCESS_LIFETIME,
    LOGISTICS_CACHE_SECONDS,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    ORDER_DETAIL_BATCH,
    ORDER_STATUS,
    ORDER_WINDOW,
    PRODUCT_URL,
    REFRESH_LIFETIME,
)


class ShopeeConnector(Connector):
    code = "shopee"
    name = gettext_lazy("Shopee")
    capabilities = Capabilities(auth="oauth", orders_push=True, orders_polling=True, categories=True,
                                price_stock_updates=True, lost_push_recovery=True)
    rate_limit = RateLimit(per_second=5.0, burst=10)
    # "Đơn hàng" > "Xuất", one row per order line; columns from public parsers of real exports.
    order_export = OrderExport(
        columns={
            "order": ("ma don hang",), "date": ("ngay dat hang",), "status": ("trang thai don hang",),
            "sku": ("sku phan loai hang",), "parent_sku": ("sku san pham",), "name": ("ten san pham",),
            "quantity": ("so luong",), "total": ("tong gia ban (san pham)",), "unit": ("gia uu dai",),
            "cancel_reason": ("ly do huy",),
        },
        required=("order", "status", "quantity", "date"),
        source=gettext_lazy("Kênh Người Bán Shopee (cột “Mã đơn hàng”, “Trạng Thái Đơn Hàng”, “Số lượng”...)"),
    )

    # --- authorisation ---------------------------------------------------------------------------

    def authorization_url(self, *, state, redirect_uri):
        """Shopee's auth_partner carries no `state`: ours rides in the redirect URL's query."""
        separator = "&" if "?" in redirect_uri else "?"
        return api.auth_partner_url(f"{redirect_uri}{separator}{urlencode({'state': state})}")

    def _credentials(self, shop_id, body, previous=None) -> ShopCredentials:
        now = timezone.now()
        expire_in = int(body.get("expire_in") or ACCESS_LIFETIME.total_seconds())
        return ShopCredentials(
            shop_id=str(shop_id),
            access_token=body.get("access_token", ""),
            refresh_token=body.get("refresh_token", ""),
            access_expires_at=now + timedelta(seconds=expire_in),
            refresh_expires_at=now + REFRESH_LIFETIME,
            extra=dict(previous.extra) if previous else {},
        )

    def exchange_code(self, *, code, shop_id="", redirect_uri=""):
        partner_id, _key, _base = api.config()
        if not shop_id:
            raise ConnectorError(_("Shopee không trả về mã gian hàng (shop_id)."), code="missing_shop_id")
        body = api.call(self, "auth.token", "POST", "/api/v2/auth/token/get",
                        body={"code": code, "shop_id": int(shop_id), "partner_id": partner_id})
        credentials = self._credentials(shop_id, body)
        credentials.extra.update(self._shop_info(credentials))
        return credentials

    def _shop_info(self, credentials) -> dict:
        """Shop name and the date the seller's authorisation ends (up to 365 days)."""
        body = api.call(self, "shop.info", "GET", "/api/v2/shop/get_shop_info", credentials=credentials)
        info = {"shop_name": body.get("shop_name", "")}
        if body.get("expire_time"):
            info["authorization_expires_at"] = datetime.fromtimestamp(
                int(body["expire_time"]), tz=UTC).isoformat()
        return info

    def refresh(self, credentials):
        partner_id, _key, _base = api.config()
        try:
            body = api.call(self, "auth.refresh", "POST", "/api/v2/auth/access_token/get",
                            body={"refresh_token": credentials.refresh_token, "partner_id": partner_id,
                                  "shop_id": int(credentials.shop_id)})
        except RejectedError as error:  # a refused refresh token: only a new authorisation helps
            raise AuthError(_("Shopee không gia hạn được phiên kết nối, hãy kết nối lại gian hàng (%(detail)s).")
                            % {"detail": (error.raw or {}).get("message", error.code)},
                            code=error.code, raw=error.raw) from error
        return self._credentials(credentials.shop_id, body, previous=credentials)

    # --- products ----------------------------------------------------------------------------------

    def upload_images(self, credentials, images: list[ImageRef]) -> list[str]:
        ids = []
        for image in images[:MAX_IMAGES]:
            if len(image.content) > MAX_IMAGE_BYTES:
                raise RejectedError(_("Ảnh %(name)s lớn hơn 10 MB, Shopee không nhận.") % {"name": image.name},
                                    code="image_too_large")
            body = api.call(self, "image.upload", "POST", "/api/v2/media_space/upload_image",
                            files={"image": (image.name, image.content, image.content_type)})
            response = api.response(body)
            info = response.get("image_info") or (response.get("image_info_list") or [{}])[0].get("image_info", {})
            if not info.get("image_id"):
                raise ConnectorError(_("Shopee không trả về mã ảnh."), code="no_image_id", raw=body)
            ids.append(info["image_id"])
        return ids

    def _logistics(self, credentials) -> list[dict]:
        """The shop's enabled shipping channels: the ids the account names, else asked of Shopee once
        per shop every LOGISTICS_CACHE_SECONDS (publishing a catalogue then costs one call a
        product fewer; a channel the seller turns off meanwhile makes add_item refuse the product,
        which drops the cached list)."""
        configured = credentials.extra.get("logistic_ids")
        if configured:
            return [{"logistic_id": int(i), "enabled": True} for i in configured]
        key = self._logistics_key(credentials)
        cached = cache.get(key)
        if cached:
            return cached
        body = api.call(self, "logistics.channels", "GET", "/api/v2/logistics/get_channel_list",
                        credentials=credentials)
        channels = [c for c in api.response(body).get("logistics_channel_list", []) if c.get("enabled")]
        if not channels:
            raise RejectedError(_("Gian hàng Shopee chưa bật đơn vị vận chuyển nào: hãy bật trong Kênh Người Bán."),
                                code="no_logistics")
        logistics = [{"logistic_id": c["logistics_channel_id"], "enabled": True} for c in channels]
        cache.set(key, logistics, LOGISTICS_CACHE_SECONDS)
        return logistics

    def _logistics_key(self, credentials):
        return f"shopee:logistics:{api.config()[0]}:{credentials.shop_id}"

    def _url(self, credentials, item_id):
        return PRODUCT_URL.format(shop_id=credentials.shop_id, item_id=item_id)

    def publish(self, credentials, payload: ListingPayload) -> PublishResult:
        category_id = numeric_category(self, payload)
        if not payload.images:
            raise RejectedError(_("Shopee cần ít nhất một ảnh sản phẩm."), code="no_image")
        logistics = self._logistics(credentials)
        image_ids = self.upload_images(credentials, payload.images)
        item = {
            "item_name": payload.name,
            "description": payload.description,
            "original_price": payload.price,
            "seller_stock": [{"stock": payload.stock}],
            "weight": round(payload.weight_grams / 1000, 3),
            "category_id": category_id,
            "image": {"image_id_list": image_ids},
            "logistic_info": logistics,
            "item_sku": payload.sku,
            "item_status": "NORMAL",
            "condition": "NEW",
            "brand": {"brand_id": 0, "original_brand_name": payload.brand or "NoBrand"},
            "gtin_code": payload.gtin or "00",
        }
        item.update(payload.attributes.get(self.code, {}))
        try:
            body = api.call(self, "product.add_item", "POST", "/api/v2/product/add_item", credentials=credentials,
                            body=item)
            response = api.response(body)
        except RejectedError:
            cache.delete(self._logistics_key(credentials))  # perhaps a channel turned off: ask again next time
            raise
        item_id = response.get("item_id")
        if not item_id:
            raise ConnectorError(_("Shopee không trả về mã sản phẩm."), code="no_item_id", raw=body)
        status = "pending_review" if response.get("item_status") == "REVIEWING" else "live"
        return PublishResult(external_id=str(item_id), url=self._url(credentials, item_id), status=status,
                             message=str(body.get("warning") or ""), raw=response)

    def find_by_sku(self, credentials, sku):
        """search_item matches SKU keywords; the exact SKU is then checked on each item's base info."""
        body = api.call(self, "product.search_item", "GET", "/api/v2/product/search_item", credentials=credentials,
                        query={"item_sku": sku, "page_size": 100, "offset": 0})
        item_ids = api.response(body).get("item_id_list") or []
        if not item_ids:
            return None
        body = api.call(self, "product.get_item_base_info", "GET", "/api/v2/product/get_item_base_info",
                        credentials=credentials, query={"item_id_list": ",".join(str(i) for i in item_ids[:50])})
        for item in api.response(body).get("item_list", []):
            if item.get("item_sku") != sku or item.get("item_status") in ("DELETED", "SHOPEE_DELETE", "BANNED"):
                continue
            status = {"NORMAL": "live", "REVIEWING": "pending_review"}.get(item.get("item_status"), "delisted")
            return PublishResult(external_id=str(item["item_id"]), url=self._url(credentials, item["item_id"]),
                                 status=status, raw=item)
        return None

    @staticmethod
    def _failures(body, what):
        failures = (body.get("response") or {}).get("failure_list") or []
        if failures:
            reasons = "; ".join(str(f.get("failed_reason") or f) for f in failures)
            raise RejectedError(_("Shopee không %(what)s: %(reasons)s") % {"what": what, "reasons": reasons},
                                code="failure_list", raw=body)

    def update_price_stock(self, credentials, external_id, *, price, stock):
        item_id = int(external_id)
        body = api.call(self, "product.update_price", "POST", "/api/v2/product/update_price", credentials=credentials,
                        body={"item_id": item_id, "price_list": [{"model_id": 0, "original_price": price}]})
        self._failures(body, _("cập nhật được giá"))
        body = api.call(self, "product.update_stock", "POST", "/api/v2/product/update_stock", credentials=credentials,
                        body={"item_id": item_id,
                              "stock_list": [{"model_id": 0, "seller_stock": [{"stock": stock}]}]})
        self._failures(body, _("cập nhật được tồn kho"))

    def delist(self, credentials, external_id):
        body = api.call(self, "product.unlist_item", "POST", "/api/v2/product/unlist_item", credentials=credentials,
                        body={"item_list": [{"item_id": int(external_id), "unlist": True}]})
        self._failures(body, _("ngừng bán được sản phẩm"))

    # --- orders ------------------------------------------------------------------------------------

    def fetch_orders(self, credentials, since):
        """Orders updated since `since`: 15-day windows, cursor paging, details 50 at a time."""
        now = timezone.now()
        order_sns: list[str] = []
        seen: set[str] = set()
        start = since
        while start < now:
            end = min(start + ORDER_WINDOW, now)
            cursor = ""
            while True:
                body = api.call(self, "order.get_order_list", "GET", "/api/v2/order/get_order_list",
                                credentials=credentials, query={
                                    "time_range_field": "update_time", "time_from": int(start.timestamp()),
                                    "time_to": int(end.timestamp()), "page_size": 100, "cursor": cursor})
                response = api.response(body)
                for entry in response.get("order_list", []):
                    if entry["order_sn"] not in seen:
                        seen.add(entry["order_sn"])
                        order_sns.append(entry["order_sn"])
                cursor = response.get("next_cursor") or ""
                if not response.get("more") or not cursor:
                    break
            start = end
        orders = []
        for i in range(0, len(order_sns), ORDER_DETAIL_BATCH):
            batch = order_sns[i:i + ORDER_DETAIL_BATCH]
            body = api.call(self, "order.get_order_detail", "GET", "/api/v2/order/get_order_detail",
                            credentials=credentials, query={
                                "order_sn_list": ",".join(batch),
                                "response_optional_fields": "item_list,total_amount,order_status"})
            orders += [self._order(o) for o in api.response(body).get("order_list", [])]
        return orders

    @staticmethod
    def _order(raw) -> Order:
        lines = []
        for item in raw.get("item_list", []):
            quantity = int(item.get("model_quantity_purchased") or 0)
            unit = item.get("model_discounted_price") or item.get("model_original_price") or 0
            lines.append(OrderLine(external_item_id=str(item.get("item_id", "")),
                                   sku=item.get("model_sku") or item.get("item_sku") or "",
                                   quantity=quantity, amount=round(float(unit) * quantity)))
        created = datetime.fromtimestamp(int(raw.get("create_time", 0)), tz=UTC)
        updated_ts = int(raw.get("update_time") or raw.get("create_time", 0))
        updated = datetime.fromtimestamp(updated_ts, tz=UTC)
        return Order(external_id=raw["order_sn"], status=ORDER_STATUS.get(raw.get("order_status"), "pending"),
                     created_at=created, updated_at=updated, lines=lines, raw=raw)

    # --- push --------------------------------------------------------------------------------------

    def verify_push(self, *, headers, body, url):
        return webhooks.verify(headers=headers, body=body, url=url)

    def parse_push(self, body):
        return webhooks.parse(body)

    def push_changed_at(self, payload):
        return webhooks.changed_at(payload) or self.push_sent_at(payload)

    def push_dedup_key(self, payload):
        return webhooks.dedup_key(payload) or super().push_dedup_key(payload)

    def push_callback_url(self, request_url):
        return webhooks.callback_url(request_url)

    def get_lost_push_message(self) -> tuple[list[PushEvent], int | None, bool]:
        """The earliest 100 pushes of the last 3 days that we did not acknowledge (partner level)."""
        body = api.call(self, "push.get_lost_push_message", "GET", "/api/v2/push/get_lost_push_message")
        response = api.response(body)
        events = [webhooks.event(m) for m in response.get("push_message_list", [])]
        return events, response.get("last_message_id"), bool(response.get("has_next_page"))

    def confirm_consumed_lost_push_message(self, last_message_id: int) -> None:
        api.call(self, "push.confirm_consumed_lost_push_message", "POST",
                 "/api/v2/push/confirm_consumed_lost_push_message", body={"last_message_id": last_message_id})
