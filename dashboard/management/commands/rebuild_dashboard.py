from django.core.management.base import BaseCommand

from dashboard import services
from dashboard.models import LiveSpan, ProductMonth, ProductMonthChannel, ProductSales


class Command(BaseCommand):
    help = ("Recomputes the dashboard's summary tables (ProductMonth, ProductMonthChannel, ProductSales, LiveSpan) "
            "from the transactions "
            "and the listings' status history: after a bulk load that bypassed .save(), or to repair.")

    def handle(self, *args, **options):
        services.summaries_rebuild()
        self.stdout.write(f"ProductMonth: {ProductMonth.objects.count()}, "
                          f"ProductMonthChannel: {ProductMonthChannel.objects.count()}, "
                          f"ProductSales: {ProductSales.objects.count()}, LiveSpan: {LiveSpan.objects.count()}")
