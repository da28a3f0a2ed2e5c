"""Lazada pushes: signature check, reading, the order's change time and the de-duplication key.

Lazada signs `app_key + raw body` with the app secret and re-sends a push for 6 hours (12 times,
every 30 minutes) until answered 200; its `timestamp` is in milliseconds.
"""
from __future__ import annotations

import hmac
import json

from django.conf import settings

from ..base import PushEvent
from ..pushes import data_of, epoch, joined_key
from .signing import push_signature


def verify(*, headers, body) -> bool:
    app_key, secret = settings.LAZADA_APP_KEY, settings.LAZADA_APP_SECRET
    given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not app_key or not secret or not given:
        return False
    return hmac.compare_digest(push_signature(app_key, secret, body), given.strip().lower())


def parse(body) -> list[PushEvent]:
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


def changed_at(payload):
    """The order's `status_update_time`, if the push says."""
    return epoch(data_of(payload).get("status_update_time"))


def dedup_key(payload) -> str | None:
    """seller:order:order line:status:status time for an order push; None when it names no order."""
    data = data_of(payload)
    order_id = data.get("trade_order_id")
    if not order_id:
        return None
    return joined_key(payload.get("seller_id"), order_id, data.get("trade_order_line_id"), data.get("order_status"),
                      data.get("status_update_time"))
