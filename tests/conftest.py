import logging
import os
import shutil

import pytest
from django.conf import settings

from payments.services import banks_load
from producers.models import Commune
from producers.reference import ensure_reference_data
from producers.units import load_administrative_units

from . import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the administrative units, as `make demo` does."""
    with django_db_blocker.unblock():
        load_administrative_units()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rate-limit buckets, Shopee's cached shipping channels,
    the drain flag): nothing one test leaves there changes another's outcome."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush every table: put the reference data back for them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    if transactional or {"transactional_db", "live_server", "real_worker"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        if not Commune.objects.exists():
            load_administrative_units()
        ensure_reference_data()
        banks_load()


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory):
    """Each test session writes its uploads into its own folder, removed at the end."""
    folder = tmp_path_factory.mktemp("media")
    original, settings.MEDIA_ROOT = settings.MEDIA_ROOT, str(folder)
    yield folder
    settings.MEDIA_ROOT = original
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def officer(db):
    return factories.make_officer(username="canbo", full_name="Trần Thị Bình")


@pytest.fixture
def owner_and_producer(db):
    return factories.make_member(username="chuhtx")


@pytest.fixture
def owner(owner_and_producer):
    return owner_and_producer[0]


@pytest.fixture
def producer(owner_and_producer):
    return owner_and_producer[1]


@pytest.fixture
def other_owner_and_producer(db):
    return factories.make_member(username="htxkhac")


def browser_available():
    return os.path.exists("/usr/bin/chromium")


class _RunLog(logging.Handler):
    """Every log line of the test run, as written, for tests/test_zz_logs.py to grep."""

    lines = []

    def emit(self, record):
        self.lines.append(f"{record.levelname} {record.name} {record.getMessage()}")


@pytest.fixture(autouse=True, scope="session")
def _run_log():
    handler = _RunLog(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
