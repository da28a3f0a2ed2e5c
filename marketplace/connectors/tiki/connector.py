"""Tiki Open Platform (open.tiki.vn), as far as its public documentation goes.

Confirmed from the public docs and public integrations:
- OAuth2 at `/sc/oauth2/auth` and `/sc/oauth2/token` (authorization code, refresh token, or
  client credentials for an in-house app), client id and secret sent as HTTP Basic;
  API calls carry `Authorization: Bearer <access token>`.
- New products are *requests* reviewed by Tiki's content team: `POST /integration/v2.1/requests`
  answers `{"track_id", "state", "reason"}`; `GET /integration/v2/tracking/{track_id}` tells the
  state (drafted, queuing, processing, approved, rejected ...). Until approval, `publish` returns
  status "pending_review" with the track id as external id; `check_request` turns an approved
  request into the real product id (live) or raises RejectedError with Tiki's reason.
- `GET /integration/v2/sellers/me`, `PUT /integration/v2/products/updateSku`, `GET /integration/v2/orders`.

NOT confirmed (kept best-effort, say so to users before relying on it):
- the exact field carrying the product id once a request is approved (we read `product_id`,
  then `request.product_id`), the lookup of a product by seller SKU (`original_sku` filter),
  and the order list filter names (`filter_date_by=updated_at`, `created_from_date`).
- Tiki has no image upload API we could find: images are given as public URLs
  (`ImageRef.url`), so photos must be reachable from the internet.
- Webhooks exist (events such as `product:request:approved`) but their signature scheme is
  not public: `verify_push` always returns False, so pushes are never trusted and
  order polling is the only source.
"""
from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from dateutil.parser import isoparse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace import http

from ..base import (
    Capabilities,
    Connector,
    ConnectorError,
    Order,
    OrderLine,
    PublishResult,
    PushEvent,
    RateLimit,
    RejectedError,
    ShopCredentials,
    numeric_category,
)
from . import api

PRODUCT_URL = "https://tiki.vn/p{product_id}.html"
REFRESH_LIFETIME = timedelta(days=30)  # not documented: a conservative guess, refreshed early
PENDING_STATES = {"drafted", "queuing", "processing", "awaiting_approve", "awaiting_approval", "pending"}
ORDER_STATUS = {"complete": "completed", "completed": "completed", "successful_delivery": "completed",
                "canceled": "cancelled", "cancelled": "cancelled", "returned": "refunded"}


class TikiConnector(Connector):
    code = "tiki"
    name = gettext_lazy("Tiki")
    capabilities = Capabilities(auth="oauth", orders_polling=True, categories=True, price_stock_updates=True)
    rate_limit = RateLimit(per_second=20.0, burst=40)

    # --- authorisation ----------------------------------------------------------------------------

    def authorization_url(self, *, state, redirect_uri):
        client_id, _secret, base = api.config()
        query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                           "scope": "offline", "state": state})
        return f"{base}/sc/oauth2/auth?{query}"

    def _token(self, operation, form, previous=None) -> ShopCredentials:
        client_id, secret, base = api.config()
        body = http.call(self, operation, "POST", base + "/sc/oauth2/token", data=form, auth=(client_id, secret),
                         classify=api.classify)
        now = timezone.now()
        credentials = ShopCredentials(
            shop_id=previous.shop_id if previous else "",
            access_token=body.get("access_token", ""),
            refresh_token=body.get("refresh_token", "") or (previous.refresh_token if previous else ""),
            access_expires_at=now + timedelta(seconds=int(body.get("expires_in") or 3600)),
            refresh_expires_at=now + REFRESH_LIFETIME if body.get("refresh_token") else None,
            extra=dict(previous.extra) if previous else {},
        )
        return credentials

    def exchange_code(self, *, code, shop_id="", redirect_uri=""):
        credentials = self._token("auth.token", {"grant_type": "authorization_code", "code": code,
                                                 "redirect_uri": redirect_uri})
        seller = api.call(self, "seller.me", "GET", "/integration/v2/sellers/me", credentials)
        credentials.shop_id = str(seller.get("id") or shop_id)
        credentials.extra["shop_name"] = seller.get("name", "")
        return credentials

    def connect_in_house(self) -> ShopCredentials:
        """Client credentials: an in-house app already linked to one seller's store."""
        credentials = self._token("auth.client_credentials", {"grant_type": "client_credentials"})
        seller = api.call(self, "seller.me", "GET", "/integration/v2/sellers/me", credentials)
        credentials.shop_id = str(seller.get("id", ""))
        credentials.extra.update({"shop_name": seller.get("name", ""), "grant": "client_credentials"})
        return credentials

    def refresh(self, credentials):
        if credentials.extra.get("grant") == "client_credentials":
            return self._token("auth.client_credentials", {"grant_type": "client_credentials"}, previous=credentials)
        return self._token("auth.refresh", {"grant_type": "refresh_token",
                                            "refresh_token": credentials.refresh_token}, previous=credentials)

    # --- products -----------------------------------------------------------------------------------

    def upload_images(self, credentials, images):
        """No upload API: Tiki fetches public URLs itself."""
        missing = [image.name for image in images if not image.url]
        if missing:
            raise RejectedError(_("Tiki chỉ nhận ảnh có đường dẫn công khai; thiếu đường dẫn cho: %(names)s.")
                                % {"names": ", ".join(missing)}, code="image_url_required")
        return [image.url for image in images]

    def publish(self, credentials, payload):
        category_id = numeric_category(self, payload)
        image_urls = self.upload_images(credentials, payload.images)
        if not image_urls:
            raise RejectedError(_("Tiki cần ít nhất một ảnh sản phẩm."), code="no_image")
        extra = dict(payload.attributes.get(self.code, {}))
        attributes = {"brand": payload.brand or "OEM", "product_weight_kg": payload.weight_grams / 1000,
                      "bulky": 0, **extra.pop("attributes", {})}
        if payload.gtin:
            attributes.setdefault("gtin", payload.gtin)
        request = {
            "category_id": category_id,
            "name": payload.name,
            "description": payload.description,
            "attributes": attributes,
            "image": image_urls[0],
            "images": image_urls[1:],
            "option_attributes": [],
            "variants": [{"sku": payload.sku, "price": payload.price, "inventory_type": "dropship",
                          "seller_warehouse": extra.pop("seller_warehouse", ""), "quantity": payload.stock,
                          "image": image_urls[0]}],
            **extra,
        }
        body = api.call(self, "product.request", "POST", "/integration/v2.1/requests", credentials, body=request)
        track_id = body.get("track_id") if isinstance(body, dict) else None
        if not track_id:
            raise ConnectorError(_("Tiki không trả về mã yêu cầu."), code="no_track_id", raw=body)
        return PublishResult(external_id=str(track_id), status="pending_review",
                             message=_("Đã gửi yêu cầu đăng sản phẩm, chờ Tiki duyệt."), raw=body)

    def check_request(self, credentials, track_id) -> PublishResult:
        """Where a product request stands: pending (same id), approved (product id, live) or rejected."""
        body = api.call(self, "product.tracking", "GET", f"/integration/v2/tracking/{track_id}", credentials)
        state = str(body.get("state", "")).lower()
        if state == "approved":
            product_id = body.get("product_id") or (body.get("request") or {}).get("product_id")
            if product_id:
                return PublishResult(external_id=str(product_id), url=PRODUCT_URL.format(product_id=product_id),
                                     status="live", raw=body)
        if state in ("rejected", "deleted"):
            raise RejectedError(_("Tiki từ chối sản phẩm: %(reason)s") % {"reason": body.get("reason") or state},
                                code=state, raw=body)
        return PublishResult(external_id=str(track_id), status="pending_review",
                             message=_("Tiki đang duyệt (%(state)s).") % {"state": state or "?"}, raw=body)

    def find_by_sku(self, credentials, sku):
        body = api.call(self, "product.find_by_sku", "GET", "/integration/v2/products", credentials,
                        params={"original_sku": sku, "limit": 10})
        for product in (body.get("data") or []) if isinstance(body, dict) else []:
            if sku in (product.get("original_sku"), product.get("sku")):
                product_id = product.get("product_id")
                return PublishResult(external_id=str(product_id), url=PRODUCT_URL.format(product_id=product_id),
                                     status="live" if product.get("active") in (1, True) else "delisted",
                                     raw=product)
        return None

    def update_price_stock(self, credentials, external_id, *, price, stock):
        api.call(self, "product.update_sku", "PUT", "/integration/v2/products/updateSku", credentials,
                 body={"product_id": int(external_id), "price": price, "quantity": stock, "active": 1})

    def delist(self, credentials, external_id):
        api.call(self, "product.update_sku", "PUT", "/integration/v2/products/updateSku", credentials,
                 body={"product_id": int(external_id), "active": 0})

    # --- orders -------------------------------------------------------------------------------------

    def fetch_orders(self, credentials, since):
        orders, page = [], 1
        while True:
            body = api.call(self, "order.list", "GET", "/integration/v2/orders", credentials, params={
                "page": page, "limit": 50, "filter_date_by": "updated_at",
                "created_from_date": since.strftime("%Y-%m-%d %H:%M:%S")})
            for raw in body.get("data") or []:
                orders.append(self._order(raw))
            paging = body.get("paging") or {}
            if page >= int(paging.get("last_page") or 1):
                return orders
            page += 1

    @staticmethod
    def _order(raw) -> Order:
        lines = []
        for item in raw.get("items") or []:
            product = item.get("product") or {}
            quantity = int(item.get("qty") or item.get("quantity") or 0)
            amount = (item.get("invoice") or {}).get("row_total") or item.get("price", 0) * quantity
            lines.append(OrderLine(external_item_id=str(product.get("id", "")),
                                   sku=product.get("seller_product_code") or product.get("sku") or "",
                                   quantity=quantity, amount=int(amount)))
        created = isoparse(raw["created_at"]) if raw.get("created_at") else timezone.now()
        updated = isoparse(raw["updated_at"]) if raw.get("updated_at") else created
        if timezone.is_naive(created):
            created = timezone.make_aware(created)
        if timezone.is_naive(updated):
            updated = timezone.make_aware(updated)
        return Order(external_id=str(raw.get("code") or raw.get("id")),
                     status=ORDER_STATUS.get(str(raw.get("status", "")).lower(), "pending"),
                     created_at=created, updated_at=updated, lines=lines, raw=raw)

    # --- push ---------------------------------------------------------------------------------------

    def verify_push(self, *, headers, body, url):
        return False  # Tiki's webhook signature scheme is not public: never trust a push

    def parse_push(self, body):
        try:
            payload = json.loads(body)
        except ValueError:
            return []
        if not isinstance(payload, dict):
            return []
        kind_name = str(payload.get("type", ""))
        data = payload.get("payload") or {}
        kind = "order" if kind_name.startswith("order") else "product" if kind_name.startswith("product") else "other"
        external_id = data.get("order_code") or data.get("track_id") or data.get("product_id") or ""
        return [PushEvent(kind=kind, external_id=str(external_id), shop_id=str(payload.get("seller_id", "")),
                          raw=payload)]

