"""Shopee pushes: signature check, reading, the order's change time and the de-duplication key.

Shopee signs `url + "|" + raw body` with the partner key, `url` being the callback address as
registered in its console (settings.SHOPEE_PUSH_URL when the address we are reached at differs).
"""
from __future__ import annotations

import hmac
import json

from django.conf import settings

from ..base import PushEvent
from ..pushes import data_of, epoch, joined_key
from .constants import PUSH_KINDS
from .signing import push_signature


def verify(*, headers, body, url) -> bool:
    key = settings.SHOPEE_PARTNER_KEY
    given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not key or not given:
        return False
    return hmac.compare_digest(push_signature(key, url, body), given.strip().lower())


def parse(body) -> list[PushEvent]:
    try:
        payload = json.loads(body)
    except ValueError:
        return []
    return [event(payload)] if isinstance(payload, dict) else []


def event(payload) -> PushEvent:
    data = data_of(payload)
    kind = PUSH_KINDS.get(int(payload.get("code") or 0), "other")
    external_id = data.get("ordersn") or data.get("order_sn") or data.get("item_id") or ""
    return PushEvent(kind=kind, external_id=str(external_id), shop_id=str(payload.get("shop_id") or ""),
                     raw=payload)


def changed_at(payload):
    """The order's `update_time`, if the push says."""
    return epoch(data_of(payload).get("update_time"))


def dedup_key(payload) -> str | None:
    """shop:order:status:update time for an order push; None when the push names no order."""
    data = data_of(payload)
    order_sn = data.get("ordersn") or data.get("order_sn")
    if not order_sn:
        return None
    return joined_key(payload.get("shop_id"), order_sn, data.get("status"), data.get("update_time"))


def callback_url(request_url: str) -> str:
    return getattr(settings, "SHOPEE_PUSH_URL", "") or request_url
