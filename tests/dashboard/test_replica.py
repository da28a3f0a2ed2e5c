"""DASHBOARD_DATABASE_URL: the dashboard's reads go to a read replica; everything else, and every
write, stays on the primary."""
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dashboard.replica import REPLICA, ReplicaRouter, read_alias, replica_reads
from producers.models import OcopProduct

from .test_pages_export_api import province  # noqa: F401  (the fixture)


def test_without_a_replica_everything_reads_the_primary():
    assert REPLICA not in connections.settings
    with replica_reads():
        assert read_alias() == "default"
        assert ReplicaRouter().db_for_read(OcopProduct) is None


def test_with_a_replica_only_the_dashboards_reads_go_there(monkeypatch):
    monkeypatch.setitem(connections.settings, REPLICA, dict(connections["default"].settings_dict))
    router = ReplicaRouter()
    assert read_alias() == "default" and router.db_for_read(OcopProduct) is None
    with replica_reads():
        assert read_alias() == REPLICA and router.db_for_read(OcopProduct) == REPLICA
        assert router.db_for_write(OcopProduct) is None  # writes: the primary
    assert read_alias() == "default"
    # the replica follows the primary: never migrated
    assert router.allow_migrate(REPLICA, "producers") is False and router.allow_migrate("default", "producers") is None


def test_settings_add_the_replica_from_the_environment(monkeypatch):
    from config.settings import base

    monkeypatch.setenv("DASHBOARD_DATABASE_URL", "postgres://ocop_ro:secret@replica.example:5432/ocop")
    databases = base.dashboard_replica({"default": {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 60}})
    assert databases[REPLICA]["HOST"] == "replica.example" and databases[REPLICA]["USER"] == "ocop_ro"
    assert databases[REPLICA]["TEST"] == {"MIRROR": "default"} and databases[REPLICA]["CONN_MAX_AGE"] == 60
    monkeypatch.delenv("DASHBOARD_DATABASE_URL")
    assert REPLICA not in base.dashboard_replica({"default": {}})


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """A second connection to the test database stands for the replica. Module-scoped so that it
    exists before the test's database access is set up (Django lets a test touch only the aliases it
    declares, and checks them then); this test is the module's last."""
    connections.settings[REPLICA] = dict(connections["default"].settings_dict)
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection to the test database: PostgreSQL")
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_dashboard_api_reads_from_the_replica(replica_alias, officer, province):
    """The summary's queries are all sent over the replica's connection, none of the dashboard's
    over the primary."""
    api = APIClient()
    api.force_authenticate(officer)
    with CaptureQueriesContext(connections[REPLICA]) as replica, CaptureQueriesContext(connection) as primary:
        response = api.get("/api/dashboard/summary/", {"period": "quarter", "year": 2026, "quarter": 3})
    assert response.status_code == 200 and response.json()["totals"]["products"] > 0
    assert len(replica.captured_queries) >= 3
    dashboard_tables = ("dashboard_", "producers_ocopproduct", "listings_listing", "payments_transaction")
    on_primary = [q["sql"] for q in primary.captured_queries if any(t in q["sql"] for t in dashboard_tables)]
    assert on_primary == []
