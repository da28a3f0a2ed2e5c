import json

from django.core.management.base import BaseCommand, CommandError

from dashboard import bench


class Command(BaseCommand):
    help = ("Benchmarks. `bench dashboard --products N --transactions M [--listings L]` seeds that "
            "data (rows named 'BENCH ...', removed afterwards unless --keep) and prints JSON lines: "
            "the summary's time next to the floor (one COUNT(DISTINCT) over the period's "
            "transactions), then again after doubling the transactions. Use a dedicated database.")

    def add_arguments(self, parser):
        parser.add_argument("which", choices=["dashboard", "all"])
        parser.add_argument("--products", type=int, default=2000)
        parser.add_argument("--transactions", type=int, default=50000)
        parser.add_argument("--listings", type=int, default=None, help="default: five per product")
        parser.add_argument("--repeat", type=int, default=5, help="timed runs per measure (median)")
        parser.add_argument("--keep", action="store_true", help="leave the seeded rows in the database")

    def handle(self, *args, **options):
        if options["products"] < 1 or options["transactions"] < 0:
            raise CommandError("--products must be at least 1 and --transactions at least 0")
        listings = options["listings"] if options["listings"] is not None else 5 * options["products"]

        def log(line):
            self.stdout.write(json.dumps({"bench": "dashboard", **line}, ensure_ascii=False, default=str))
            self.stdout.flush()

        bench.run(products=options["products"], transactions=options["transactions"], listings=listings,
                  repeat=options["repeat"], keep=options["keep"], log=log)
