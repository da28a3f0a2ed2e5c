"""`python manage.py run_periodic [--once]`: the periodic tasks (sweeps, order polling, token refresh)
on a timer, in this process, for a deployment without a broker (`make demo` runs it beside the
web server). With CELERY_BROKER_URL set, `celery beat` and the workers do this instead."""
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.scheduler import Scheduler


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every periodic task once and exit")

    def handle(self, *args, once=False, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("A broker is configured (CELERY_BROKER_URL): the periodic tasks are run by "
                               "celery beat and the workers, not by run_periodic.")
        scheduler = Scheduler()
        if once:
            scheduler.run_pending()
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("run_periodic: %s" % ", ".join(sorted(scheduler.schedule)))
        self.stdout.flush()
        scheduler.run_forever(stop)
