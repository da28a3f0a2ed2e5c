"""The dashboard benchmark: seed national-scale data in set-based SQL, then time the summary
against the cheapest single aggregate over the same transactions (the floor), before and after
doubling the transactions. Used by `manage.py bench dashboard`."""
import contextlib
import datetime as dt
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from listings.models import Listing, ListingStatusChange, MarketplaceAccount
from payments.models import Transaction
from producers.models import Commune, OcopProduct, Producer, ProductGroup

from . import selectors, services
from .models import LiveSpan, ProductMonth, ProductMonthChannel, ProductSales
from .periods import quarter_period, today

PREFIX = "BENCH "
MARKETPLACES = ["shopee", "lazada", "tiki", "postmart", "voso", "sandbox"]
HISTORY_DAYS = 730


@contextlib.contextmanager
def _fast_load():
    """On PostgreSQL, skip foreign-key triggers while seeding (the rows are built consistent):
    `session_replication_role = replica` needs a superuser; without one the load is just slower."""
    enabled = False
    if _postgres() and not connection.in_atomic_block:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            enabled = True
        except DatabaseError:
            pass
    try:
        yield
    finally:
        if enabled:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def _postgres():
    return connection.vendor == "postgresql"


def _q(name):
    return connection.ops.quote_name(name)


def _series_insert(model, count, columns, params=(), start=1):
    """INSERT INTO model's table one row per integer i in [start, start+count), with `columns`
    {column: SQL expression using i}; other columns get their defaults (null, '', 0, now)."""
    now = timezone.now()
    values, names, extra = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in columns:
            # "%" is SQL's modulo here; "%s" a parameter
            expression = columns[column].replace("%", "%%").replace("%%s", "%s")
        elif isinstance(field, models.AutoField):
            continue
        elif field.null:
            expression = "NULL"
        elif isinstance(field, models.JSONField):
            expression = "'{}'"
        elif isinstance(field, (models.DateTimeField,)):
            expression = "%s"
            extra.append(_ts_param(now))
        elif isinstance(field, models.BooleanField):
            expression = "FALSE" if _postgres() else "0"
        elif isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
            expression = "0"
        else:
            expression = "''"
        names.append(_q(column))
        values.append(expression)
    table = _q(model._meta.db_table)
    body = f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} FROM "
    if _postgres():
        sql = body + "generate_series(CAST(%s AS bigint), CAST(%s AS bigint)) AS g(i)"
        args = [*_ordered_params(values, params, extra), start, start + count - 1]
    else:
        sql = ("WITH RECURSIVE g(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM g WHERE i < %s) " + body + "g")
        args = [start, start + count - 1, *_ordered_params(values, params, extra)]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)


def _ordered_params(values, params, extra):
    """Named parameters (%(name)s in expressions) are not portable: expressions use plain %s and
    `params` lists them in column order; default datetimes are interleaved where they appear."""
    params, extra = list(params), list(extra)
    result = []
    for expression in values:
        for _ in range(expression.count("%s")):
            result.append(extra.pop(0) if expression == "%s" else params.pop(0))
    return result


def _ts_plus_seconds(expression):
    if _postgres():
        return f"(CAST(%s AS timestamptz) + ({expression}) * INTERVAL '1 second')"
    return f"datetime(%s, '+' || ({expression}) || ' seconds')"


def _date_plus_days(expression):
    if _postgres():
        return f"(CAST(%s AS date) + CAST(({expression}) AS integer))"
    return f"date(%s, '+' || ({expression}) || ' days')"


def _ts_param(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _shifted(column, seconds):
    if not seconds:
        return column
    if _postgres():
        return f"{column} + INTERVAL '{int(seconds)} seconds'"
    return f"datetime({column}, '{int(seconds)} seconds')"


def _first_id(model, **filters):
    return model.objects.filter(**filters).aggregate(first=models.Min("id"), n=models.Count("id"))


def _choice(values, expression):
    """CASE (expression) WHEN 0 THEN v0 ... : pick a constant by a computed index."""
    return "CASE " + " ".join(f"WHEN ({expression}) = {index} THEN '{value}'" for index, value in enumerate(values)) \
        + f" ELSE '{values[0]}' END"


def cleanup():
    """Removes every bench row (producers named 'BENCH ...' and all that hangs from them), in SQL."""
    producers = f"SELECT id FROM {_q(Producer._meta.db_table)} WHERE name LIKE %s"
    products = f"SELECT id FROM {_q(OcopProduct._meta.db_table)} WHERE producer_id IN ({producers})"
    listings = f"SELECT id FROM {_q(Listing._meta.db_table)} WHERE product_id IN ({products})"
    pattern = [PREFIX + "%"]
    statements = [
        (ProductMonth, f"product_id IN ({products})"), (ProductMonthChannel, f"product_id IN ({products})"),
        (ProductSales, f"product_id IN ({products})"),
        (LiveSpan, f"product_id IN ({products})"),
        (Transaction, f"product_id IN ({products})"), (ListingStatusChange, f"listing_id IN ({listings})"),
        (Listing, f"product_id IN ({products})"), (MarketplaceAccount, f"producer_id IN ({producers})"),
        (OcopProduct, f"producer_id IN ({producers})"), (Producer, "name LIKE %s"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, where in statements:
            cursor.execute(f"DELETE FROM {_q(model._meta.db_table)} WHERE {where}", pattern)


def seed(*, products, listings, transactions, province=None, log=print):
    """Producers (one per three products), products, shops, listings with their status history,
    and transactions over the last two years; then the summary tables from their rebuild."""
    started = time.perf_counter()
    communes = list(Commune.objects.filter(**({"province_id": province} if province else {}))
                    .order_by("code").values_list("code", flat=True)[:500]) or [None]
    groups = list(ProductGroup.objects.values_list("code", flat=True)) or ["thuc-pham"]
    now = timezone.now().replace(microsecond=0)
    history_start = now - dt.timedelta(days=HISTORY_DAYS)
    producer_count = max(1, (products + 2) // 3)
    per_product = max(1, min(len(MARKETPLACES), -(-listings // products))) if listings else 0

    commune_case = ("CASE " + " ".join(f"WHEN i % {len(communes)} = {n} THEN {c}" for n, c in enumerate(communes))
                    + " END") if communes[0] is not None else "NULL"
    with transaction.atomic():
        _series_insert(Producer, producer_count, {
            "kind": _choice(["HTX", "DN", "HKD", "THT"], "i % 4"),
            "name": f"'{PREFIX}CT ' || i", "name_key": "'bench ct ' || i",
            "commune_id": commune_case,
            "old_district": "CASE WHEN i % 3 = 0 THEN 'huyện ' || (i % 40) ELSE '' END",
            "status": "CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'verified' END",
            "phone": "'+8491' || (1000000 + i)", "representative": "'Người đại diện ' || i",
        })
        first_producer = _first_id(Producer, name__startswith=PREFIX)["first"]
        _series_insert(OcopProduct, products, {
            "producer_id": f"{first_producer} + (i - 1) / 3",
            "name": f"'{PREFIX}SP ' || i", "name_key": "'bench sp ' || i",
            "group_id": _choice(groups, f"i % {len(groups)}"),
            "stars": "3 + (i % 3)", "price": "50000 + (i % 20) * 10000",
            # certificates from 40 months ago to a month ago: some have lapsed, some lapse soon
            "certificate_date": _date_plus_days("(i * 7919) % 1200"),
            "certificate_expiry": _date_plus_days("(i * 7919) % 1200 + 1095"),
        }, params=[connection.ops.adapt_datefield_value(today() - dt.timedelta(days=1230))] * 2)
        first_product = _first_id(OcopProduct, producer__name__startswith=PREFIX)["first"]
        log({"phase": "seed", "step": "producers and products", "seconds": round(time.perf_counter() - started, 1)})
        if per_product:
            for slot in range(per_product):
                _series_insert(MarketplaceAccount, producer_count, {
                    "producer_id": f"{first_producer} + i - 1", "marketplace": f"'{MARKETPLACES[slot]}'",
                    "shop_id": f"'bench-{slot}-' || i", "status": "'connected'",
                })
            first_account = _first_id(MarketplaceAccount, producer__name__startswith=PREFIX)["first"]
            # listing i: product (i - 1) % P, slot (i - 1) / P; accounts were made slot by slot
            live_seconds = "((i * 104729) % " + str(HISTORY_DAYS * 86400) + ")"
            _series_insert(Listing, min(listings, products * per_product), {
                "product_id": f"{first_product} + (i - 1) % {products}",
                "account_id": f"{first_account} + ((i - 1) / {products}) * {producer_count} + ((i - 1) % {products}) / 3",
                "status": "CASE WHEN i % 10 < 5 THEN 'live' WHEN i % 10 < 7 THEN 'delisted' "
                          "WHEN i % 10 = 7 THEN 'failed' ELSE 'draft' END",
                "live_since": f"CASE WHEN i % 10 < 7 THEN {_ts_plus_seconds(live_seconds)} END",
                "delisted_at": f"CASE WHEN i % 10 IN (5, 6) THEN {_ts_plus_seconds(live_seconds + ' + 86400 * (30 + i % 200)')} END",
                "attributes": "'{}'",
            }, params=[_ts_param(history_start)] * 2)
            listing_ids = _first_id(Listing, product__producer__name__startswith=PREFIX)
            first_listing, listing_count = listing_ids["first"], listing_ids["n"]
            table, listing_table = _q(ListingStatusChange._meta.db_table), _q(Listing._meta.db_table)
            with connection.cursor() as cursor:
                for old, new, offset, where in (
                        ("draft", "queued", -600, "live_since IS NOT NULL"),
                        ("queued", "publishing", -300, "live_since IS NOT NULL"),
                        ("publishing", "live", 0, "live_since IS NOT NULL"),
                        ("draft", "queued", None, "status = 'failed'"),
                        ("queued", "failed", None, "status = 'failed'")):
                    at_sql = _shifted("live_since" if offset is not None else "created_at", offset or 0)
                    cursor.execute(
                        f"INSERT INTO {table} (listing_id, from_status, to_status, at, reason) "
                        f"SELECT id, %s, %s, {at_sql}, '' FROM {listing_table} "
                        f"WHERE id >= %s AND id < %s AND {where}",
                        [old, new, first_listing, first_listing + listing_count])
                cursor.execute(
                    f"INSERT INTO {table} (listing_id, from_status, to_status, at, reason) "
                    f"SELECT id, 'live', 'delisted', delisted_at, '' FROM {listing_table} "
                    f"WHERE id >= %s AND id < %s AND delisted_at IS NOT NULL",
                    [first_listing, first_listing + listing_count])
            log({"phase": "seed", "step": "listings and history", "listings": listing_count,
                 "seconds": round(time.perf_counter() - started, 1)})
    add_transactions(count=transactions, products=products, first_product=first_product,
                     first_producer=first_producer, start=1, since=history_start)
    log({"phase": "seed", "step": "transactions", "transactions": transactions,
         "seconds": round(time.perf_counter() - started, 1)})
    services.summaries_rebuild()
    analyze()
    log({"phase": "seed", "step": "summary tables rebuilt", "seconds": round(time.perf_counter() - started, 1)})
    return {"first_product": first_product, "first_producer": first_producer, "since": history_start}


def add_transactions(*, count, products, first_product, first_producer, start, since):
    """`count` transactions numbered from `start`, spread over the two years after `since`."""
    if not count:
        return
    product = f"((i * 7919) % {products})"
    # a second hash, so that each product gets a mix of sources and statuses over time
    mix = f"((i + i / {products}) % 100)"
    _series_insert(Transaction, count, {
        "product_id": f"{first_product} + {product}",
        "producer_id": f"{first_producer} + {product} / 3",
        "source": f"CASE WHEN {mix} < 80 THEN 'marketplace_order' WHEN {mix} < 90 THEN 'bank_transfer' "
                  f"WHEN {mix} < 97 THEN 'manual' ELSE 'import' END",
        "marketplace": f"CASE WHEN {mix} < 80 THEN " + _choice(MARKETPLACES[:3], "i % 3")
                       + f" WHEN {mix} >= 97 THEN 'postmart' ELSE '' END",
        "dedup_scope": "'bench'", "external_id": "'bench-' || i",
        "quantity": "1 + i % 3", "amount": "50000 + (i % 40) * 25000",
        "occurred_at": _ts_plus_seconds(f"(i * 15485863) % {HISTORY_DAYS * 86400}"),
        "status": f"CASE WHEN ({mix} * 7 + i) % 50 < 45 THEN 'completed' WHEN ({mix} * 7 + i) % 50 < 48 "
                  f"THEN 'cancelled' WHEN ({mix} * 7 + i) % 50 = 48 THEN 'refunded' ELSE 'pending' END",
        "confirmed_at": f"CASE WHEN {mix} BETWEEN 90 AND 93 THEN " + _ts_plus_seconds(
            f"(i * 15485863) % {HISTORY_DAYS * 86400} + 86400") + " END",
    }, params=[_ts_param(since)] * 2, start=start)


def analyze():
    if _postgres() and not connection.in_atomic_block:  # VACUUM refuses to run in a transaction
        with connection.cursor() as cursor:
            for model in (Producer, OcopProduct, Listing, ListingStatusChange, Transaction, ProductMonth,
                          ProductMonthChannel, ProductSales, LiveSpan):
                cursor.execute(f"VACUUM ANALYZE {_q(model._meta.db_table)}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _timed(function, repeat):
    function()  # warm the caches once
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 1)


def floor_query(period):
    """The cheapest single aggregate answering part of the question: distinct products with a
    completed marketplace order in the period, straight from the transactions."""
    sql = (f"SELECT COUNT(DISTINCT product_id) FROM {_q(Transaction._meta.db_table)} "
           "WHERE status = 'completed' AND source IN ('marketplace_order', 'import') "
           "AND occurred_at >= %s AND occurred_at < %s")

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, [_ts_param(period.start_at), _ts_param(period.end_at)])
            return cursor.fetchone()[0]
    return run


def officer():
    """An unsaved superuser: sees the whole country, touches no table."""
    return get_user_model()(username="bench", is_superuser=True, is_active=True)


def measure(period, repeat, user):
    summary_ms = _timed(lambda: selectors.summary(user=user, period=period), repeat)
    floor_ms = _timed(floor_query(period), repeat)
    trend_ms = _timed(lambda: selectors.trend(user=user, period=period), max(1, repeat // 2))
    return {"summary_ms": summary_ms, "floor_ms": floor_ms, "ratio": round(summary_ms / floor_ms, 2) if floor_ms else None,
            "trend_12_months_ms": trend_ms}


def last_full_quarter():
    current = (today().month - 1) // 3 + 1
    year, quarter = (today().year, current - 1) if current > 1 else (today().year - 1, 4)
    return quarter_period(year, quarter)


def run(*, products, transactions, listings, repeat=5, keep=False, log=print):
    cleanup()
    with _fast_load():
        seeded = seed(products=products, listings=listings, transactions=transactions, log=log)
    period = last_full_quarter()
    user = officer()
    try:
        totals = selectors.summary(user=user, period=period)["totals"]
        base = measure(period, repeat, user)
        log({"phase": "base", "period": period.label, "products": products, "listings": listings,
             "transactions": transactions, **base, "totals": totals})
        began = time.perf_counter()
        with _fast_load():
            add_transactions(count=transactions, products=products, first_product=seeded["first_product"],
                             first_producer=seeded["first_producer"], start=transactions + 1,
                             since=seeded["since"])
        services.sales_rebuild()
        analyze()
        log({"phase": "doubling", "transactions": 2 * transactions, "seconds": round(time.perf_counter() - began, 1)})
        doubled = measure(period, repeat, user)
        result = {
            "phase": "doubled", "period": period.label, "transactions": 2 * transactions, **doubled,
            "summary_slowdown_pct": round(100 * (doubled["summary_ms"] / base["summary_ms"] - 1), 1),
            "floor_slowdown_pct": round(100 * (doubled["floor_ms"] / base["floor_ms"] - 1), 1) if base["floor_ms"] else None,
        }
        result["goal_within_2x_floor"] = bool(base["ratio"] is not None and base["ratio"] <= 2
                                              and doubled["ratio"] is not None and doubled["ratio"] <= 2)
        result["goal_under_20pct_slower"] = result["summary_slowdown_pct"] < 20
        log(result)
        return result
    finally:
        if not keep:
            cleanup()
