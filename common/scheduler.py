"""The periodic tasks without a broker: what `celery beat` does for a deployment with Redis, for
`make demo` and any deployment whose tasks run eagerly (no CELERY_BROKER_URL).

`manage.py run_periodic` runs every entry of the one beat schedule (settings.CELERY_BEAT_SCHEDULE:
the inbound-event sweep, the stuck-listing sweep, token refresh, review checks, order polling) in
its own process, beside the web server: each once at start, then at its interval, one at a time.
Every task is idempotent and works from rows, so a run that overlaps the web process's own work is
harmless. SIGINT/SIGTERM stop it after the task in progress.

The Celery app is `celery.current_app` (config's, once Django is set up), so common imports no
project module.
"""
import logging
import threading
import time
from datetime import timedelta
from importlib import import_module

from celery import current_app as celery_app
from celery.schedules import schedule as celery_schedule
from django.db import close_old_connections

logger = logging.getLogger(__name__)

MAX_SLEEP = 60.0


def _seconds(value):
    """A beat entry's `schedule`: seconds, a timedelta, or a Celery schedule (crontab included)."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, celery_schedule) and type(value) is celery_schedule:
        return value.run_every.total_seconds()
    return max(1.0, value.remaining_estimate(celery_app.now()).total_seconds())


def run_task(name, entry):
    """The entry's task, in this process (eagerly): the tasks it queues run inline too."""
    if entry["task"] not in celery_app.tasks:
        # its module, by name (Celery's own loader would set Django up again: logging, checks)
        import_module(entry["task"].rsplit(".", 1)[0])
    task = celery_app.tasks[entry["task"]]
    close_old_connections()
    try:
        result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
        logger.info("periodic task %s: %s", name, result.result)
    finally:
        close_old_connections()


class Scheduler:
    def __init__(self, schedule=None, *, run=None, clock=time.monotonic):
        if schedule is None:
            schedule = celery_app.conf.beat_schedule or {}
        self.schedule = dict(schedule)
        self._run = run or run_task
        self._clock = clock
        self._due = {}

    def run_pending(self):
        """Runs every entry that is due (all of them the first time); returns the seconds until
        the next one is."""
        for name, entry in self.schedule.items():
            if self._due.get(name, self._clock()) > self._clock():
                continue
            try:
                self._run(name, entry)
            except Exception:  # noqa: BLE001 - one failing task must not stop the others
                logger.exception("periodic task %s failed; it runs again at its next interval", name)
            self._due[name] = self._clock() + _seconds(entry["schedule"])
        if not self._due:
            return MAX_SLEEP
        return max(0.0, min(self._due.values()) - self._clock())

    def run_forever(self, stop: threading.Event):
        while not stop.is_set():
            wait = self.run_pending()
            stop.wait(min(wait, MAX_SLEEP))
