"""`webhooks`: signed bank notifications and marketplace pushes posted to gunicorn, against the
floor: `/bench/floor` (benchmarks/urls.py), a bare Django view answering 200 on the same server.

For each endpoint: the throughput at full load (closed loop; goal at least 50% of the floor's) and
the p99 latency at half of the floor's throughput (open loop, measured from when each request was
due; goal under 50 ms). Every request is a new, correctly signed event (its own id), so nothing is
answered from a duplicate shortcut.

Endpoints are found in the URLs at run time (SePay /webhooks/sepay/, Casso /webhooks/casso/,
Shopee and Lazada pushes under /webhooks/ or /san/webhooks/): one not written yet is reported as
skipped with the reason. Run it on PostgreSQL (`--database-url`); with `--broker-url` the
processing task is queued in Redis (as in production) instead of running inside the request.
"""
import hashlib
import hmac
import json
import time
from datetime import datetime

from .common import add_database_arguments, as_options, database_for, figure, skipped
from .loadgen import GunicornServer, default_processes, run_load

THROUGHPUT_GOAL = 0.5
P99_GOAL_MS = 50.0
SEPAY_API_KEY = "bench-sepay-api-key-0123456789"
SEPAY_HMAC_SECRET = "bench-sepay-hmac-secret-0123456789"
CASSO_CHECKSUM_KEY = "bench-casso-checksum-key-0123456789"
SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY = 2001887, "bench-shopee-partner-key-0123456789"
LAZADA_APP_KEY, LAZADA_APP_SECRET = "100101", "bench-lazada-app-secret"

CANDIDATES = {
    "sepay": ["/webhooks/sepay/", "/thanh-toan/webhooks/sepay/", "/api/webhooks/sepay/"],
    "casso": ["/webhooks/casso/", "/thanh-toan/webhooks/casso/", "/api/webhooks/casso/"],
    "shopee": ["/webhooks/shopee/", "/san/webhooks/shopee/", "/san/webhook/shopee/", "/api/webhooks/shopee/"],
    "lazada": ["/webhooks/lazada/", "/san/webhooks/lazada/", "/san/webhook/lazada/", "/api/webhooks/lazada/"],
}


def add_arguments(parser):
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8, help="connections per load process")
    parser.add_argument("--processes", type=int, default=0, help="load generator processes (default: CPUs, <= 4)")
    parser.add_argument("--gunicorn-workers", type=int, default=0, help="gunicorn workers (default: CPUs)")
    parser.add_argument("--gunicorn-threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--conn-max-age", default="", help="CONN_MAX_AGE for the server (default: as configured)")
    parser.add_argument("--broker-url", default="", help="Celery broker for the server, e.g. "
                        "redis://127.0.0.1:6379/12 (default: none, tasks run eagerly in the request)")
    parser.add_argument("--cache-url", default="", help="cache shared by the server's processes, e.g. "
                        "redis://127.0.0.1:6379/12 (as in production: one drain task a burst instead of a "
                        "task an event; default: none, a cache per process)")
    parser.add_argument("--endpoints", default="sepay,casso,shopee,lazada", help="which endpoints to measure")
    add_database_arguments(parser)


def find_endpoint(kind):
    """The first candidate path that resolves to a view, or None."""
    from django.urls import Resolver404, resolve

    for path in CANDIDATES[kind]:
        try:
            resolve(path, urlconf="benchmarks.urls")
        except Resolver404:
            continue
        return path
    return None


def _json(body):
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _casso_sorted(value):
    if isinstance(value, dict):
        return {k: _casso_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_casso_sorted(v) for v in value]
    return value


def request_factory(kind, path, *, port, references):
    """make_request(n) for the load generator: a new signed event each call."""
    import itertools
    import os
    import secrets

    # `n` counts the requests of one connection, and the load generator's processes are forked
    # from this one: the event id needs the process (pid + a random part drawn after the fork) and
    # a counter shared by the process's connection threads (next() on it is atomic under the GIL).
    state = {"pid": None, "prefix": "", "counter": None}

    def next_event_id():
        if state["pid"] != os.getpid():
            state.update(pid=os.getpid(), prefix=f"{os.getpid()}{secrets.randbelow(10**6):06d}",
                         counter=itertools.count(1))
        return int(f"{state['prefix']}{next(state['counter'])}")

    def make(n):
        ref = references[n % len(references)] if references else f"TT{n:06d}"
        event_id = next_event_id()
        headers = {"Content-Type": "application/json"}
        if kind == "floor":
            return "POST", path, headers, b"{}"
        if kind == "sepay":
            body = _json({"id": event_id, "gateway": "Vietcombank", "transactionDate":
                          datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "accountNumber": "0011004123456",
                          "subAccount": None, "code": None, "content": f"OCOP {ref} chuyen tien",
                          "transferType": "in", "transferAmount": 150000, "accumulated": 19077000,
                          "referenceCode": f"FT{event_id}", "description": f"OCOP {ref} chuyen tien"})
            headers["Authorization"] = f"Apikey {SEPAY_API_KEY}"
            timestamp = str(int(time.time()))
            headers["X-SePay-Timestamp"] = timestamp
            headers["X-SePay-Signature"] = hmac.new(SEPAY_HMAC_SECRET.encode(), timestamp.encode() + b"." + body,
                                                    hashlib.sha256).hexdigest()
            return "POST", path, headers, body
        if kind == "casso":
            data = {"error": 0, "data": {
                "id": event_id, "reference": f"FT{event_id}", "description": f"OCOP {ref} chuyen tien",
                "amount": 150000, "runningBalance": 19077000,
                "transactionDateTime": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                "accountNumber": "0011004123456", "bankName": "Vietcombank", "bankAbbreviation": "VCB",
                "virtualAccountNumber": "", "virtualAccountName": "", "counterAccountName": "NGUYEN VAN AN",
                "counterAccountNumber": "0123456789", "counterAccountBankId": "970436",
                "counterAccountBankName": "Vietcombank"}}
            stamp = str(int(time.time() * 1000))
            signed = stamp + "." + json.dumps(_casso_sorted(data), ensure_ascii=False, separators=(",", ":"))
            signature = hmac.new(CASSO_CHECKSUM_KEY.encode(), signed.encode(), hashlib.sha512).hexdigest()
            headers["X-Casso-Signature"] = f"t={stamp},v1={signature}"
            return "POST", path, headers, _json(data)
        if kind == "shopee":
            body = _json({"code": 3, "shop_id": 14701711, "timestamp": int(time.time()),
                          "data": {"ordersn": f"2412{event_id}", "status": "COMPLETED",
                                   "update_time": int(time.time())}, "msg_id": str(event_id)})
            url = f"http://127.0.0.1:{port}{path}"
            headers["Authorization"] = hmac.new(SHOPEE_PARTNER_KEY.encode(), url.encode() + b"|" + body,
                                                hashlib.sha256).hexdigest()
            return "POST", path, headers, body
        if kind == "lazada":
            body = _json({"seller_id": "200001", "message_type": 0, "data": {
                "order_status": "delivered", "trade_order_id": str(event_id), "status_update_time": int(time.time())},
                "timestamp": int(time.time()), "site": "lazada_vn"})
            headers["Authorization"] = hmac.new(LAZADA_APP_SECRET.encode(), LAZADA_APP_KEY.encode() + body,
                                                hashlib.sha256).hexdigest()
            return "POST", path, headers, body
        raise ValueError(kind)

    return make


def server_env(broker_url, cache_url=""):
    env = {"SEPAY_API_KEY": SEPAY_API_KEY, "SEPAY_HMAC_SECRET": SEPAY_HMAC_SECRET,
           "CASSO_CHECKSUM_KEY": CASSO_CHECKSUM_KEY, "SHOPEE_PARTNER_ID": str(SHOPEE_PARTNER_ID),
           "SHOPEE_PARTNER_KEY": SHOPEE_PARTNER_KEY, "LAZADA_APP_KEY": LAZADA_APP_KEY,
           "LAZADA_APP_SECRET": LAZADA_APP_SECRET}
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    if cache_url:
        env["REDIS_URL"] = cache_url
    return env


def _payment_references():
    """Payment codes for real products, so bank notifications match something (when the models exist)."""
    try:
        from payments.services import payment_code_for_product
    except ImportError:
        return []
    from payments.models import Bank, BankAccount
    from producers.models import OcopProduct

    from .common import seed_catalogue

    owner, producers, ids = seed_catalogue(products=50)
    bank = Bank.objects.filter(bin="970436").first() or Bank.objects.first()
    if bank is None:
        return []
    BankAccount.objects.create(producer=producers[0], bank=bank, account_number="0011004123456",
                               holder_name="HTX CHE SUOI GIANG", is_default=True)
    references = []
    for product in OcopProduct.objects.filter(pk__in=ids):
        code = payment_code_for_product(user=owner, product=product)
        references.append(code.reference)
    return references


def _stored_events(kind):
    """What the server stored for this endpoint (both runs): every request a new event, so no
    redelivery may be counted; one would mean the load generator repeated ids."""
    from django.db import connections

    from payments.models import InboundEvent

    events = InboundEvent.objects.filter(provider=kind)
    stored = {"events_stored": events.count(), "duplicates_stored": events.filter(deliveries__gt=1).count()}
    connections.close_all()
    return stored


def measure(port, make, *, seconds, connections, processes, floor_rate=None):
    full = run_load(port, make, seconds=seconds, connections=connections, processes=processes)
    half = None
    if floor_rate:
        half = run_load(port, make, seconds=seconds, connections=connections, processes=processes,
                        rate=floor_rate / 2)
    return full, half


def run(options, emit):
    options = as_options(options)
    processes = options.processes or default_processes()
    wanted = [k.strip() for k in options.endpoints.split(",") if k.strip()]
    with database_for(options) as url:
        from django.db import connections

        vendor = connections["default"].vendor
        try:
            references = _payment_references()
        except Exception as exc:  # noqa: BLE001 - a half-written payments app must not stop the floor
            references = []
            print(f"# no payment codes: {exc!r}")
        endpoints = {kind: find_endpoint(kind) for kind in wanted}
        connections.close_all()
        with GunicornServer(database_url=url, workers=options.gunicorn_workers or None,
                            threads=options.gunicorn_threads, conn_max_age=options.conn_max_age,
                            env=server_env(options.broker_url, options.cache_url)) as server:
            common = dict(seconds=options.seconds, connections=options.connections, processes=processes)
            floor, _ = measure(server.port, request_factory("floor", "/bench/floor", port=server.port,
                                                            references=references), **common)
            floor_rate = floor.rate
            floor_half = run_load(server.port, request_factory("floor", "/bench/floor", port=server.port,
                                                               references=references),
                                  rate=floor_rate / 2, **common)
            base = dict(database=vendor, gunicorn_workers=server.workers, gunicorn_threads=server.threads,
                        conn_max_age=options.conn_max_age or "configured", load_processes=processes,
                        connections=options.connections * processes, broker=bool(options.broker_url),
                        shared_cache=bool(options.cache_url))
            figure(emit, "webhooks.floor_rps", floor_rate, "req/s", floor=floor_rate, goal=None, met=None,
                   p50_ms=floor.ms(50), p99_ms=floor.ms(99), p99_ms_at_half=floor_half.ms(99),
                   statuses=dict(floor.statuses), **base)
            for kind in wanted:
                path = endpoints[kind]
                if path is None:
                    skipped(emit, f"webhooks.{kind}_rps", f"no {kind} endpoint yet (tried "
                            f"{', '.join(CANDIDATES[kind])})")
                    continue
                make = request_factory(kind, path, port=server.port, references=references)
                full, half = measure(server.port, make, floor_rate=floor_rate, **common)
                ok = full.ok == sum(full.statuses.values()) and not full.errors
                stored = _stored_events(kind)
                figure(emit, f"webhooks.{kind}_rps", full.rate, "req/s", floor=floor_rate,
                       goal=f">= {THROUGHPUT_GOAL:.0%} of floor", met=ok and full.rate >= THROUGHPUT_GOAL * floor_rate,
                       path=path, statuses=dict(full.statuses), errors=dict(full.errors), p50_ms=full.ms(50),
                       p99_ms=full.ms(99), **stored, **base)
                own = run_load(server.port, make, rate=full.rate / 2, **common)
                figure(emit, f"webhooks.{kind}_p99_ms_at_half_own", own.ms(99), "ms", goal=None, met=None,
                       path=path, offered_rps=round(full.rate / 2, 1), achieved_rps=round(own.rate, 1),
                       statuses=dict(own.statuses), p50_ms=own.ms(50),
                       note="latency at half of what this endpoint sustains (information)")
                p99 = half.ms(99)
                figure(emit, f"webhooks.{kind}_p99_ms_at_half_floor", p99, "ms", floor=floor_half.ms(99),
                       goal=f"< {P99_GOAL_MS:g} ms at {floor_rate / 2:.0f} req/s",
                       met=bool(p99 is not None and p99 < P99_GOAL_MS and half.ok == sum(half.statuses.values())),
                       path=path, offered_rps=round(floor_rate / 2, 1), achieved_rps=round(half.rate, 1),
                       statuses=dict(half.statuses), p50_ms=half.ms(50))
