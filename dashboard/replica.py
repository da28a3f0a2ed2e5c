"""The department's figures may be read from a PostgreSQL read replica.

With DASHBOARD_DATABASE_URL set, settings add a `dashboard` database; the dashboard's page, export
and API run their reads inside `replica_reads()`, which `ReplicaRouter` sends there (the ORM) and
`read_alias()` names for the dashboard's own SQL. Everything else, and every write, stays on the
primary; the replica is never migrated (it follows the primary). Without the setting, nothing
changes: `read_alias()` is "default".
"""
import contextlib
import contextvars

from django.db import connections

REPLICA = "dashboard"
_reading = contextvars.ContextVar("dashboard_replica_reads", default=False)


def read_alias():
    """The database the dashboard reads from right now."""
    return REPLICA if _reading.get() and REPLICA in connections.settings else "default"


@contextlib.contextmanager
def replica_reads():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = read_alias()
        return alias if alias != "default" else None

    def db_for_write(self, model, **hints):
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None
