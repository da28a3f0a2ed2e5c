"""`python manage.py bench NAME [options]`: one benchmark (or `all`), a JSON line per figure, then a
table. Each figure is a ratio to a floor measured in the same run, so it holds on any machine."""
import json

from django.core.management.base import BaseCommand

from benchmarks import BENCHMARKS, module
from benchmarks.__main__ import table


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="benchmark", required=True)
        for name in BENCHMARKS:
            summary = (module(name).__doc__ or "").strip().split("\n")[0].replace("%", "%%")
            module(name).add_arguments(sub.add_parser(name, help=summary))
        sub.add_parser("all", help="every benchmark at its default size")

    def handle(self, *args, **options):
        rows = []

        def emit(row):
            rows.append(row)
            self.stdout.write(json.dumps(row, ensure_ascii=False, default=str))
            self.stdout.flush()

        names = BENCHMARKS if options["benchmark"] == "all" else [options["benchmark"]]
        for name in names:
            parser = self.create_parser("manage.py", "bench")
            defaults = vars(parser.parse_args([name]))
            run_options = {**defaults, **(options if options["benchmark"] == name else {})}
            module(name).run(run_options, emit)
        self.stdout.write("")
        self.stdout.write(table(rows))
