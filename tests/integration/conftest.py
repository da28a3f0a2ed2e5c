"""A real Celery worker on PostgreSQL and Redis, for the tests marked `integration`.

.ci/run sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis). Without them these tests are
skipped, unless OCOP_REQUIRE_INTEGRATION is set, in which case they fail.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "redis_restart: restarts the shared Redis on 127.0.0.1:6379 (tests/integration/test_reliability_*)")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.integration)


def _require_services():
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.CELERY_BROKER_URL:
        missing.append("a broker (CELERY_BROKER_URL)")
    if missing:
        reason = "integration tests need " + " and ".join(missing)
        if os.environ.get("OCOP_REQUIRE_INTEGRATION"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker process for the session, connected to the test database."""
    with django_db_blocker.unblock():
        _require_services()
        database = connection.settings_dict
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "OCOP_WORKER": "1",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    })
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2",
             "--without-gossip", "--without-mingle", "-Q", worker_queues(), "-n", f"ci-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited: {log_path.read_text()[-3000:]}")
        if "ready." in log_path.read_text():
            break
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"the Celery worker did not start: {log_path.read_text()[-3000:]}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_queues():
    queues = {"celery"} | {route.get("queue") for route in (settings.CELERY_TASK_ROUTES or {}).values()}
    return ",".join(sorted(q for q in queues if q))


@pytest.fixture
def real_worker(celery_worker_process, transactional_db):
    """Tasks go through the broker to the worker for this test (committed data, no eager mode)."""
    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = True


def wait_until(predicate, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
