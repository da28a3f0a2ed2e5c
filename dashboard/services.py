"""Writes of the dashboard: keeping its summary tables equal to what they summarise.

Two ways in, one result: `sales_bucket_refresh` / `live_spans_refresh` recompute the rows of one
(product, month) or one listing from the source rows after each write (signals.py), and
`summaries_rebuild` recomputes everything in INSERT ... SELECT statements (after a bulk load,
or to repair). A test checks that both give the same rows."""
import datetime as dt

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth

from listings.models import Listing, ListingStatusChange
from payments.models import Transaction
from producers.models import OcopProduct

from . import channels
from .models import LiveSpan, ProductMonth, ProductMonthChannel, ProductSales
from .periods import day_start, local_zone

Source = Transaction.Source

# An order from a marketplace, or imported from its spreadsheet, counts as a marketplace order when
# it names one; its channel is then that marketplace's code, enabled in settings or not.
MARKETPLACE_SALE = Q(source__in=[Source.MARKETPLACE_ORDER, Source.IMPORT]) & ~Q(marketplace="")
BANK_SALE = Q(source=Source.BANK_TRANSFER)
MANUAL_SALE = Q(source=Source.MANUAL)


def channel_q(channel):
    """Which counted transactions go to a channel."""
    if channels.is_marketplace(channel):
        return MARKETPLACE_SALE & Q(marketplace=channel)
    return {"bank": BANK_SALE, "manual": MANUAL_SALE}.get(channel) or ~(MARKETPLACE_SALE | BANK_SALE | MANUAL_SALE)


def channel_code():
    """The channel of a counted transaction, as an SQL expression: its marketplace or its kind."""
    return Case(When(MARKETPLACE_SALE, then=F("marketplace")), When(BANK_SALE, then=Value("bank")),
                When(MANUAL_SALE, then=Value("manual")), default=Value("other"), output_field=CharField())


def channel_bit(bits):
    """The channel's bit of a counted transaction, as an SQL expression, for channels `bits` {code: bit}."""
    whens = [When(channel_q(code), then=Value(bit)) for code, bit in bits.items() if channels.is_marketplace(code)]
    whens += [When(channel_q(kind), then=Value(bits[kind])) for kind in ("bank", "manual") if kind in bits]
    return Case(*whens, default=Value(bits.get("other")), output_field=IntegerField())


def measures():
    """Orders, quantity and revenue of counted transactions, as aggregates."""
    return {"orders": Count("id"), "quantity": Coalesce(Sum("quantity"), 0), "revenue": Coalesce(Sum("amount"), 0)}


def counted_transactions():
    """Transactions that count: completed, and for a self-reported sale, confirmed by an officer."""
    return Transaction.objects.filter(status=Transaction.Status.COMPLETED).filter(
        ~Q(source=Source.MANUAL) | Q(confirmed_at__isnull=False)
    ).order_by()


def month_of(moment):
    return moment.astimezone(local_zone()).date().replace(day=1)


def month_bounds(month):
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day_start(month), day_start(following)


def sales_bucket_refresh(*, product_id, month):
    """Recomputes the rows of one product and month (ProductMonth and one ProductMonthChannel per
    channel that sold) from its transactions.

    The product row is locked first, so two writers of the same product take turns and the later
    one reads the other's committed rows: the bucket never keeps a stale total."""
    start, end = month_bounds(month)
    with transaction.atomic():
        if not list(OcopProduct.objects.select_for_update().filter(pk=product_id).values_list("pk", flat=True)):
            return  # the product is being deleted; its rows go with it
        sold = list(counted_transactions().filter(product_id=product_id, occurred_at__gte=start, occurred_at__lt=end)
                    .values(code=channel_code()).annotate(**measures()).order_by())
        bits = channels.bits_for(row["code"] for row in sold)
        ProductMonthChannel.objects.filter(product_id=product_id, month=month).delete()
        if not sold:
            ProductMonth.objects.filter(product_id=product_id, month=month).delete()
        else:
            ProductMonthChannel.objects.bulk_create(
                ProductMonthChannel(product_id=product_id, month=month, channel_id=bits[row["code"]],
                                    orders=row["orders"], quantity=row["quantity"], revenue=row["revenue"])
                for row in sold)
            mask = sum(1 << bit for bit in bits.values())
            ProductMonth.objects.update_or_create(product_id=product_id, month=month, defaults={"mask": mask})
        last_sale_refresh(product_id=product_id)


def last_sale_refresh(*, product_id):
    """Recomputes a product's ProductSales row: the moment of its last counted marketplace order
    (an index lookup on the product's transactions), or no row when it has none."""
    last = counted_transactions().filter(MARKETPLACE_SALE, product_id=product_id).aggregate(
        last=Max("occurred_at"))["last"]
    if last is None:
        ProductSales.objects.filter(product_id=product_id).delete()
    else:
        ProductSales.objects.update_or_create(product_id=product_id, defaults={"last_marketplace_sale_at": last})


def _spans_from_history(changes):
    """[(started_at, ended_at)] from status changes in time order: live opens a span, leaving closes it."""
    spans, opened = [], None
    for to_status, at in changes:
        if to_status == Listing.Status.LIVE:
            if opened is None:
                opened = at
        elif opened is not None:
            spans.append((opened, at))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    return spans


def _spans_without_history(listing):
    """A listing with no history rows (made before history existed): its own timestamps."""
    if not listing.live_since:
        return []
    if listing.status == Listing.Status.LIVE:
        return [(listing.live_since, None)]
    ended = listing.delisted_at if listing.delisted_at and listing.delisted_at > listing.live_since else (
        listing.status_changed_at)
    return [(listing.live_since, max(ended, listing.live_since))]


def live_spans_refresh(*, listing_id):
    with transaction.atomic():
        listing = (Listing.objects.select_for_update(of=("self",)).select_related("account")
                   .filter(pk=listing_id).first())
        LiveSpan.objects.filter(listing_id=listing_id).delete()
        if listing is None:
            return
        changes = list(ListingStatusChange.objects.filter(listing_id=listing_id)
                       .order_by("at", "id").values_list("to_status", "at"))
        spans = _spans_from_history(changes) if changes else _spans_without_history(listing)
        if spans:  # a marketplace listed on is a channel of the figures, before it sells
            channels.bits_for([listing.account.marketplace])
        LiveSpan.objects.bulk_create(
            LiveSpan(listing_id=listing_id, product_id=listing.product_id, marketplace=listing.account.marketplace,
                     started_at=start, ended_at=end) for start, end in spans)


def _insert_select(model, columns, queryset):
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)
        return cursor.rowcount


def sales_rebuild():
    """Every ProductMonthChannel row from the transactions, then every ProductMonth row from those,
    in INSERT ... SELECT statements (the channels seen for the first time get their bits first)."""
    sold_on = counted_transactions().filter(MARKETPLACE_SALE).values_list("marketplace", flat=True).distinct()
    bits = channels.bits_for([*sold_on, *channels.KINDS])
    by_channel = counted_transactions().annotate(
        bucket=TruncMonth("occurred_at", output_field=DateField(), tzinfo=local_zone()), channel=channel_bit(bits),
    ).values("product_id", "bucket", "channel").annotate(**measures())
    masks = ProductMonthChannel.objects.values("product_id", "month").annotate(
        mask=Sum(Cast(Value(1), BigIntegerField()).bitleftshift(F("channel_id")))).order_by()
    last_sales = (counted_transactions().filter(MARKETPLACE_SALE, product__isnull=False).values("product_id")
                  .annotate(last=Max("occurred_at")).order_by())
    with transaction.atomic():
        ProductMonthChannel.objects.all().delete()
        ProductMonth.objects.all().delete()
        ProductSales.objects.all().delete()
        _insert_select(ProductSales, ["product_id", "last_marketplace_sale_at"], last_sales)
        _insert_select(ProductMonthChannel, ["product_id", "month", "channel_id", "orders", "quantity", "revenue"],
                       by_channel.order_by("bucket", "product_id", "channel"))
        # month by month, so the month index follows the table
        return _insert_select(ProductMonth, ["product_id", "month", "mask"], masks.order_by("month", "product_id"))


LIVE_SPANS_SQL = """
INSERT INTO {spans} (listing_id, product_id, marketplace, started_at, ended_at)
SELECT c.listing_id, l.product_id, a.marketplace, c.at, c.next_at
FROM (
    SELECT listing_id, to_status, at,
           LEAD(at) OVER (PARTITION BY listing_id ORDER BY at, id) AS next_at,
           LAG(to_status) OVER (PARTITION BY listing_id ORDER BY at, id) AS previous_status
    FROM {changes}
) c
JOIN {listings} l ON l.id = c.listing_id
JOIN {accounts} a ON a.id = l.account_id
WHERE c.to_status = %s AND (c.previous_status IS NULL OR c.previous_status <> %s)
"""

LIVE_SPANS_WITHOUT_HISTORY_SQL = """
INSERT INTO {spans} (listing_id, product_id, marketplace, started_at, ended_at)
SELECT l.id, l.product_id, a.marketplace, l.live_since,
       CASE WHEN l.status = %s THEN NULL
            WHEN l.delisted_at IS NOT NULL AND l.delisted_at > l.live_since THEN l.delisted_at
            WHEN l.status_changed_at > l.live_since THEN l.status_changed_at
            ELSE l.live_since END
FROM {listings} l JOIN {accounts} a ON a.id = l.account_id
WHERE l.live_since IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {changes} c WHERE c.listing_id = l.id)
"""


def live_spans_rebuild():
    """Every LiveSpan row from the listings' status history, in set-based SQL.

    Live is left only by a change to another status, so a live change's span ends at the next
    change of that listing (LEAD). `Listing.transition` never writes two live rows in a row."""
    from listings.models import MarketplaceAccount

    names = {
        "spans": LiveSpan._meta.db_table, "changes": ListingStatusChange._meta.db_table,
        "listings": Listing._meta.db_table, "accounts": MarketplaceAccount._meta.db_table,
    }
    names = {key: connection.ops.quote_name(value) for key, value in names.items()}
    live = Listing.Status.LIVE.value
    with transaction.atomic(), connection.cursor() as cursor:
        LiveSpan.objects.all().delete()
        cursor.execute(LIVE_SPANS_SQL.format(**names), [live, live])
        cursor.execute(LIVE_SPANS_WITHOUT_HISTORY_SQL.format(**names), [live])
        channels.bits_for(LiveSpan.objects.values_list("marketplace", flat=True).distinct().order_by())


def summaries_rebuild():
    sales_rebuild()
    live_spans_rebuild()
