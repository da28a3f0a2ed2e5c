"""Periodic tasks without a broker (`manage.py run_periodic`, which `make demo` runs beside the web
server): every entry of the beat schedule runs in-process, so an event left `received` or a listing
left `queued` is always picked up, even with no Celery beat or worker."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pytest
from celery import current_app as celery_app
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from common.scheduler import Scheduler
from listings.models import Listing
from payments.models import InboundEvent, Transaction

ROOT = Path(__file__).resolve().parents[2]
SEPAY_BODY = json.dumps({
    "id": 55501, "gateway": "Vietcombank", "transactionDate": "2026-12-07 14:02:37", "accountNumber": "1234567890123",
    "content": "OCOP K7P2QX", "transferType": "in", "transferAmount": 150000, "referenceCode": "FT55501",
}).encode()


def _stuck_event():
    """A bank notification stored 15 minutes ago whose after-commit processing was lost."""
    return InboundEvent.objects.create(provider="sepay", body=SEPAY_BODY.decode(), dedup_key="55501",
                                       received_at=timezone.now() - timedelta(minutes=15))


def _code_and_shop():
    """The code K7P2QX on account 1234567890123, and a connected sandbox shop of the same owner."""
    from listings import services as listing_services
    from payments.models import Bank, BankAccount, PaymentCode
    from producers.models import Commune
    from producers.reference import ensure_reference_data
    from producers.units import load_administrative_units
    from tests.factories import OcopProductFactory, make_member

    if not Commune.objects.exists():
        load_administrative_units()
    ensure_reference_data()
    owner, producer = make_member(username="chuhtx")
    product = OcopProductFactory(producer=producer, price=150000)
    account = BankAccount.objects.create(producer=producer, bank=Bank.objects.get(bin="970436"),
                                         account_number="1234567890123", holder_name="NGUYEN THI HOA", is_default=True)
    PaymentCode.objects.create(product=product, bank_account=account, reference="K7P2QX")
    shop = listing_services.account_connect(producer=producer, user=owner, marketplace="sandbox")
    return owner, product, shop


def test_every_periodic_task_of_the_deployment_is_declared_in_settings_alone():
    # one place: the schedule beat and the in-process scheduler run is settings.CELERY_BEAT_SCHEDULE,
    # and no app adds to it at start-up
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert Scheduler().schedule == settings.CELERY_BEAT_SCHEDULE
    names = {entry["task"].rsplit(".", 1)[1] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names == {"sweep_inbound_events", "sweep_stuck_listings", "refresh_marketplace_tokens",
                     "check_listings_in_review", "poll_marketplace_orders"}


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE), ids=str)
def test_each_scheduled_task_exists(entry):
    name = settings.CELERY_BEAT_SCHEDULE[entry]["task"]
    import_module(name.rsplit(".", 1)[0])
    assert name in celery_app.tasks


def test_each_task_runs_at_start_then_at_its_interval():
    ran = []
    clock = [1000.0]
    scheduler = Scheduler(schedule={"often": {"task": "t.often", "schedule": 60.0},
                                    "rarely": {"task": "t.rarely", "schedule": timedelta(minutes=10)}},
                          run=lambda name, entry: ran.append(entry["task"]), clock=lambda: clock[0])
    assert scheduler.run_pending() == 60.0 and ran == ["t.often", "t.rarely"]
    clock[0] += 59
    assert scheduler.run_pending() == pytest.approx(1.0) and ran == ["t.often", "t.rarely"]
    clock[0] += 1
    scheduler.run_pending()
    assert ran == ["t.often", "t.rarely", "t.often"]
    clock[0] += 600
    scheduler.run_pending()
    assert ran[-2:] == ["t.often", "t.rarely"]


def test_a_failing_task_does_not_stop_the_others(caplog):
    ran = []

    def run(name, entry):
        if name == "broken":
            raise RuntimeError("boom")
        ran.append(name)

    scheduler = Scheduler(schedule={"broken": {"task": "x", "schedule": 5.0}, "fine": {"task": "y", "schedule": 5.0}},
                          run=run, clock=lambda: 0.0)
    scheduler.run_pending()
    assert ran == ["fine"] and "boom" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_run_periodic_once_processes_an_event_left_received_and_a_listing_left_queued():
    # given an event whose processing was lost, and a listing queued 40 minutes ago whose task was lost
    from listings import services as listing_services

    owner, product, shop = _code_and_shop()
    event = _stuck_event()
    listing = listing_services.listing_create(product=product, account=shop, user=owner)
    listing.transition(Listing.Status.QUEUED, reason="lost")
    long_ago = timezone.now() - timedelta(minutes=40)
    Listing.objects.filter(pk=listing.pk).update(enqueued_at=long_ago, status_changed_at=long_ago)
    # when the periodic tasks run once, in-process, with no broker
    call_command("run_periodic", "--once")
    # then both are done
    event.refresh_from_db()
    listing.refresh_from_db()
    assert event.state == InboundEvent.State.MATCHED and Transaction.objects.count() == 1
    assert listing.status == Listing.Status.LIVE


def test_run_periodic_refuses_when_a_broker_runs_the_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with pytest.raises(CommandError, match="celery"):
        call_command("run_periodic", "--once")


def test_run_periodic_as_a_process_beside_the_server_sweeps_and_stops_on_sigterm(tmp_path):
    """What `make demo` starts: a real process on a SQLite file, stopped as `make demo` stops it."""
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3",
                "LOG_LEVEL": "INFO", "MEDIA_ROOT": str(tmp_path / "media")})

    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput")
    manage("shell", "-c", "from tests.common.test_periodic import seed_stuck_event; seed_stuck_event()")
    log = open(tmp_path / "periodic.log", "w")
    process = subprocess.Popen([sys.executable, "manage.py", "run_periodic"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        state = ""
        while time.monotonic() < deadline and state != "matched":
            time.sleep(0.3)
            with sqlite3.connect(tmp_path / "d.sqlite3", timeout=20) as db:
                state = db.execute("SELECT state FROM payments_inboundevent").fetchone()[0]
        assert state == "matched", (tmp_path / "periodic.log").read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        log.close()


def seed_stuck_event():
    """Run in the subprocess above."""
    _code_and_shop()
    _stuck_event()
