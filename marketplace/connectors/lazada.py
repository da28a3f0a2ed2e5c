"""Lazada Open Platform (open.lazada.com), Vietnam gateway.

Signing (as the official lazop SDK): every parameter except `sign` and file parts, sorted by
name (ASCII), concatenated as key+value, prefixed with the API path, HMAC-SHA256 with the app
secret, upper-case hex. System parameters: app_key, access_token, timestamp (ms, within
7200 s), sign_method=sha256. Like the SDK, POST requests carry the system parameters and `sign`
in the query and the business parameters as a form body. `code: "0"` is success.

Lazada may hold a new product in quality control (QC) for up to 24 hours: the item exists and
has its page at once, so publish reports it live and says so in the message.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from dateutil.parser import parse as parse_datetime
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace import http

from .base import (
    AuthError,
    Connector,
    ConnectorError,
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

MAX_IMAGES = 8
MAX_IMAGE_BYTES = 3 * 1024 * 1024
ORDER_PAGE = 100
PRODUCT_URL = "https://www.lazada.vn/products/i{item_id}.html"
DEFAULT_PACKAGE_CM = "10"

AUTH_ERRORS = {"IllegalAccessToken", "MissingAccessToken", "IllegalRefreshToken", "InvalidCode",
               "AccessDenied", "InsufficientPermission"}
TRANSIENT_ERRORS = {"E901", "ApiCallLimit", "AppCallLimit", "ServiceTimeout", "ServiceUnavailable",
                    "InternalError", "SystemBusy"}
CONFIG_ERRORS = {"IncompleteSignature", "InvalidSignature", "MissingAppKey", "InvalidAppKey",
                 "InvalidApiPath", "InvalidTimestamp", "MissingTimestamp"}
ORDER_STATUS = {"delivered": "completed", "confirmed": "completed", "canceled": "cancelled",
                "cancelled": "cancelled", "returned": "refunded", "refunded": "refunded"}
PRODUCT_STATUS = {"active": "live", "pending": "pending_review", "pending qc": "pending_review",
                  "inactive": "delisted"}


def sign(app_secret: str, api_path: str, parameters: dict) -> str:
    text = api_path + "".join(f"{key}{parameters[key]}" for key in sorted(parameters))
    return hmac.new(app_secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


class LazadaConnector(Connector):
    code = "lazada"
    name = gettext_lazy("Lazada")

    # --- plumbing -------------------------------------------------------------------------------

    @staticmethod
    def _config():
        if not settings.LAZADA_APP_KEY or not settings.LAZADA_APP_SECRET:
            raise ConnectorError(_("Chưa cấu hình ứng dụng Lazada (LAZADA_APP_KEY, LAZADA_APP_SECRET)."),
                                 code="not_configured")
        return settings.LAZADA_APP_KEY, settings.LAZADA_APP_SECRET

    def _classify(self, status_code, body):
        if not isinstance(body, dict):
            return None if status_code < 400 else ConnectorError(
                _("Lazada trả lời không đọc được (mã %(status)s).") % {"status": status_code},
                code=f"http_{status_code}")
        code = str(body.get("code", "0"))
        if code == "0":
            return None
        detail = str(body.get("message") or code)
        details = [f"{d.get('field', '')}: {d.get('message', '')}".strip(": ")
                   for d in body.get("detail") or [] if isinstance(d, dict)]
        if details:
            detail = f"{detail} ({'; '.join(details)})"
        args = {"code": code, "raw": body}
        if code in AUTH_ERRORS:
            return AuthError(_("Lazada không chấp nhận quyền truy cập của gian hàng, "
                               "hãy kết nối lại gian hàng (%(detail)s).") % {"detail": detail}, **args)
        if code in TRANSIENT_ERRORS or body.get("type") == "SYSTEM":
            return TransientError(_("Lazada đang bận hoặc giới hạn số lượt gọi, sẽ thử lại sau (%(detail)s).")
                                  % {"detail": detail}, **args)
        if code in CONFIG_ERRORS:
            return ConnectorError(
                _("Lỗi kết nối với Lazada do cấu hình của hệ thống: %(detail)s") % {"detail": detail}, **args)
        return RejectedError(_("Lazada từ chối: %(detail)s") % {"detail": detail}, **args)

    def _call(self, operation, method, path, *, credentials=None, params=None, files=None, base=None):
        app_key, secret = self._config()
        system = {"app_key": app_key, "sign_method": "sha256", "timestamp": str(int(time.time() * 1000))}
        if credentials is not None:
            system["access_token"] = credentials.access_token
        business = {k: str(v) for k, v in (params or {}).items()}
        system["sign"] = sign(secret, path, {**system, **business})
        url = (base or settings.LAZADA_API_BASE).rstrip("/") + path
        if method == "GET":
            return http.call(self, operation, "GET", url, params={**system, **business}, summary=business,
                             classify=self._classify)
        return http.call(self, operation, "POST", url, params=system, data=business, files=files,
                         summary=business, classify=self._classify)

    @staticmethod
    def _data(body) -> dict:
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    # --- authorisation -----------------------------------------------------------------------------

    def authorization_url(self, *, state, redirect_uri):
        app_key, _secret = self._config()
        host = settings.LAZADA_AUTH_BASE.rstrip("/").removesuffix("/rest")
        query = urlencode({"response_type": "code", "force_auth": "true", "redirect_uri": redirect_uri,
                           "client_id": app_key, "state": state})
        return f"{host}/oauth/authorize?{query}"

    def _credentials(self, body, previous=None) -> ShopCredentials:
        now = timezone.now()
        shop_id = previous.shop_id if previous else ""
        if not shop_id:
            users = body.get("country_user_info") or []
            vietnam = next((u for u in users if str(u.get("country", "")).lower() == "vn"), users[0] if users else {})
            shop_id = str(vietnam.get("seller_id") or vietnam.get("user_id") or body.get("account", ""))
        extra = dict(previous.extra) if previous else {}
        if body.get("account"):
            extra["account"] = body["account"]
        return ShopCredentials(
            shop_id=shop_id,
            access_token=body.get("access_token", ""),
            refresh_token=body.get("refresh_token", ""),
            access_expires_at=now + timedelta(seconds=int(body.get("expires_in") or 0)),
            refresh_expires_at=now + timedelta(seconds=int(body.get("refresh_expires_in") or 0)),
            extra=extra,
        )

    def exchange_code(self, *, code, shop_id="", redirect_uri=""):
        body = self._call("auth.token", "POST", "/auth/token/create", params={"code": code},
                          base=settings.LAZADA_AUTH_BASE)
        return self._credentials(body)

    def refresh(self, credentials):
        body = self._call("auth.refresh", "POST", "/auth/token/refresh",
                          params={"refresh_token": credentials.refresh_token}, base=settings.LAZADA_AUTH_BASE)
        return self._credentials(body, previous=credentials)

    # --- products ----------------------------------------------------------------------------------

    def upload_images(self, credentials, images):
        urls = []
        for image in images[:MAX_IMAGES]:
            if len(image.content) > MAX_IMAGE_BYTES:
                raise RejectedError(_("Ảnh %(name)s lớn hơn 3 MB, Lazada không nhận.") % {"name": image.name},
                                    code="image_too_large")
            body = self._call("image.upload", "POST", "/image/upload", credentials=credentials,
                              files={"image": (image.name, image.content, image.content_type)})
            url = (self._data(body).get("image") or {}).get("url")
            if not url:
                raise ConnectorError(_("Lazada không trả về địa chỉ ảnh."), code="no_image_url", raw=body)
            urls.append(url)
        return urls

    def publish(self, credentials, payload: ListingPayload) -> PublishResult:
        category_id = numeric_category(self, payload)
        if not payload.images:
            raise RejectedError(_("Lazada cần ít nhất một ảnh sản phẩm."), code="no_image")
        image_urls = self.upload_images(credentials, payload.images)
        extra = dict(payload.attributes.get(self.code, {}))
        sku = {
            "SellerSku": payload.sku,
            "quantity": str(payload.stock),
            "price": str(payload.price),
            "package_weight": f"{payload.weight_grams / 1000:g}",
            "package_length": str(extra.pop("package_length", DEFAULT_PACKAGE_CM)),
            "package_width": str(extra.pop("package_width", DEFAULT_PACKAGE_CM)),
            "package_height": str(extra.pop("package_height", DEFAULT_PACKAGE_CM)),
        }
        attributes = {"name": payload.name[:255], "description": payload.description[:25000],
                      "brand": payload.brand or "No Brand", **extra}
        if payload.gtin:
            attributes.setdefault("ean_code", payload.gtin)
        document = {"Request": {"Product": {
            "PrimaryCategory": str(category_id),
            "Images": {"Image": image_urls},
            "Attributes": attributes,
            "Skus": {"Sku": [sku]},
        }}}
        body = self._call("product.create", "POST", "/product/create", credentials=credentials,
                          params={"payload": json.dumps(document, ensure_ascii=False)})
        data = self._data(body)
        item_id = data.get("item_id")
        if not item_id:
            raise ConnectorError(_("Lazada không trả về mã sản phẩm."), code="no_item_id", raw=body)
        return PublishResult(external_id=str(item_id), url=PRODUCT_URL.format(item_id=item_id), status="live",
                             message=_("Lazada có thể kiểm duyệt (QC) sản phẩm mới trong tối đa 24 giờ."),
                             raw=data)

    def find_by_sku(self, credentials, sku):
        body = self._call("product.get_by_sku", "GET", "/products/get", credentials=credentials,
                          params={"filter": "all", "sku_seller_list": json.dumps([sku]), "limit": 10, "offset": 0})
        for product in self._data(body).get("products") or []:
            skus = product.get("skus") or []
            if not any(s.get("SellerSku") == sku for s in skus):
                continue
            status = str(product.get("status", "")).lower()
            if status == "deleted":
                continue
            return PublishResult(external_id=str(product["item_id"]),
                                 url=PRODUCT_URL.format(item_id=product["item_id"]),
                                 status=PRODUCT_STATUS.get(status, "live"), raw=product)
        return None

    def update_price_stock(self, credentials, external_id, *, price, stock):
        body = self._call("product.item_get", "GET", "/product/item/get", credentials=credentials,
                          params={"item_id": external_id})
        skus = self._data(body).get("skus") or []
        if not skus:
            raise RejectedError(_("Lazada không tìm thấy sản phẩm %(id)s.") % {"id": external_id}, code="not_found")
        document = {"Request": {"Product": {"Skus": {"Sku": [
            {"ItemId": str(external_id), "SkuId": str(s.get("SkuId", "")), "SellerSku": s.get("SellerSku", ""),
             "Price": str(price), "Quantity": str(stock)} for s in skus]}}}}
        self._call("product.price_quantity_update", "POST", "/product/price_quantity/update",
                   credentials=credentials, params={"payload": json.dumps(document)})

    def delist(self, credentials, external_id):
        document = {"Request": {"Product": {"ItemId": int(external_id)}}}
        self._call("product.deactivate", "POST", "/product/deactivate", credentials=credentials,
                   params={"apiRequestBody": json.dumps(document)})

    # --- orders ------------------------------------------------------------------------------------

    def fetch_orders(self, credentials, since):
        raw_orders, offset = [], 0
        while True:
            body = self._call("order.list", "GET", "/orders/get", credentials=credentials, params={
                "update_after": since.isoformat(timespec="seconds"), "sort_by": "updated_at",
                "sort_direction": "ASC", "limit": ORDER_PAGE, "offset": offset})
            data = self._data(body)
            page = data.get("orders") or []
            raw_orders += page
            offset += len(page)
            total = int(data.get("countTotal") or data.get("count") or 0)
            if len(page) < ORDER_PAGE or offset >= total:
                break
        orders = []
        for raw in raw_orders:
            body = self._call("order.items", "GET", "/order/items/get", credentials=credentials,
                              params={"order_id": raw["order_id"]})
            items = body.get("data") if isinstance(body.get("data"), list) else []
            orders.append(self._order(raw, items))
        return orders

    @staticmethod
    def _order(raw, items) -> Order:
        """Lazada has one order item per unit: lines add them up by SKU."""
        quantities, amounts, item_ids = defaultdict(int), defaultdict(float), {}
        for item in items:
            sku = item.get("sku", "")
            quantities[sku] += int(item.get("quantity") or 1)
            amounts[sku] += float(item.get("item_price") or 0)
            item_ids[sku] = str(item.get("product_id") or item.get("shop_sku") or "")
        lines = [OrderLine(external_item_id=item_ids[sku], sku=sku, quantity=quantities[sku],
                           amount=int(round(amounts[sku]))) for sku in quantities]
        statuses = [str(s).lower() for s in raw.get("statuses") or []]
        mapped = {ORDER_STATUS.get(s, "pending") for s in statuses} or {"pending"}
        status = mapped.pop() if len(mapped) == 1 else "pending"
        created = parse_datetime(raw["created_at"]) if raw.get("created_at") else timezone.now()
        updated = parse_datetime(raw["updated_at"]) if raw.get("updated_at") else created
        return Order(external_id=str(raw["order_id"]), status=status, created_at=created, updated_at=updated,
                     lines=lines, raw={**raw, "items": items})

    # --- push --------------------------------------------------------------------------------------

    def verify_push(self, *, headers, body, url):
        app_key, secret = settings.LAZADA_APP_KEY, settings.LAZADA_APP_SECRET
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not app_key or not secret or not given:
            return False
        return hmac.compare_digest(push_signature(app_key, secret, body), given.strip().lower())

    def parse_push(self, body):
        try:
            payload = json.loads(body)
        except ValueError:
            return []
        if not isinstance(payload, dict):
            return []
        data = payload.get("data") or {}
        if payload.get("message_type") == 0 or "trade_order_id" in data:
            kind, external_id = "order", data.get("trade_order_id", "")
        elif "item_id" in data:
            kind, external_id = "product", data.get("item_id", "")
        else:
            kind, external_id = "other", ""
        return [PushEvent(kind=kind, external_id=str(external_id), shop_id=str(payload.get("seller_id", "")),
                          raw=payload)]
