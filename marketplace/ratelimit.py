"""A rate limit per marketplace and shop, shared by every worker through the Django cache (Redis
in production).

A token bucket refilled in whole windows: a bucket of `burst` tokens per `burst / rate` seconds.
Each call takes a token with `cache.add` (create the window's counter) then `cache.incr`, both
atomic in Redis, so workers on many machines share one bucket without a lock.

Each connector declares its `rate_limit`; settings.MARKETPLACE_RATE_LIMITS = {"shopee": (rate per
second, burst), ...} overrides it, and its "default" entry applies to marketplaces that declare
none (or are unknown). Marketplaces do not all publish their limits (Shopee does not; Lazada answers
E901 when called too often; Tiki states 100 requests/s per seller): the declared rates are modest.
"""
import math
import time

from django.conf import settings
from django.core.cache import cache

from .connectors.base import RateLimit
from .connectors.registry import UnknownConnector, connector_class

DEFAULT_RATE = RateLimit(per_second=2.0, burst=4)


class RateLimited(Exception):
    def __init__(self, wait):
        super().__init__(f"rate limited, wait {wait:.2f} s")
        self.wait = wait


def rate_for(marketplace):
    """(calls per second, burst) for a marketplace code."""
    overrides = getattr(settings, "MARKETPLACE_RATE_LIMITS", {})
    if marketplace in overrides:
        rate, burst = overrides[marketplace]
        return float(rate), max(int(burst), 1)
    try:
        declared = connector_class(marketplace).rate_limit
    except UnknownConnector:
        declared = None
    if declared is None:
        rate, burst = overrides.get("default", (DEFAULT_RATE.per_second, DEFAULT_RATE.burst))
        return float(rate), max(int(burst), 1)
    return float(declared.per_second), max(int(declared.burst), 1)


def try_acquire(marketplace, shop_id, *, now=None):
    """Take one token; returns 0 when taken, else the seconds until the bucket refills."""
    rate, burst = rate_for(marketplace)
    window = burst / rate
    now = time.time() if now is None else now
    slot = math.floor(now / window)
    key = f"ratelimit:{marketplace}:{shop_id}:{slot}"
    cache.add(key, 0, timeout=math.ceil(window) + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # the counter expired between add and incr: the window is over anyway
        cache.add(key, 1, timeout=math.ceil(window) + 1)
        used = 1
    if used <= burst:
        return 0.0
    return max((slot + 1) * window - now, 0.01)


def acquire(marketplace, shop_id, *, max_wait=None):
    """Take a token, sleeping while the wait is short; raises RateLimited when it is longer
    (the task then retries later instead of holding a worker)."""
    max_wait = getattr(settings, "MARKETPLACE_RATE_MAX_WAIT", 5.0) if max_wait is None else max_wait
    waited = 0.0
    while True:
        wait = try_acquire(marketplace, shop_id)
        if wait == 0:
            return waited
        if waited + wait > max_wait:
            raise RateLimited(wait)
        time.sleep(wait)
        waited += wait
