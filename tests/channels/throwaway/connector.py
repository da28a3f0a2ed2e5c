"""Everything about the throw-away marketplace, declared on its connector class."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.utils import timezone

from marketplace.connectors.base import (
    AuthError,
    CallRecord,
    Capabilities,
    Connector,
    Order,
    OrderLine,
    PublishResult,
    PushEvent,
    RateLimit,
    ShopCredentials,
)
from marketplace.connectors.pushes import joined_key

SECRET = b"throwaway-push-secret"
TOKEN = "tw-token"


@dataclass
class Shop:
    items: dict = field(default_factory=dict)  # sku -> PublishResult
    orders: list = field(default_factory=list)


SHOPS: dict[str, Shop] = {}


def sign(body: bytes) -> str:
    return hmac.new(SECRET, body, hashlib.sha256).hexdigest()


class ThrowawayConnector(Connector):
    code = "throwaway"
    name = "Throwaway"
    capabilities = Capabilities(auth="api_key", orders_push=True, orders_polling=True, price_stock_updates=True)
    rate_limit = RateLimit(per_second=100.0, burst=100)

    def _record(self, operation):
        self.calls.append(CallRecord(operation=operation, method="LOCAL", url=f"throwaway://{operation}",
                                     request_summary={}, status_code=200, response={}, error="", duration_ms=0))

    def _shop(self, credentials):
        if credentials.access_token != TOKEN:
            raise AuthError("Throwaway: mã truy cập không hợp lệ.")
        return SHOPS.setdefault(credentials.shop_id, Shop())

    def authorization_url(self, *, state, redirect_uri):
        return f"{redirect_uri}?{urlencode({'code': 'tw-code', 'shop_id': f'tw-{len(SHOPS) + 1}'})}"

    def exchange_code(self, *, code, shop_id="", redirect_uri=""):
        self._record("exchange_code")
        SHOPS.setdefault(shop_id, Shop())
        return ShopCredentials(shop_id=shop_id, access_token=TOKEN)

    def refresh(self, credentials):
        return credentials

    def upload_images(self, credentials, images):
        self._record("upload_images")
        return [image.name for image in images]

    def publish(self, credentials, payload):
        self._record("add_item")
        result = PublishResult(external_id=f"tw-item-{payload.sku}", url=f"https://throwaway.invalid/{payload.sku}")
        self._shop(credentials).items[payload.sku] = result
        return result

    def find_by_sku(self, credentials, sku):
        self._record("find_item")
        return self._shop(credentials).items.get(sku)

    def update_price_stock(self, credentials, external_id, *, price, stock):
        self._record("update_price")

    def delist(self, credentials, external_id):
        self._record("delist_item")

    def fetch_orders(self, credentials, since: datetime):
        self._record("get_orders")
        return [order for order in self._shop(credentials).orders if order.updated_at >= since]

    def verify_push(self, *, headers, body, url):
        lowered = {str(k).lower(): v for k, v in headers.items()}
        return hmac.compare_digest(lowered.get("x-throwaway-signature", ""), sign(body))

    def parse_push(self, body):
        payload = json.loads(body)
        return [PushEvent(kind="order", external_id=str(payload["order_id"]), shop_id=payload["shop_id"], raw=payload)]

    def push_dedup_key(self, payload):
        return joined_key(payload.get("shop_id"), payload.get("order_id"), payload.get("timestamp"))


def sell(shop_id, *, sku, external_item_id, quantity, amount, order_id):
    """A buyer orders on the throw-away marketplace (what its seller centre would show)."""
    now = timezone.now()
    order = Order(external_id=order_id, status="completed", created_at=now, updated_at=now,
                  lines=[OrderLine(external_item_id=external_item_id, sku=sku, quantity=quantity, amount=amount)],
                  raw={})
    SHOPS.setdefault(shop_id, Shop()).orders.append(order)
    return order
