"""`portal`: the producer's product list (/san-pham/) and listings page (/niem-yet/) under concurrent
load with a logged-in session, on gunicorn, against the floor view /bench/floor on the same server.

The producer has --products products (default 500) and as many live listings on a shop; the pages
paginate or not as they are written. Figures: requests per second at full load (closed loop) with
p50 and p99, and the ratio to the floor's throughput. The issue sets no number for these pages
("p99"); they are shown for information (met = null), with the page size in bytes.
"""
from datetime import timedelta

from .common import add_database_arguments, as_options, database_for, figure, seed_catalogue
from .loadgen import GunicornServer, default_processes, run_load

PAGES = {"products": "/san-pham/", "listings": "/niem-yet/"}


def add_arguments(parser):
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per page")
    parser.add_argument("--products", type=int, default=500, help="products (and live listings) of the producer")
    parser.add_argument("--connections", type=int, default=4, help="connections per load process")
    parser.add_argument("--processes", type=int, default=0, help="load generator processes (default: CPUs, <= 4)")
    parser.add_argument("--gunicorn-workers", type=int, default=0, help="gunicorn workers (default: CPUs)")
    parser.add_argument("--gunicorn-threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--conn-max-age", default="", help="CONN_MAX_AGE for the server (default: as configured)")
    add_database_arguments(parser)


def _seed(products):
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from listings.models import Listing, MarketplaceAccount

    owner, producers, ids = seed_catalogue(products=products)
    account = MarketplaceAccount.objects.create(
        producer=producers[0], marketplace="sandbox", shop_id="sandbox-bench", shop_name="Gian hàng thử",
        access_token="sandbox-token", refresh_token="sandbox-refresh",
        access_expires_at=timezone.now() + timedelta(days=1), refresh_expires_at=timezone.now() + timedelta(days=30))
    now = timezone.now()
    Listing.objects.bulk_create([
        Listing(product_id=pk, account=account, created_by=owner, status=Listing.Status.LIVE, external_id=f"SB{pk}",
                url=f"https://sandbox.invalid/{pk}", live_since=now, status_changed_at=now) for pk in ids],
        batch_size=1000)
    client = Client()
    client.force_login(owner)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def run(options, emit):
    options = as_options(options)
    from django.conf import settings
    from django.db import connections

    processes = options.processes or default_processes()
    with database_for(options) as url:
        session = _seed(options.products)
        vendor = connections["default"].vendor
        connections.close_all()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}; django_language=vi"
        with GunicornServer(database_url=url, workers=options.gunicorn_workers or None,
                            threads=options.gunicorn_threads, conn_max_age=options.conn_max_age) as server:
            common = dict(seconds=options.seconds, connections=options.connections, processes=processes)
            floor = run_load(server.port, lambda n: ("GET", "/bench/floor", {"Cookie": cookie}, None), **common)
            base = dict(database=vendor, gunicorn_workers=server.workers, gunicorn_threads=server.threads,
                        conn_max_age=options.conn_max_age or "configured", connections=options.connections * processes,
                        products=options.products)
            figure(emit, "portal.floor_rps", floor.rate, "req/s", floor=floor.rate, goal=None, met=None,
                   p50_ms=floor.ms(50), p99_ms=floor.ms(99), **base)
            for name, path in PAGES.items():
                size = _page_size(server.port, path, cookie)
                result = run_load(server.port, lambda n, path=path: ("GET", path, {"Cookie": cookie}, None),
                                  **common)
                statuses = dict(result.statuses)
                figure(emit, f"portal.{name}_rps", result.rate, "req/s", floor=floor.rate, goal=None, met=None,
                       path=path, statuses=statuses, errors=dict(result.errors), page_bytes=size, **base)
                figure(emit, f"portal.{name}_p99_ms", result.ms(99), "ms", floor=floor.ms(99), goal=None, met=None,
                       path=path, p50_ms=result.ms(50), note="at full load (closed loop)")


def _page_size(port, path, cookie):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status} for the logged-in owner")
    return len(body)
