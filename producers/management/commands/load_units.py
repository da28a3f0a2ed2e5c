from django.core.management.base import BaseCommand

from producers.units import load_administrative_units


class Command(BaseCommand):
    help = "Load the 34 provinces and their communes (structure since 1 July 2025). Idempotent."

    def handle(self, *args, **options):
        provinces, communes = load_administrative_units()
        self.stdout.write(f"{provinces} tỉnh/thành phố, {communes} xã/phường/đặc khu.")
