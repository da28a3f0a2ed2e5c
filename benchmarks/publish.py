"""`publish`: N listings published to a local Shopee that enforces R requests per second.

The marketplace is tests/marketplace/fakes.py's ShopeeFake (a real HTTP server on 127.0.0.1 that
checks every signature and token), wrapped here with a rate limit: a token bucket of R requests a
second (capacity --fake-burst) per API path and shop, as marketplaces limit each API; past it the
fake answers 429 with Retry-After. The listings app is configured to the same R
(MARKETPLACE_RATE_LIMITS = {"shopee": (R, burst)}) and every listing goes through
listings.services.listing_publish -> the listings.tasks.publish_listing task (eager Celery), in
--workers processes standing for Celery workers (forked after the data is seeded, each with its own
database connection; the fake keeps the parent process to itself). Several workers need PostgreSQL
and a cache shared by processes for the token bucket (Redis: --cache-url); on SQLite one worker.

Figures: the achieved rate (items created / seconds) against R (goal: at least 90%) and the
duplicates (a SKU created more than once on the marketplace; goal: 0), with the 429s received and
the listings that did not end live.
"""
import logging
import math
import multiprocessing
import threading
import time
from collections import Counter
from datetime import timedelta

from .common import (
    add_database_arguments,
    as_options,
    database_for,
    figure,
    no_debug,
    seed_catalogue,
    temporary_media,
)

GOAL_RATIO = 0.9
SHOP_ID = 14701711
CATEGORY_ID = "100629"


def add_arguments(parser):
    parser.add_argument("--listings", type=int, default=10_000, help="listings to publish")
    parser.add_argument("--rate", type=float, default=50.0, help="R: requests per second the fake allows")
    parser.add_argument("--burst", type=int, default=0, help="token bucket size on our side (default R/5)")
    parser.add_argument("--fake-burst", type=int, default=0, help="bucket size of the fake (default: --burst)")
    parser.add_argument("--workers", type=int, default=0, help="processes publishing, standing for Celery worker "
                        "processes (default: 2 on PostgreSQL, 1 on SQLite, which takes one writer at a time)")
    parser.add_argument("--cache-url", default="", help="cache for the shared token bucket, e.g. "
                        "redis://127.0.0.1:6379/12 (default: the configured cache)")
    add_database_arguments(parser)


def rate_limited_shopee(rate, burst):
    """A ShopeeFake that answers 429 past `rate` requests a second per (API path, shop)."""
    from tests.marketplace.fakes import ShopeeFake

    class RateLimitedShopeeFake(ShopeeFake):
        def __init__(self):
            super().__init__()
            self.rate, self.burst = float(rate), max(int(burst), 1)
            self.buckets = {}
            self.throttled = Counter()
            self.served = Counter()
            self.created_skus = Counter()
            self._bucket_lock = threading.Lock()

        def take(self, key):
            """0 when a token was taken, else the seconds until one is there."""
            now = time.monotonic()
            with self._bucket_lock:
                tokens, last = self.buckets.get(key, (float(self.burst), now))
                tokens = min(float(self.burst), tokens + (now - last) * self.rate)
                if tokens >= 1:
                    self.buckets[key] = (tokens - 1, now)
                    return 0.0
                self.buckets[key] = (tokens, now)
                return (1 - tokens) / self.rate

        def do_product_add_item(self, request):
            """Counts each SKU the marketplace really created (the duplicates figure); the Counter
            is shared by the server's threads, hence the lock."""
            with self._bucket_lock:
                status, headers, body = super().do_product_add_item(request)
                if status == 200 and not body.get("error"):
                    self.created_skus[(request.json or {}).get("item_sku")] += 1
                return status, headers, body

        def dispatch(self, request):
            path = self.api_path(request)
            wait = self.take((path, request.query.get("shop_id", "")))
            if wait:
                self.throttled[path] += 1
                return 429, {"Retry-After": str(max(1, math.ceil(wait)))}, {
                    "error": "error_too_many_request", "message": "Too many requests.", "warning": "",
                    "request_id": "", "response": {}}
            self.served[path] += 1
            result = super().dispatch(request)
            if request.files:  # keep memory flat over 10,000 uploads
                request.raw, request.files = b"", {}
            return result

    return RateLimitedShopeeFake()


def _publish_all(listing_ids, owner):
    """What a Celery worker does for each listing: the service queues it and (eager) publishes it."""
    from django.db import connections

    from listings import services
    from listings.models import Listing

    errors = []
    try:
        for pk in listing_ids:
            listing = Listing.objects.select_related("product__producer").get(pk=pk)
            try:
                services.listing_publish(listing=listing, user=owner)
            except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                errors.append(f"{pk}: {exc!r}")
    finally:
        connections.close_all()
    return errors


def _worker_process(listing_ids, owner, results):
    try:
        results.put(_publish_all(listing_ids, owner))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put([repr(exc)])
        raise


def run(options, emit):
    options = as_options(options)
    from django.conf import settings
    from django.db import connections
    from django.test.utils import override_settings
    from django.utils import timezone

    from listings.models import CategoryMapping, Listing, MarketplaceAccount
    from producers.models import ProductGroup

    rate = float(options.rate)
    burst = options.burst or max(1, int(rate // 5))
    fake = rate_limited_shopee(rate, options.fake_burst or burst).start()
    overrides = dict(
        SHOPEE_API_BASE=fake.url, SHOPEE_PARTNER_ID=fake.partner_id, SHOPEE_PARTNER_KEY=fake.partner_key,
        MARKETPLACE_RATE_LIMITS={"shopee": (rate, burst)}, MARKETPLACE_HTTP_TIMEOUT=10.0,
        CELERY_TASK_ALWAYS_EAGER=True, CELERY_TASK_EAGER_PROPAGATES=True,
    )
    if options.cache_url:
        overrides["CACHES"] = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                           "LOCATION": options.cache_url, "KEY_PREFIX": "ocop-bench8"}}
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    try:
        with database_for(options), no_debug(), temporary_media(), override_settings(**overrides):
            from config.celery_app import app

            app.conf.task_always_eager = True
            owner, _producers, product_ids = seed_catalogue(products=options.listings, with_photo=True)
            producer = _producers[0]
            for group in ProductGroup.objects.all():
                CategoryMapping.objects.get_or_create(group=group, marketplace="shopee",
                                                      defaults={"category_id": CATEGORY_ID})
            credentials = fake.credentials(SHOP_ID)
            now = timezone.now()
            account = MarketplaceAccount.objects.create(
                producer=producer, marketplace="shopee", shop_id=credentials.shop_id, shop_name="HTX Chè",
                access_token=credentials.access_token, refresh_token=credentials.refresh_token,
                access_expires_at=now + timedelta(hours=4), refresh_expires_at=now + timedelta(days=30),
            )
            account.extra = {}
            Listing.objects.bulk_create(
                [Listing(product_id=pk, account=account, created_by=owner) for pk in product_ids], batch_size=1000)
            listing_ids = list(Listing.objects.filter(account=account).order_by("pk").values_list("pk", flat=True))

            vendor = connections["default"].vendor
            shared_cache = "redis" in settings.CACHES["default"]["BACKEND"].lower()
            workers = options.workers or (2 if vendor != "sqlite" and shared_cache else 1)
            if workers > 1 and not shared_cache:
                raise SystemExit("--workers > 1 needs a cache shared between processes for the token bucket: "
                                 "give --cache-url redis://127.0.0.1:6379/12")
            chunks = [listing_ids[n::workers] for n in range(workers)]
            connections.close_all()  # nothing open is inherited by the worker processes
            started = time.perf_counter()
            if workers == 1:
                errors = _publish_all(chunks[0], owner)  # here: a profiler (python -m cProfile) sees it
            else:
                context = multiprocessing.get_context("fork")
                results = context.Queue()
                processes = [context.Process(target=_worker_process, args=(chunk, owner, results), daemon=True)
                             for chunk in chunks]
                for process in processes:
                    process.start()
                errors = []
                for _ in processes:
                    errors.extend(results.get())
                for process in processes:
                    process.join()
            elapsed = time.perf_counter() - started

            statuses = Counter(Listing.objects.filter(account=account).values_list("status", flat=True))
            skus = fake.created_skus
            duplicates = sum(count - 1 for count in skus.values() if count > 1)
            created = sum(skus.values())
            achieved = created / elapsed
            figure(emit, "publish.rate", achieved, "items/s", floor=rate, goal=f">= {GOAL_RATIO:.0%} of R",
                   met=achieved >= GOAL_RATIO * rate, listings=len(listing_ids), seconds=round(elapsed, 2),
                   workers=workers, database=connections["default"].vendor, bucket=[rate, burst], fake_burst=fake.burst,
                   live=statuses.get("live", 0), not_live={k: v for k, v in statuses.items() if k != "live"},
                   throttled_429=dict(fake.throttled), requests=dict(fake.served), errors=errors[:5],
                   note="floor = R, the fake's limit; ratio = achieved / R")
            figure(emit, "publish.duplicates", duplicates, "items", floor=None, goal="0", met=duplicates == 0,
                   distinct_skus=len(skus), items_created=created, items_held=len(fake.items))
    finally:
        fake.stop()
