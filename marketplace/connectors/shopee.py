"""Shopee Open Platform v2 (open.shopee.com developer guide).

Signing: HMAC-SHA256 with the partner key over `partner_id + api_path + timestamp` (public APIs),
followed by `access_token + shop_id` (shop APIs); lower-case hex in the `sign` query parameter.
Timestamps are valid for 5 minutes. Every answer is `{error, message, warning, request_id,
response}`; an empty `error` is success. Prices are in the shop's currency (VND for Vietnam),
weights in kilograms. The product page URL follows shopee.vn's public pattern.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace import http

from .base import (
    AuthError,
    Connector,
    ConnectorError,
    ImageRef,
    ListingPayload,
    Order,
    OrderLine,
    PublishResult,
    PushEvent,
    RejectedError,
    ShopCredentials,
    TransientError,
    numeric_category,
)

ACCESS_LIFETIME = timedelta(hours=4)
REFRESH_LIFETIME = timedelta(days=30)
ORDER_WINDOW = timedelta(days=15)
ORDER_DETAIL_BATCH = 50
MAX_IMAGES = 9
MAX_IMAGE_BYTES = 10 * 1024 * 1024
PRODUCT_URL = "https://shopee.vn/product/{shop_id}/{item_id}"
LOGISTICS_CACHE_SECONDS = 600

AUTH_ERRORS = {"error_auth", "invalid_access_token", "invalid_acceess_token", "error_invalid_token",
               "invalid_refresh_token", "error_permission", "error_token", "invalid_code"}
TRANSIENT_ERRORS = {"error_server", "error_inner", "error_busy", "error_system_busy", "error_network",
                    "error_rate_limit", "error_too_many_request", "error_timeout"}
CONFIG_ERRORS = {"error_sign", "error_partner", "invalid_partner_id", "error_not_found"}

ORDER_STATUS = {
    "COMPLETED": "completed",
    "CANCELLED": "cancelled",
    "IN_CANCEL": "cancelled",
    "TO_RETURN": "refunded",
}
PUSH_KINDS = {3: "order", 4: "order", 15: "order", 6: "product", 8: "product", 13: "product"}


def base_string(partner_id, path: str, timestamp: int, access_token: str = "", shop_id="") -> str:
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def sign(partner_key: str, partner_id, path: str, timestamp: int, access_token: str = "", shop_id="") -> str:
    base = base_string(partner_id, path, timestamp, access_token, shop_id)
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


class ShopeeConnector(Connector):
    code = "shopee"
    name = gettext_lazy("Shopee")

    # --- plumbing -------------------------------------------------------------------------------

    @staticmethod
    def _config():
        partner_id, key = settings.SHOPEE_PARTNER_ID, settings.SHOPEE_PARTNER_KEY
        if not partner_id or not key:
            raise ConnectorError(_("Chưa cấu hình mã đối tác Shopee (SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY)."),
                                 code="not_configured")
        return int(partner_id), key, settings.SHOPEE_API_BASE.rstrip("/")

    def _classify(self, status_code, body):
        if not isinstance(body, dict):
            return None if status_code < 400 else ConnectorError(
                _("Shopee trả lời không đọc được (mã %(status)s).") % {"status": status_code},
                code=f"http_{status_code}")
        code = str(body.get("error") or "")
        if not code:
            return None
        short = code.rsplit(".", 1)[-1]
        detail = str(body.get("message") or code)
        args = {"code": code, "raw": body}
        if short in AUTH_ERRORS or "access_token" in short or "acceess_token" in short:
            return AuthError(_("Shopee không chấp nhận quyền truy cập của gian hàng, "
                               "hãy kết nối lại gian hàng (%(detail)s).") % {"detail": detail}, **args)
        if short in TRANSIENT_ERRORS or "busy" in short or "too_many" in short:
            return TransientError(_("Shopee đang bận, sẽ thử lại sau (%(detail)s).") % {"detail": detail}, **args)
        if short in CONFIG_ERRORS or (short == "error_param" and "timestamp" in detail.lower()):
            return ConnectorError(
                _("Lỗi kết nối với Shopee do cấu hình của hệ thống: %(detail)s") % {"detail": detail}, **args)
        return RejectedError(_("Shopee từ chối: %(detail)s") % {"detail": detail}, **args)

    def _call(self, operation, method, path, *, credentials=None, query=None, body=None, files=None):
        partner_id, key, base = self._config()
        timestamp = int(time.time())
        params = {"partner_id": partner_id, "timestamp": timestamp}
        if credentials is not None:
            params["access_token"] = credentials.access_token
            params["shop_id"] = int(credentials.shop_id)
            params["sign"] = sign(key, partner_id, path, timestamp, credentials.access_token, params["shop_id"])
        else:
            params["sign"] = sign(key, partner_id, path, timestamp)
        params.update(query or {})
        return http.call(self, operation, method, base + path, params=params, json=body, files=files,
                         summary=(query or {}) | (body or {}) if files is None else dict(query or {}),
                         classify=self._classify)

    @staticmethod
    def _response(body) -> dict:
        return body.get("response") or {} if isinstance(body, dict) else {}

    # --- authorisation ---------------------------------------------------------------------------

    def authorization_url(self, *, state, redirect_uri):
        """Shopee's auth_partner carries no `state`: ours rides in the redirect URL's query."""
        partner_id, key, base = self._config()
        path = "/api/v2/shop/auth_partner"
        timestamp = int(time.time())
        separator = "&" if "?" in redirect_uri else "?"
        redirect = f"{redirect_uri}{separator}{urlencode({'state': state})}"
        query = urlencode({"partner_id": partner_id, "timestamp": timestamp,
                           "sign": sign(key, partner_id, path, timestamp), "redirect": redirect})
        return f"{base}{path}?{query}"

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
        partner_id, _key, _base = self._config()
        if not shop_id:
            raise ConnectorError(_("Shopee không trả về mã gian hàng (shop_id)."), code="missing_shop_id")
        body = self._call("auth.token", "POST", "/api/v2/auth/token/get",
                          body={"code": code, "shop_id": int(shop_id), "partner_id": partner_id})
        credentials = self._credentials(shop_id, body)
        credentials.extra.update(self._shop_info(credentials))
        return credentials

    def _shop_info(self, credentials) -> dict:
        """Shop name and the date the seller's authorisation ends (up to 365 days)."""
        body = self._call("shop.info", "GET", "/api/v2/shop/get_shop_info", credentials=credentials)
        info = {"shop_name": body.get("shop_name", "")}
        if body.get("expire_time"):
            info["authorization_expires_at"] = datetime.fromtimestamp(
                int(body["expire_time"]), tz=dt_timezone.utc).isoformat()
        return info

    def refresh(self, credentials):
        partner_id, _key, _base = self._config()
        try:
            body = self._call("auth.refresh", "POST", "/api/v2/auth/access_token/get",
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
            body = self._call("image.upload", "POST", "/api/v2/media_space/upload_image",
                              files={"image": (image.name, image.content, image.content_type)})
            response = self._response(body)
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
        body = self._call("logistics.channels", "GET", "/api/v2/logistics/get_channel_list", credentials=credentials)
        channels = [c for c in self._response(body).get("logistics_channel_list", []) if c.get("enabled")]
        if not channels:
            raise RejectedError(_("Gian hàng Shopee chưa bật đơn vị vận chuyển nào: hãy bật trong Kênh Người Bán."),
                                code="no_logistics")
        logistics = [{"logistic_id": c["logistics_channel_id"], "enabled": True} for c in channels]
        cache.set(key, logistics, LOGISTICS_CACHE_SECONDS)
        return logistics

    def _logistics_key(self, credentials):
        return f"shopee:logistics:{self._config()[0]}:{credentials.shop_id}"

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
            body = self._call("product.add_item", "POST", "/api/v2/product/add_item", credentials=credentials,
                              body=item)
            response = self._response(body)
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
        body = self._call("product.search_item", "GET", "/api/v2/product/search_item", credentials=credentials,
                          query={"item_sku": sku, "page_size": 100, "offset": 0})
        item_ids = self._response(body).get("item_id_list") or []
        if not item_ids:
            return None
        body = self._call("product.get_item_base_info", "GET", "/api/v2/product/get_item_base_info",
                          credentials=credentials, query={"item_id_list": ",".join(str(i) for i in item_ids[:50])})
        for item in self._response(body).get("item_list", []):
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
        body = self._call("product.update_price", "POST", "/api/v2/product/update_price", credentials=credentials,
                          body={"item_id": item_id, "price_list": [{"model_id": 0, "original_price": price}]})
        self._failures(body, _("cập nhật được giá"))
        body = self._call("product.update_stock", "POST", "/api/v2/product/update_stock", credentials=credentials,
                          body={"item_id": item_id,
                                "stock_list": [{"model_id": 0, "seller_stock": [{"stock": stock}]}]})
        self._failures(body, _("cập nhật được tồn kho"))

    def delist(self, credentials, external_id):
        body = self._call("product.unlist_item", "POST", "/api/v2/product/unlist_item", credentials=credentials,
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
                body = self._call("order.get_order_list", "GET", "/api/v2/order/get_order_list",
                                  credentials=credentials, query={
                                      "time_range_field": "update_time", "time_from": int(start.timestamp()),
                                      "time_to": int(end.timestamp()), "page_size": 100, "cursor": cursor})
                response = self._response(body)
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
            body = self._call("order.get_order_detail", "GET", "/api/v2/order/get_order_detail",
                              credentials=credentials, query={
                                  "order_sn_list": ",".join(batch),
                                  "response_optional_fields": "item_list,total_amount,order_status"})
            orders += [self._order(o) for o in self._response(body).get("order_list", [])]
        return orders

    @staticmethod
    def _order(raw) -> Order:
        lines = []
        for item in raw.get("item_list", []):
            quantity = int(item.get("model_quantity_purchased") or 0)
            unit = item.get("model_discounted_price") or item.get("model_original_price") or 0
            lines.append(OrderLine(external_item_id=str(item.get("item_id", "")),
                                   sku=item.get("model_sku") or item.get("item_sku") or "",
                                   quantity=quantity, amount=int(round(float(unit) * quantity))))
        created = datetime.fromtimestamp(int(raw.get("create_time", 0)), tz=dt_timezone.utc)
        updated_ts = int(raw.get("update_time") or raw.get("create_time", 0))
        updated = datetime.fromtimestamp(updated_ts, tz=dt_timezone.utc)
        return Order(external_id=raw["order_sn"], status=ORDER_STATUS.get(raw.get("order_status"), "pending"),
                     created_at=created, updated_at=updated, lines=lines, raw=raw)

    # --- push --------------------------------------------------------------------------------------

    def verify_push(self, *, headers, body, url):
        key = settings.SHOPEE_PARTNER_KEY
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not key or not given:
            return False
        return hmac.compare_digest(push_signature(key, url, body), given.strip().lower())

    def parse_push(self, body):
        try:
            payload = json.loads(body)
        except ValueError:
            return []
        return [self._event(payload)] if isinstance(payload, dict) else []

    def _event(self, payload) -> PushEvent:
        data = payload.get("data") or {}
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                data = {}
        kind = PUSH_KINDS.get(int(payload.get("code") or 0), "other")
        external_id = data.get("ordersn") or data.get("order_sn") or data.get("item_id") or ""
        return PushEvent(kind=kind, external_id=str(external_id), shop_id=str(payload.get("shop_id") or ""),
                         raw=payload)

    def get_lost_push_message(self) -> tuple[list[PushEvent], int | None, bool]:
        """The earliest 100 pushes of the last 3 days that we did not acknowledge (partner level)."""
        body = self._call("push.get_lost_push_message", "GET", "/api/v2/push/get_lost_push_message")
        response = self._response(body)
        events = [self._event(m) for m in response.get("push_message_list", [])]
        return events, response.get("last_message_id"), bool(response.get("has_next_page"))

    def confirm_consumed_lost_push_message(self, last_message_id: int) -> None:
        self._call("push.confirm_consumed_lost_push_message", "POST",
                   "/api/v2/push/confirm_consumed_lost_push_message", body={"last_message_id": last_message_id})
