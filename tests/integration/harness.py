"""Real processes for the reliability tests: gunicorn web servers on free ports, Celery workers that
can be killed with SIGKILL and restarted, all on the test PostgreSQL database and the Redis broker.

    def test_something(cluster):                 # fixture: see `cluster` below
        cluster.env.update(SHOPEE_API_BASE=fake.url, ...)   # before starting processes
        web = cluster.web(workers=2)            # gunicorn, answers at web.url
        worker = cluster.worker(concurrency=4)  # a Celery worker on the test's own queue
        worker.kill()                           # kill -9 the worker and its pool
        worker.start()                          # and back

Every process runs with tests/integration/reliability_settings.py and consumes or sends to a queue
named for the test (OCOP_TEST_QUEUE); the test process sends to the same queue while the fixture
lasts. Everything started is stopped at the end, and the queue's leftovers are removed from Redis.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app

from .conftest import _require_services

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_MODULE = "tests.integration.reliability_settings"
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
               "--appendonly", "no"]


def env_int(name, default):
    """Sizes: CI-sized defaults, the issue's full sizes through the environment (`make reliability`)."""
    return int(os.environ.get(name, default))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, timeout, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Process:
    """One command in its own process group (so kill() takes its children too), logging to a file."""

    def __init__(self, name, argv, env, log_path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, Path(log_path)
        self.popen = None
        self._log_offset = 0
        self.starts = 0
        self.stopped = False

    def start(self, timeout=60):
        with open(self.log_path, "a") as log:
            self._log_offset = log.tell()
            self.popen = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited at start:\n{self.log_tail()}")
            if self.ready():
                return self
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"{self.name} did not start in {timeout} s:\n{self.log_tail()}")

    def ready(self):
        return True

    @property
    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def current_log(self):
        with open(self.log_path, errors="replace") as log:
            log.seek(self._log_offset)
            return log.read()

    def log_tail(self, chars=4000):
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def _signal_group(self, signum):
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self):
        """kill -9, the whole process group: the main process and every child it forked."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout=20):
        self.stopped = True
        if not self.alive:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._signal_group(signal.SIGKILL)  # children left behind by a warm shutdown


class WebServer(Process):
    def __init__(self, name, env, log_path, *, workers=2, threads=4):
        self.port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
                "--timeout", "60", "--graceful-timeout", "5", "--keep-alive", "20", "--backlog", "512",
                "--log-level", "warning"]
        super().__init__(name, argv, env, log_path)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def ready(self):
        try:
            return requests.get(self.url + "/healthz", timeout=2).status_code in (200, 503)
        except requests.RequestException:
            return False


class Worker(Process):
    def __init__(self, name, env, log_path, *, queue, concurrency=2):
        argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--pool=prefork",
                f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-Q", queue, "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"]
        super().__init__(name, argv, env, log_path)

    def ready(self):
        return " ready." in self.current_log()

    def pool_children(self):
        if not self.alive:
            return []
        try:
            children = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def kill_pool_child(self):
        """kill -9 one pool process: the main process sees the worker lost (reject_on_worker_lost)."""
        children = self.pool_children()
        if not children:
            return False
        try:
            os.kill(children[0], signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True


class Cluster:
    """The processes of one test and the environment they share."""

    def __init__(self, tmp_path, queue):
        self.tmp_path, self.queue = Path(tmp_path), queue
        self.processes: list[Process] = []
        self.env = dict(os.environ)
        self.env.update({
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "OCOP_TEST_QUEUE": queue,
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        })

    def _log(self, name):
        return self.tmp_path / f"{name}.log"

    def web(self, *, workers=2, threads=4, name=None):
        name = name or f"web{sum(isinstance(p, WebServer) for p in self.processes) + 1}"
        server = WebServer(name, dict(self.env), self._log(name), workers=workers, threads=threads)
        self.processes.append(server)
        return server.start()

    def worker(self, *, concurrency=2, name=None, start=True):
        name = name or f"worker{sum(isinstance(p, Worker) for p in self.processes) + 1}"
        worker = Worker(name, dict(self.env), self._log(name), queue=self.queue, concurrency=concurrency)
        self.processes.append(worker)
        return worker.start() if start else worker

    def supervise(self):
        """What systemd's Restart=always does in production (deploy/systemd): a process that exited
        on its own is started again. Returns how many were."""
        restarted = 0
        for process in self.processes:
            if process.popen is not None and not process.alive and not process.stopped:
                process.start()
                restarted += 1
        return restarted

    def logs(self, chars=3000):
        return "\n".join(f"--- {p.name} ---\n{p.log_tail(chars)}" for p in self.processes)

    def close(self):
        for process in reversed(self.processes):
            process.stop()
        purge_queue(self.queue)


def broker_client():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def purge_queue(queue):
    """Removes the queue and the unacknowledged messages a killed worker left for it, so nothing of
    this test is redelivered into another one an hour later (Redis visibility timeout)."""
    try:
        client = broker_client()
        client.delete(queue, *[f"{queue}\x06\x16{priority}" for priority in range(10)])
        for tag, raw in client.hgetall("unacked").items():
            try:
                _message, exchange, routing_key = json.loads(raw)
            except (ValueError, TypeError):
                continue
            if queue in (exchange, routing_key):
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    except redis.RedisError:
        pass


def queue_length(queue):
    return broker_client().llen(queue)


@pytest.fixture
def cluster(transactional_db, settings, tmp_path):
    """Processes on the committed test database; the test process sends tasks to the broker, on
    the cluster's queue, for as long as the test lasts."""
    _require_services()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    Path(settings.MEDIA_ROOT).mkdir()
    queue = f"reliability-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue, celery_app.conf.task_routes
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_routes = {}
    result = Cluster(tmp_path, queue)
    try:
        yield result
    finally:
        result.close()
        (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue,
         celery_app.conf.task_routes) = previous


# --- Redis restarts -------------------------------------------------------------------------------

def redis_alive():
    try:
        return broker_client().ping()
    except redis.RedisError:
        return False


def redis_stop():
    """`redis-cli shutdown nosave`: everything Redis held is gone (no persistence in this setup)."""
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True,
                   timeout=20)
    wait_for(lambda: not redis_alive(), 20, what="Redis to stop")


def redis_start():
    if redis_alive():
        return
    subprocess.run(REDIS_START, check=True, capture_output=True, timeout=20)
    wait_for(redis_alive, 30, what="Redis to come back")


# --- signed webhook deliveries --------------------------------------------------------------------

def post(session, url, body, headers, attempts=5):
    """One delivery, as a provider does it: a connection error (a server restarting, a keep-alive
    connection closed under us) is tried again. A retried request may have been processed already:
    callers count deliveries "at least", as providers deliver them."""
    for attempt in range(attempts):
        try:
            return session.post(url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=30)
        except requests.ConnectionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return None


class Delivery:
    """One distinct signed webhook event; `headers()` signs it (again only when the signature is
    close to the providers' 5-minute window, so replays are byte-for-byte the same request)."""

    def __init__(self, kind, path, body, expected_external_id, data=None):
        self.kind, self.path, self.body, self.data = kind, path, body, data
        self.expected_external_id = expected_external_id
        self._headers, self._signed_at = None, 0.0

    def headers(self):
        if self._headers is None or time.time() - self._signed_at > 200:
            self._headers, self._signed_at = self._sign(), time.time()
        return self._headers

    def _sign(self):
        from payments.banks import casso, sepay
        from tests.marketplace.order_fixtures import lazada_signature, shopee_signature

        if self.kind == "sepay-key":
            return {"Authorization": f"Apikey {SEPAY_KEY}"}
        if self.kind == "sepay-hmac":
            timestamp = int(time.time())
            return {"X-SePay-Timestamp": str(timestamp),
                    "X-SePay-Signature": "sha256=" + sepay.sepay_signature(SEPAY_SECRET, timestamp, self.body)}
        if self.kind == "casso":
            timestamp = int(time.time() * 1000)
            return {"X-Casso-Signature": f"t={timestamp},v1={casso.casso_signature(CASSO_KEY, timestamp, self.data)}"}
        if self.kind == "shopee":
            return {"Authorization": shopee_signature(SHOPEE_PARTNER_KEY, PUBLIC_BASE_URL + self.path, self.body)}
        return {"Authorization": lazada_signature(LAZADA_APP_KEY, LAZADA_APP_SECRET, self.body)}


SEPAY_KEY = "reliability-sepay-api-key"
SEPAY_SECRET = "reliability-sepay-hmac-secret"
CASSO_KEY = "reliability-casso-checksum-key"
PUBLIC_BASE_URL = "https://ocop.example.vn"
SHOPEE_PARTNER_KEY = "fake-partner-key-0123456789abcdef"
LAZADA_APP_KEY, LAZADA_APP_SECRET = "100101", "fake-lazada-app-secret"
SHOPEE_SHOP, LAZADA_SELLER = 14701711, "1000001234"
ACCOUNT_NUMBER, REFERENCE = "1234567890123", "K7P2QX"
# Ten events in a row: four SePay (API key and HMAC), three Casso, two Shopee pushes, one Lazada push.
KINDS = ["sepay-key", "casso", "shopee", "sepay-hmac", "casso", "sepay-key", "lazada", "casso", "sepay-hmac", "shopee"]


class SalesScenario:
    """A verified producer with a product, a bank account and a static VietQR code, a Shopee shop and
    a Lazada shop on the local fakes; `events(n)` makes n distinct signed notifications, each of
    which must become exactly one Transaction (its `expected_external_id`)."""

    def __init__(self, shopee_fake, lazada_fake):
        from datetime import timedelta

        from django.utils import timezone

        from listings.models import MarketplaceAccount
        from payments.models import Bank, BankAccount, PaymentCode
        from payments.services import banks_load
        from tests.factories import OcopProductFactory, ProducerFactory

        self.shopee, self.lazada = shopee_fake, lazada_fake
        banks_load()  # transactional tests flush what the data migration loaded
        self.producer = ProducerFactory()
        self.product = OcopProductFactory(producer=self.producer, name="Mật ong bạc hà Mèo Vạc", price=150000)
        account = BankAccount.objects.create(producer=self.producer, bank=Bank.objects.get(bin="970436"),
                                             account_number=ACCOUNT_NUMBER, holder_name="NGUYEN THI HOA",
                                             is_default=True)
        PaymentCode.objects.create(product=self.product, bank_account=account, reference=REFERENCE)
        now = timezone.now()
        self.accounts = {}
        for marketplace, credentials in (("shopee", shopee_fake.credentials(SHOPEE_SHOP)),
                                         ("lazada", lazada_fake.credentials(LAZADA_SELLER))):
            self.accounts[marketplace] = MarketplaceAccount.objects.create(
                producer=self.producer, marketplace=marketplace, shop_id=credentials.shop_id, shop_name="HTX Mật ong",
                access_token=credentials.access_token, refresh_token=credentials.refresh_token,
                access_expires_at=now + timedelta(hours=4), refresh_expires_at=now + timedelta(days=30))
        self._lazada_count = 0

    def env(self):
        return {
            "SEPAY_API_KEY": SEPAY_KEY, "SEPAY_HMAC_SECRET": SEPAY_SECRET, "CASSO_CHECKSUM_KEY": CASSO_KEY,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "SHOPEE_API_BASE": self.shopee.url, "SHOPEE_PARTNER_ID": str(self.shopee.partner_id),
            "SHOPEE_PARTNER_KEY": self.shopee.partner_key,
            "LAZADA_API_BASE": self.lazada.api_base, "LAZADA_AUTH_BASE": self.lazada.auth_base,
            "LAZADA_APP_KEY": self.lazada.app_key, "LAZADA_APP_SECRET": self.lazada.app_secret,
            "MARKETPLACE_HTTP_TIMEOUT": "10",
        }

    def events(self, count, start=0):
        return [self.event(i) for i in range(start, start + count)]

    def event(self, i):
        kind = KINDS[i % len(KINDS)]
        sku = self.product.sku
        if kind.startswith("sepay"):
            body = {"id": 5_000_000 + i, "gateway": "Vietcombank", "transactionDate": "2025-07-25 14:02:37",
                    "accountNumber": ACCOUNT_NUMBER, "code": None, "transferType": "in", "transferAmount": 150000,
                    "content": f"MBVCB.{i}.OCOP {REFERENCE}.CT tu 0451000123456 NGUYEN VAN A", "accumulated": 0,
                    "subAccount": None, "referenceCode": f"MBVCB.{i}", "description": ""}
            # a bank sale is keyed on the bank's own reference (the same whichever service reports it)
            return Delivery(kind, "/webhooks/sepay/", _raw(body), f"ref:{body['referenceCode']}")
        if kind == "casso":
            data = {"error": 0, "data": {
                "id": 7_000_000 + i, "reference": f"FT{i:012d}", "description": f"IBFT OCOP{REFERENCE} {i}",
                "amount": 150000, "runningBalance": 0, "transactionDateTime": "2025-07-25 14:05:11",
                "accountNumber": ACCOUNT_NUMBER, "bankName": "Vietcombank", "bankAbbreviation": "VCB",
                "virtualAccountNumber": "", "virtualAccountName": "", "counterAccountName": "TRAN THI B",
                "counterAccountNumber": "0071000654321", "counterAccountBankId": "970418",
                "counterAccountBankName": "BIDV"}}
            return Delivery(kind, "/webhooks/casso/", _raw(data), f"ref:{data['data']['reference']}", data=data)
        if kind == "shopee":
            order_sn = f"25072{i:07d}RL"
            update_time = int(time.time()) - 5
            self.shopee.add_order(order_sn, update_time=update_time, sku=sku, item_id=800182459, quantity=1,
                                  price=150000)
            push = {"data": {"ordersn": order_sn, "status": "COMPLETED", "completed_scenario": "",
                             "update_time": update_time}, "shop_id": SHOPEE_SHOP, "code": 3,
                    "timestamp": int(time.time())}
            return Delivery(kind, "/webhooks/shopee/", _raw(push), f"{order_sn}:{sku}")
        # Lazada: a push makes the processor fetch every order changed since it (the connector has no
        # upper bound), so the orders are spread back in time to keep that linear-ish.
        from datetime import timedelta

        from django.utils import timezone

        from tests.marketplace.order_fixtures import lazada_time

        order_id = 260_000_000_000 + i
        moment = timezone.now() - timedelta(minutes=11 * self._lazada_count, seconds=5)
        self._lazada_count += 1
        self.lazada.add_order(order_id, updated_at=lazada_time(moment), sku=sku, quantity=1, price=150000)
        push = {"seller_id": LAZADA_SELLER, "message_type": 0, "data": {
            "order_status": "delivered", "trade_order_id": str(order_id), "trade_order_line_id": str(order_id * 10),
            "status_update_time": int(moment.timestamp())}, "timestamp": int(time.time() * 1000), "site": "lazada_vn"}
        return Delivery(kind, "/webhooks/lazada/", _raw(push), f"{order_id}:{sku}")


def _raw(data):
    return json.dumps(data, ensure_ascii=False).encode()


def deliver_all(deliveries, base_urls, *, clients=20):
    """Every delivery posted once, from `clients` threads, spread over the web servers in turn.
    Returns the HTTP statuses in the order of `deliveries`."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()

    def send(index_delivery):
        index, delivery = index_delivery
        if not hasattr(local, "session"):
            local.session = requests.Session()
        base = base_urls[index % len(base_urls)]
        response = post(local.session, base + delivery.path, delivery.body, delivery.headers())
        return response.status_code

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(send, enumerate(deliveries)))


# --- publishing to the Shopee fake ----------------------------------------------------------------

ADD_ITEM = "/api/v2/product/add_item"


def slow_shopee_fake_class():
    from tests.marketplace.fakes import ShopeeFake

    class SlowShopeeFake(ShopeeFake):
        """The Shopee fake (signatures checked), with item creation made thread-safe (the base fake
        may give two concurrent add_item calls one id and so hide a duplicate) and answering
        `latency` seconds after the item exists: the window where a killed worker leaves an item
        created on the marketplace but not recorded on our side."""

        latency = 0.4

        def __init__(self):
            super().__init__()
            import threading

            self._create_lock = threading.Lock()
            self.seen = []

        def dispatch(self, request):
            with self._lock:
                self.seen.append((time.monotonic(), self.api_path(request)))
            return super().dispatch(request)

        def attempts(self, path):
            """Monotonic times of every request to `path`, failed ones included."""
            with self._lock:
                return [at for at, seen_path in self.seen if seen_path == path]

        def do_logistics_get_channel_list(self, request):
            time.sleep(self.latency / 4)
            return super().do_logistics_get_channel_list(request)

        def do_product_add_item(self, request):
            with self._create_lock:
                answer = super().do_product_add_item(request)
            time.sleep(self.latency)
            return answer

        def created_per_sku(self):
            from collections import Counter

            with self._lock:
                calls = [c for c in self.calls if c.path == ADD_ITEM]
            return Counter((c.json or {}).get("item_sku") for c in calls)

        def items_per_sku(self):
            from collections import Counter

            return Counter(item.get("item_sku") for item in list(self.items.values()))

    return SlowShopeeFake


@pytest.fixture
def slow_shopee(settings):
    fake = slow_shopee_fake_class()().start()
    settings.SHOPEE_API_BASE = fake.url
    settings.SHOPEE_PARTNER_ID = fake.partner_id
    settings.SHOPEE_PARTNER_KEY = fake.partner_key
    yield fake
    fake.stop()


class PublishingScenario:
    """A verified producer's `count` products, each with a photo, as draft listings on one Shopee shop
    of the fake (category mapped, tokens valid)."""

    def __init__(self, fake, count, *, shop_id=SHOPEE_SHOP):
        from datetime import timedelta

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from listings import services
        from listings.models import CategoryMapping, MarketplaceAccount
        from producers.models import ProductPhoto
        from producers.services import photo_add
        from tests.factories import OcopProductFactory, jpeg_bytes, make_member

        self.fake = fake
        self.owner, self.producer = make_member()
        products = OcopProductFactory.create_batch(count, producer=self.producer)
        first = photo_add(product=products[0], user=self.owner,
                          upload=SimpleUploadedFile("mat-ong.jpg", jpeg_bytes(), "image/jpeg"))
        ProductPhoto.objects.bulk_create([
            ProductPhoto(product=p, image=first.image.name, square=first.square.name, width=first.width,
                         height=first.height) for p in products[1:]])
        for group_id in {p.group_id for p in products}:
            CategoryMapping.objects.get_or_create(group_id=group_id, marketplace="shopee",
                                                  defaults={"category_id": "100629"})
        credentials = fake.credentials(shop_id)
        now = timezone.now()
        self.account = MarketplaceAccount.objects.create(
            producer=self.producer, marketplace="shopee", shop_id=credentials.shop_id, shop_name="HTX Mật ong",
            access_token=credentials.access_token, refresh_token=credentials.refresh_token,
            access_expires_at=now + timedelta(hours=4), refresh_expires_at=now + timedelta(days=30))
        self.listings = [services.listing_create(product=p, account=self.account, user=self.owner) for p in products]
        self.skus = sorted(p.sku for p in products)

    def env(self):
        return {"SHOPEE_API_BASE": self.fake.url, "SHOPEE_PARTNER_ID": str(self.fake.partner_id),
                "SHOPEE_PARTNER_KEY": self.fake.partner_key, "MARKETPLACE_HTTP_TIMEOUT": "10"}

    def publish_all(self):
        from listings import services

        for listing in self.listings:
            services.listing_publish(listing=listing, user=self.owner)

    def statuses(self):
        from django.db.models import Count

        from listings.models import Listing

        return dict(Listing.objects.filter(account=self.account).values_list("status").annotate(n=Count("id")))

    def all_live(self):
        return self.statuses() == {"live": len(self.listings)}

    def interrupted(self):
        """Listings whose publishing started more than once (a killed worker, a lost message)."""
        from django.db.models import Count

        from listings.models import Listing

        return (Listing.objects.filter(account=self.account, status_changes__to_status="publishing")
                .annotate(n=Count("status_changes")).filter(n__gt=1).count())


def sweep_listings(older_than_seconds):
    """What the beat task listings.tasks.sweep_stuck_listings does, with a threshold for a test."""
    from datetime import timedelta

    from listings.services import listings_sweep_stuck

    return listings_sweep_stuck(older_than=timedelta(seconds=older_than_seconds))


def sweep_events(older_than_seconds):
    """What the beat task payments.tasks.sweep_inbound_events does, with a threshold for a test."""
    from datetime import timedelta

    from payments.services import inbound_events_sweep

    return inbound_events_sweep(older_than=timedelta(seconds=older_than_seconds))
