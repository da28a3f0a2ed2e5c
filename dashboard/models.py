"""Summary tables kept up to date on write, so the dashboard reads a bounded number of rows
whatever the number of transactions: at most one row per product and month. Both can be rebuilt
from their source at any time (`services.summaries_rebuild`); the signals in `signals.py` keep
them current between rebuilds."""
from django.db import models

from listings.models import Marketplace

# Marketplaces with their own columns in ProductMonth. A marketplace added to the choices later
# gets columns with a migration; until then its orders are counted as "other".
MARKETPLACE_CODES = tuple(Marketplace.values)
KINDS = ("bank", "manual", "other")
MEASURES = ("orders", "quantity", "revenue")
# One bit per channel in ProductMonth.mask: the rates read the mask alone (a covering index).
CHANNEL_BITS = {channel: 1 << index for index, channel in enumerate((*MARKETPLACE_CODES, *KINDS))}
MARKETPLACE_BITS = sum(CHANNEL_BITS[code] for code in MARKETPLACE_CODES)


class ProductMonth(models.Model):
    """Counted transactions of one product in one calendar month (Vietnam time), by channel:
    `<marketplace>_orders/_quantity/_revenue` for marketplace orders (and imported ones naming a
    marketplace), `bank_*` for matched VietQR transfers, `manual_*` for confirmed self-reported
    sales, `other_*` for the rest (an import naming no marketplace)."""

    product = models.ForeignKey("producers.OcopProduct", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    month = models.DateField()
    mask = models.PositiveIntegerField(default=0, help_text="CHANNEL_BITS of the channels with orders")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "month"], name="productmonth_unique")]
        # The rates are answered from this index alone (an index-only scan on PostgreSQL).
        indexes = [models.Index(fields=["month", "product", "mask"], name="productmonth_month")]

    @classmethod
    def channel_columns(cls):
        return [f"{channel}_{measure}" for channel in (*MARKETPLACE_CODES, *KINDS) for measure in MEASURES]


for _channel in (*MARKETPLACE_CODES, *KINDS):
    ProductMonth.add_to_class(f"{_channel}_orders", models.PositiveIntegerField(default=0))
    ProductMonth.add_to_class(f"{_channel}_quantity", models.BigIntegerField(default=0))
    ProductMonth.add_to_class(f"{_channel}_revenue", models.BigIntegerField(default=0))


class LiveSpan(models.Model):
    """One stretch of time a listing was live, from its status history; `ended_at` null: still live."""

    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("producers.OcopProduct", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    marketplace = models.CharField(max_length=20)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["product", "started_at"], name="livespan_product"),
            models.Index(fields=["started_at", "ended_at"], name="livespan_time"),
        ]


class ProductSales(models.Model):
    """One row per product that ever had a counted marketplace order: when the last one happened.
    "Listed without sales for 90 days" is then a comparison on this column, not a scan of the
    transactions. Kept with ProductMonth (`services.sales_bucket_refresh`, `sales_rebuild`)."""

    product = models.OneToOneField("producers.OcopProduct", on_delete=models.CASCADE, related_name="+",
                                   primary_key=True)
    last_marketplace_sale_at = models.DateTimeField()
