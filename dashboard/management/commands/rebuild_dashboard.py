from django.core.management.base import BaseCommand

from dashboard import services
from dashboard.models import LiveSpan, ProductMonth, ProductSales


class Command(BaseCommand):
    help = ("Recomputes the dashboard's summary tables (ProductMonth, ProductSales, LiveSpan) from the transactions "
            "and the listings' status history: after a bulk load that bypassed .save(), or to repair.")

    def handle(self, *args, **options):
        services.summaries_rebuild()
        self.stdout.write(f"ProductMonth: {ProductMonth.objects.count()}, ProductSales: {ProductSales.objects.count()}, "
                          f"LiveSpan: {LiveSpan.objects.count()}")
