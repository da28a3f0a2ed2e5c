"""Shops, products and signed pushes for the order tests (test_orders*.py, test_webhooks*.py)."""
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from listings.models import Listing, MarketplaceAccount
from tests.factories import OcopProductFactory
from tests.marketplace.fakes import DATA

SHOPEE_SHOP = 14701711
LAZADA_SELLER = "1000001234"
LAZADA_ORDER = 260422900198363


def push_sample(name, **changes):
    """A push sample from tests/data/marketplace with its timestamps moved to now (pushes older
    than a day are refused as stale) and `changes` merged into its `data`."""
    payload = json.loads((DATA / name).read_text(encoding="utf-8"))
    now = int(time.time())
    if isinstance(payload.get("data"), dict):
        data = payload["data"]
        for key in ("update_time", "status_update_time"):
            if key in data:
                data[key] = now - 5
        data.update(changes)
    payload["timestamp"] = now * 1000 if payload["timestamp"] > 10**11 else now
    return payload


def shopee_signature(partner_key, url, body: bytes):
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def lazada_signature(app_key, app_secret, body: bytes):
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def _account(producer, marketplace, credentials):
    now = timezone.now()
    return MarketplaceAccount.objects.create(
        producer=producer, marketplace=marketplace, shop_id=credentials.shop_id, shop_name="HTX Mật ong",
        access_token=credentials.access_token, refresh_token=credentials.refresh_token,
        access_expires_at=now + timedelta(hours=4), refresh_expires_at=now + timedelta(days=30),
    )


@pytest.fixture
def honey(producer):
    return OcopProductFactory(producer=producer, name="Mật ong bạc hà Mèo Vạc", price=150000)


@pytest.fixture
def tea(producer):
    return OcopProductFactory(producer=producer, name="Chè Shan tuyết Suối Giàng", price=90000)


@pytest.fixture
def shopee_account(shopee_fake, producer, honey, tea):
    account = _account(producer, "shopee", shopee_fake.credentials(SHOPEE_SHOP))
    for product, item_id in ((honey, 800182459), (tea, 800182460)):
        Listing.objects.create(product=product, account=account, external_id=str(item_id), status=Listing.Status.LIVE,
                               live_since=timezone.now() - timedelta(days=30))
    return account


@pytest.fixture
def lazada_account(lazada_fake, producer, honey):
    account = _account(producer, "lazada", lazada_fake.credentials(LAZADA_SELLER))
    Listing.objects.create(product=honey, account=account, external_id="280958710", status=Listing.Status.LIVE,
                           live_since=timezone.now() - timedelta(days=30))
    return account


def lazada_time(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %z")


def shopee_order(fake, order_sn, *products, status="COMPLETED", quantity=2, update_time=None):
    """An order in the Shopee fake with one line per product (our SKU, Shopee's item id)."""
    update_time = update_time or int(time.time()) - 5
    order = fake.add_order(order_sn, update_time=update_time, sku=products[0].sku, quantity=quantity,
                           price=products[0].price, status=status)
    first = order["item_list"][0]
    for index, product in enumerate(products[1:], 1):
        order["item_list"].append({**first, "item_id": first["item_id"] + index, "item_sku": product.sku,
                                   "model_quantity_purchased": 1, "model_original_price": product.price,
                                   "model_discounted_price": product.price})
    return order
