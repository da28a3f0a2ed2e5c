"""Lazada Open Platform (open.lazada.com), Vietnam gateway: the connector.

Lazada may hold a new product in quality control (QC) for up to 24 hours: the item exists and
has its page at once, so publish reports it live and says so in the message. The signed calls
are in `api`, the pushes in `webhooks`.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from dateutil.parser import parse as parse_datetime
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    Capabilities,
    Connector,
    ConnectorError,
    ListingPayload,
    Order,
    OrderExport,
    OrderLine,
    PublishResult,
    RateLimit,
    RejectedError,
    ShopCredentials,
    numeric_category,
)
from . import api, webhooks
from .constants import (
    DEFAULT_PACKAGE_CM,
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    ORDER_PAGE,
    ORDER_STATUS,
    PRODUCT_STATUS,
    PRODUCT_URL,
)


class LazadaConnector(Connector):
    code = "lazada"
    name = gettext_lazy("Lazada")
    capabilities = Capabilities(auth="oauth", orders_push=True, orders_polling=True, categories=True,
                                price_stock_updates=True)
    rate_limit = RateLimit(per_second=5.0, burst=10)
    # Seller Center "Orders" > "Export", one row per item unit; columns from public parsers.
    order_export = OrderExport(
        columns={
            "line": ("orderitemid",), "order": ("ordernumber", "orderid"), "sku": ("sellersku",),
            "item": ("lazadaid",), "status": ("status",), "unit": ("paidprice", "unitprice"),
            "date": ("createtime",), "name": ("itemname",),
        },
        required=("order", "status", "unit", "date"),
        source=gettext_lazy("Lazada Seller Center (cột “orderNumber”, “status”...)"),
        row_is_unit=True,
    )

    # --- authorisation -----------------------------------------------------------------------------

    def authorization_url(self, *, state, redirect_uri):
        app_key, _secret = api.config()
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
        body = api.call(self, "auth.token", "POST", "/auth/token/create", params={"code": code},
                        base=settings.LAZADA_AUTH_BASE)
        return self._credentials(body)

    def refresh(self, credentials):
        body = api.call(self, "auth.refresh", "POST", "/auth/token/refresh",
                        params={"refresh_token": credentials.refresh_token}, base=settings.LAZADA_AUTH_BASE)
        return self._credentials(body, previous=credentials)

    # --- products ----------------------------------------------------------------------------------

    def upload_images(self, credentials, images):
        urls = []
        for image in images[:MAX_IMAGES]:
            if len(image.content) > MAX_IMAGE_BYTES:
                raise RejectedError(_("Ảnh %(name)s lớn hơn 3 MB, Lazada không nhận.") % {"name": image.name},
                                    code="image_too_large")
            body = api.call(self, "image.upload", "POST", "/image/upload", credentials=credentials,
                            files={"image": (image.name, image.content, image.content_type)})
            url = (api.data(body).get("image") or {}).get("url")
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
        body = api.call(self, "product.create", "POST", "/product/create", credentials=credentials,
                        params={"payload": json.dumps(document, ensure_ascii=False)})
        data = api.data(body)
        item_id = data.get("item_id")
        if not item_id:
            raise ConnectorError(_("Lazada không trả về mã sản phẩm."), code="no_item_id", raw=body)
        return PublishResult(external_id=str(item_id), url=PRODUCT_URL.format(item_id=item_id), status="live",
                             message=_("Lazada có thể kiểm duyệt (QC) sản phẩm mới trong tối đa 24 giờ."),
                             raw=data)

    def find_by_sku(self, credentials, sku):
        body = api.call(self, "product.get_by_sku", "GET", "/products/get", credentials=credentials,
                        params={"filter": "all", "sku_seller_list": json.dumps([sku]), "limit": 10, "offset": 0})
        for product in api.data(body).get("products") or []:
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
        body = api.call(self, "product.item_get", "GET", "/product/item/get", credentials=credentials,
                        params={"item_id": external_id})
        skus = api.data(body).get("skus") or []
        if not skus:
            raise RejectedError(_("Lazada không tìm thấy sản phẩm %(id)s.") % {"id": external_id}, code="not_found")
        document = {"Request": {"Product": {"Skus": {"Sku": [
            {"ItemId": str(external_id), "SkuId": str(s.get("SkuId", "")), "SellerSku": s.get("SellerSku", ""),
             "Price": str(price), "Quantity": str(stock)} for s in skus]}}}}
        api.call(self, "product.price_quantity_update", "POST", "/product/price_quantity/update",
                 credentials=credentials, params={"payload": json.dumps(document)})

    def delist(self, credentials, external_id):
        document = {"Request": {"Product": {"ItemId": int(external_id)}}}
        api.call(self, "product.deactivate", "POST", "/product/deactivate", credentials=credentials,
                 params={"apiRequestBody": json.dumps(document)})

    # --- orders ------------------------------------------------------------------------------------

    def fetch_orders(self, credentials, since):
        raw_orders, offset = [], 0
        while True:
            body = api.call(self, "order.list", "GET", "/orders/get", credentials=credentials, params={
                "update_after": since.isoformat(timespec="seconds"), "sort_by": "updated_at",
                "sort_direction": "ASC", "limit": ORDER_PAGE, "offset": offset})
            data = api.data(body)
            page = data.get("orders") or []
            raw_orders += page
            offset += len(page)
            total = int(data.get("countTotal") or data.get("count") or 0)
            if len(page) < ORDER_PAGE or offset >= total:
                break
        orders = []
        for raw in raw_orders:
            body = api.call(self, "order.items", "GET", "/order/items/get", credentials=credentials,
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
                           amount=round(amounts[sku])) for sku in quantities]
        statuses = [str(s).lower() for s in raw.get("statuses") or []]
        mapped = {ORDER_STATUS.get(s, "pending") for s in statuses} or {"pending"}
        status = mapped.pop() if len(mapped) == 1 else "pending"
        created = parse_datetime(raw["created_at"]) if raw.get("created_at") else timezone.now()
        updated = parse_datetime(raw["updated_at"]) if raw.get("updated_at") else created
        return Order(external_id=str(raw["order_id"]), status=status, created_at=created, updated_at=updated,
                     lines=lines, raw={**raw, "items": items})

    # --- push --------------------------------------------------------------------------------------

    def verify_push(self, *, headers, body, url):
        return webhooks.verify(headers=headers, body=body)

    def parse_push(self, body):
        return webhooks.parse(body)

    def push_changed_at(self, payload):
        return webhooks.changed_at(payload) or self.push_sent_at(payload)

    def push_dedup_key(self, payload):
        return webhooks.dedup_key(payload) or super().push_dedup_key(payload)
