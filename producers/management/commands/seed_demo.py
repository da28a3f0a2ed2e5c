import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from producers import demo

# Other apps add their demo data (listings, payment codes, sales) in a `demo` module with
# `seed(stdout, base=...)`; an app that has none yet is skipped.
OPTIONAL_DEMO_MODULES = ("listings.demo", "payments.demo", "dashboard.demo")


class Command(BaseCommand):
    help = (
        "Load demo data for Lào Cai (producers, OCOP products with photos, one account per role). "
        "Idempotent."
    )

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE == "config.settings.production":
            # The demo accounts share one published, weak password: never on a real deployment.
            raise CommandError(_("Không nạp dữ liệu dùng thử trên máy chạy thật (config.settings.production)."))
        started = time.monotonic()
        base = demo.seed(self.stdout)
        for name in OPTIONAL_DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.seed(self.stdout, base=base)
        self.stdout.write(_("Xong trong %(seconds).1f giây.") % {"seconds": time.monotonic() - started})
        self.write_accounts(base["accounts"])

    def write_accounts(self, accounts):
        rows = [(_("Vai trò"), _("Tên đăng nhập"), _("Mật khẩu")), *accounts]
        widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write(_("Tài khoản dùng thử:"))
        self.stdout.write(line)
        for index, row in enumerate(rows):
            cells = (str(value).ljust(width) for value, width in zip(row, widths, strict=True))
            self.stdout.write("| " + " | ".join(cells) + " |")
            if index == 0:
                self.stdout.write(line)
        self.stdout.write(line)
