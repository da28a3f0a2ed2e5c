"""Summary tables kept up to date on write, so the dashboard reads a bounded number of rows
whatever the number of transactions: at most one row per product and month (and channel). They can
be rebuilt from their source at any time (`services.summaries_rebuild`); the signals in
`signals.py` keep them current between rebuilds."""
from django.db import models


class Channel(models.Model):
    """A sales channel's permanent bit in ProductMonth.mask, also the key of its figures in
    ProductMonthChannel. Rows are only ever added (`channels.bits_for`): a bit never moves."""

    bit = models.PositiveSmallIntegerField(primary_key=True)
    code = models.CharField(max_length=20, unique=True,
                            help_text="a marketplace's code, or bank / manual / other")

    def __str__(self):
        return self.code


class ProductMonth(models.Model):
    """Which channels sold one product in one calendar month (Vietnam time): one bit per channel
    (`Channel.bit`). The rates read the mask alone, from a covering index; the figures of each
    channel are ProductMonthChannel rows."""

    product = models.ForeignKey("producers.OcopProduct", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    month = models.DateField()
    mask = models.BigIntegerField(default=0, help_text="1 << Channel.bit for each channel with orders")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "month"], name="productmonth_unique")]
        # The rates are answered from this index alone (an index-only scan on PostgreSQL).
        indexes = [models.Index(fields=["month", "product", "mask"], name="productmonth_month")]


class ProductMonthChannel(models.Model):
    """Counted transactions of one product in one month through one channel: a marketplace's
    orders (and imported ones naming it), `bank` matched VietQR transfers, `manual` confirmed
    self-reported sales, `other` the rest (an import naming no marketplace). A row per channel
    that sold, so a new marketplace adds rows, never columns."""

    product = models.ForeignKey("producers.OcopProduct", on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    month = models.DateField()
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+", db_index=False)
    orders = models.PositiveIntegerField()
    quantity = models.BigIntegerField()
    revenue = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "month", "channel"],
                                               name="productmonthchannel_unique")]
        indexes = [models.Index(fields=["month", "channel"], name="productmonthchannel_month")]


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
