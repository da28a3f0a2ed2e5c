"""Nothing lost on the embedded default: a real `manage.py runserver` as `make demo` runs it (no
broker, tasks eager in the web process, local settings) on a SQLite *file*, hit from many threads
at the same moment, then every notification and every form post is counted.

With DATABASE_URL pointing at PostgreSQL the same server runs on a PostgreSQL database of its own
instead (created and dropped here), so the same bursts are checked there too.
"""
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SEPAY_KEY = "embedded-sepay-key-5d1c"
CASSO_KEY = "embedded-casso-key-8e0a"
ACCOUNT = "1234567890123"
PASSWORD = "mat-khau-an-toan-123"
TRANSFERS = 36
REPLAYS = 10
DISTINCT = 20
THREADS = 24
PUBLISH_ROUNDS = 4


def _is_sqlite():
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_database():
    """A database of its own for the server (created here, dropped after): the server commits, so it
    cannot share the test's transaction."""
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_embedded"
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
              "password": db.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{params['host']}:{params['port']}/{name}"

    def drop():
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return url, drop


class Server:
    def __init__(self, env, log_path):
        self.env, self.log_path = env, log_path
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args, code=None):
        """`manage.py <args>` (or `shell -c code`) on the server's database; returns stdout."""
        argv = [sys.executable, "manage.py", *(args if code is None else ("shell", "-c", code))]
        done = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def call(self, function, **kwargs):
        """One of this module's functions run in a Django process on the server's database."""
        code = (f"import json; from tests.common.test_embedded_server import {function}; "
                f"print('@@' + json.dumps({function}(**json.loads({json.dumps(json.dumps(kwargs))}))))")
        out = self.manage(code=code)
        return json.loads(out.rsplit("@@", 1)[1])

    def start(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_tail()
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("runserver did not start:\n" + self.log_tail())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process:
            self.log.close()

    def log_tail(self, chars=4000):
        return Path(self.log_path).read_text(errors="replace")[-chars:]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module, like `make demo`: migrated, no broker, eager tasks."""
    folder = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items()
           if k not in ("CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local", "MEDIA_ROOT": str(folder / "media"),
        "SEPAY_API_KEY": SEPAY_KEY, "SEPAY_HMAC_SECRET": "", "CASSO_CHECKSUM_KEY": CASSO_KEY,
        "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
    })
    drop = None
    if _is_sqlite():
        env["DATABASE_URL"] = f"sqlite:///{folder / 'demo.sqlite3'}"
    else:
        env["DATABASE_URL"], drop = _postgres_database()
    server = Server(env, folder / "runserver.log")
    try:
        server.manage("migrate", "--noinput")
        server.start()
        yield server
    finally:
        server.stop()
        if drop is not None:
            drop()


# --- run inside the server's database (Server.call) ---------------------------------------------

def _fresh_sequences():
    """Each call is a new process: the factories' sequences start past what earlier calls made."""
    from producers.models import Producer
    from tests.factories import OcopProductFactory, ProducerFactory, UserFactory

    offset = 1000 * (Producer.objects.count() + 1)
    for factory_class in (ProducerFactory, UserFactory, OcopProductFactory):
        factory_class.reset_sequence(offset)


def seed_bank(*, products):
    from payments.models import Bank, BankAccount, PaymentCode, new_reference
    from producers.models import Commune
    from producers.reference import ensure_reference_data
    from producers.units import load_administrative_units
    from tests.factories import OcopProductFactory, ProducerFactory

    if not Commune.objects.exists():
        load_administrative_units()
    ensure_reference_data()
    _fresh_sequences()
    producer = ProducerFactory()
    account = BankAccount.objects.create(
        producer=producer, bank=Bank.objects.get(bin="970436"), account_number=ACCOUNT,
        holder_name="NGUYEN THI HOA", is_default=True,
    )
    codes = []
    for _ in range(products):
        product = OcopProductFactory(producer=producer, price=150000)
        code = PaymentCode.objects.create(product=product, bank_account=account, reference=new_reference())
        codes.append(code.reference)
    return codes


def seed_shops(*, usernames, products, shops):
    from listings import services
    from producers.models import Commune
    from producers.reference import ensure_reference_data
    from producers.units import load_administrative_units
    from tests.factories import OcopProductFactory, make_member

    if not Commune.objects.exists():
        load_administrative_units()
    ensure_reference_data()
    _fresh_sequences()
    seeded = {}
    for username in usernames:
        owner, producer = make_member(username=username)
        accounts = [services.account_connect(producer=producer, user=owner, marketplace="sandbox",
                                             shop_name=f"Gian hàng {i}") for i in range(shops)]
        items = [OcopProductFactory(producer=producer) for _ in range(products)]
        seeded[username] = {"products": [p.pk for p in items], "accounts": [a.pk for a in accounts]}
    return seeded


def journal_mode():
    from django.db import connection

    with connection.cursor() as cursor:
        return cursor.execute("PRAGMA journal_mode").fetchone()[0]


def count_bank():
    from django.db.models import Sum

    from payments.models import InboundEvent, Transaction

    events = InboundEvent.objects.filter(provider__in=["sepay", "casso"])
    counter = "deliveries" if hasattr(InboundEvent, "deliveries") else None
    return {
        # which notification each sale came from (whatever the sale's own external id looks like)
        "transactions": sorted(f"{provider}:{key}" for provider, key in Transaction.objects.values_list(
            "inbound_event__provider", "inbound_event__dedup_key")),
        "rows": events.count(),
        "states": sorted(events.values_list("state", flat=True)),
        "received": events.filter(state="received").count(),
        "deliveries": events.aggregate(n=Sum(counter))["n"] if counter else None,
    }


def count_listings(*, usernames):
    from django.db.models import Count

    from listings.models import Listing

    counted = {}
    for username in usernames:
        listings = Listing.objects.filter(product__producer__memberships__user__username=username)
        pairs = listings.values("product", "account").annotate(n=Count("id"))
        counted[username] = {"listings": listings.count(), "max_per_pair": max((p["n"] for p in pairs), default=0),
                             "statuses": sorted(set(listings.values_list("status", flat=True)))}
    return counted


# --- the bursts ----------------------------------------------------------------------------------

def _transfer(i, code):
    """A transfer into ACCOUNT paying `code`: even ones reported by SePay, odd ones by Casso, each
    with its own bank reference (the same money is never reported by both)."""
    if i % 2 == 0:
        body = {"id": 700000 + i, "gateway": "Vietcombank", "transactionDate": "2026-12-07 14:02:37",
                "accountNumber": ACCOUNT, "code": None, "content": f"MBVCB.{8800000 + i}.OCOP {code}.CT tu 0451",
                "transferType": "in", "transferAmount": 150000, "accumulated": 1000000, "subAccount": None,
                "referenceCode": f"MBVCB.{8800000 + i}", "description": f"OCOP {code}"}
        raw = json.dumps(body, ensure_ascii=False).encode()
        return "/webhooks/sepay/", raw, {"Authorization": f"Apikey {SEPAY_KEY}"}
    from payments.banks import casso

    body = {"error": 0, "data": {
        "id": 900000 + i, "reference": f"FT26341{900000 + i}", "description": f"IBFT OCOP{code}", "amount": 150000,
        "runningBalance": 1000000, "transactionDateTime": "2026-12-07 14:05:11", "accountNumber": ACCOUNT,
        "bankName": "Vietcombank", "bankAbbreviation": "VCB", "counterAccountName": "TRAN THI B",
        "counterAccountNumber": "0071000654321", "counterAccountBankId": "970418", "counterAccountBankName": "BIDV"}}
    raw = json.dumps(body, ensure_ascii=False).encode()

    def headers():  # signed when sent: Casso's timestamp must be fresh
        stamp = int(time.time() * 1000)
        return {"X-Casso-Signature": f"t={stamp},v1={casso.casso_signature(CASSO_KEY, stamp, body)}"}
    return "/webhooks/casso/", raw, headers


def _expected_id(i):
    return f"sepay:{700000 + i}" if i % 2 == 0 else f"casso:{900000 + i}"


def _fire(server, deliveries):
    """Every delivery at once from THREADS threads (each its own connection); the statuses."""
    start = threading.Barrier(min(THREADS, len(deliveries)))

    def send(delivery):
        path, body, headers = delivery
        try:
            start.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        for attempt in range(5):
            signed = headers() if callable(headers) else headers
            try:
                return requests.post(server.url + path, data=body, timeout=120,
                                     headers={"Content-Type": "application/json", **signed}).status_code
            except requests.ConnectionError as exc:
                # runserver's listen queue holds 10 connections: past it the kernel resets one. The
                # provider got no answer and sends it again, as SePay and Casso do; never a 200 lost.
                failure = repr(exc)
                time.sleep(0.2 * (attempt + 1))
        return failure

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(send, deliveries))


def test_bursts_of_bank_notifications_each_become_exactly_one_transaction(server):
    # given 36 payment codes of one producer, on a server like `make demo`
    codes = server.call("seed_bank", products=TRANSFERS)
    # when 36 transfers are each delivered 10 times at once (shuffled, 24 threads)
    deliveries = [_transfer(i, codes[i]) for i in range(TRANSFERS) for _ in range(REPLAYS)]
    random.Random(12).shuffle(deliveries)
    statuses = _fire(server, deliveries)
    # then every delivery is answered 200 and every transfer is exactly one sale, none left waiting
    assert statuses == [200] * len(deliveries), server.log_tail()
    counted = server.call("count_bank")
    assert counted["transactions"] == sorted(_expected_id(i) for i in range(TRANSFERS)), server.log_tail()
    assert counted["received"] == 0
    # one row per transfer, counting its deliveries
    assert counted["rows"] == TRANSFERS and counted["states"] == ["matched"] * TRANSFERS
    assert counted["deliveries"] == TRANSFERS * REPLAYS

    # when 20 more distinct transfers arrive at the same moment
    fresh = [_transfer(TRANSFERS + i, codes[i]) for i in range(DISTINCT)]
    statuses = _fire(server, fresh)
    # then each is one more sale
    assert statuses == [200] * DISTINCT, server.log_tail()
    counted = server.call("count_bank")
    assert len(counted["transactions"]) == TRANSFERS + DISTINCT, server.log_tail()
    assert counted["received"] == 0 and counted["rows"] == TRANSFERS + DISTINCT
    if _is_sqlite():  # the server's SQLite runs in WAL mode (readers never wait for the writer)
        assert server.call("journal_mode") == "wal"


def _login(server, username):
    session = requests.Session()
    page = session.get(server.url + "/dang-nhap/", timeout=30)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = session.post(server.url + "/dang-nhap/", timeout=30, allow_redirects=False, data={
        "csrfmiddlewaretoken": token, "username": username, "password": PASSWORD,
    }, headers={"Referer": server.url + "/dang-nhap/"})
    assert response.status_code == 302, response.text[-2000:]
    return session


def test_the_publish_form_sent_from_two_tabs_at_once_makes_one_listing_per_product_and_shop(server):
    # given, several times over, an owner with 3 products and 2 connected sandbox shops
    rounds = [f"chu{n}" for n in range(PUBLISH_ROUNDS)]
    seeded = server.call("seed_shops", usernames=rounds, products=3, shops=2)
    statuses = []
    for username in rounds:
        # with the publish form open in two tabs
        session = _login(server, username)
        form = session.get(server.url + "/niem-yet/dang-ban/", timeout=30)
        assert form.status_code == 200, form.text[-2000:]
        token = form.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        data = {"csrfmiddlewaretoken": token, **seeded[username]}
        start = threading.Barrier(2)

        def submit(start=start, session=session, data=data):
            start.wait(timeout=30)
            return session.post(server.url + "/niem-yet/dang-ban/", data=data, timeout=120, allow_redirects=False,
                                headers={"Referer": server.url + "/niem-yet/dang-ban/"}).status_code

        # when both tabs send it at the same moment
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses.append(list(pool.map(lambda _: submit(), range(2))))
        # and what the tabs show next says it was sent, with no error about the other tab's work
        page = session.get(server.url + "/niem-yet/", timeout=30).text
        assert "Không thể chuyển" not in page, page[-3000:]
    # then neither ever gets an error, and each product is listed once on each shop, live
    assert statuses == [[302, 302]] * PUBLISH_ROUNDS, server.log_tail()
    counted = server.call("count_listings", usernames=rounds)
    for username in rounds:
        assert counted[username] == {"listings": 6, "max_per_pair": 1, "statuses": ["live"]}, (username, counted)
