"""The dashboard's figures, computed in the database in a few queries whatever the data size.

Definitions (also written on the page and in the export, see `DEFINITIONS`):
- a product *counts* when its certificate is valid at the end of the period (issued on or before
  that day and not expired; for a period still running, today);
- *listed*: at least one of its listings was live at some moment of the period (from the listings'
  status history, kept as `LiveSpan` rows);
- *listed with sales*: listed, and at least one counted marketplace transaction in the period
  (source `marketplace_order`, or `import` of orders naming a marketplace);
- the second rate also counts VietQR bank transfers; confirmed self-reported (manual) sales are
  shown apart and enter neither rate; a transaction counts only when `completed`, and a manual one
  only once an officer confirmed it.

Sales come from `ProductMonth` for the calendar months lying wholly inside the period and straight
from the transactions for the days at its edges, so a month, quarter or year reads only the
summary table and its cost does not grow with the number of transactions.
"""
import contextlib
import datetime as dt
from dataclasses import asdict, dataclass

from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import DomainError
from marketplace.connectors.registry import display_name
from producers.models import Commune, OcopProduct, Producer, ProductGroup
from producers.selectors import is_officer, producers_for

from .channels import KINDS, Channels
from .models import LiveSpan, ProductMonth, ProductMonthChannel
from .periods import Period, today
from .replica import read_alias
from .services import (
    BANK_SALE,
    MANUAL_SALE,
    MARKETPLACE_SALE,
    channel_code,
    channel_q,
    counted_transactions,
    measures,
    month_bounds,
)

FOLLOW_UP_DAYS = 90
FOLLOW_UP_PAGE_LIMIT = 100
TARGET_PERCENT = 100

DEFINITIONS = [
    gettext_lazy("Sản phẩm được tính khi giấy chứng nhận OCOP còn hiệu lực vào ngày cuối kỳ "
                 "(kỳ đang diễn ra: hôm nay)."),
    gettext_lazy("Đã lên sàn: có ít nhất một niêm yết ở trạng thái “đang bán” trên một sàn vào một thời "
                 "điểm bất kỳ trong kỳ (kể cả khi đã gỡ trước cuối kỳ)."),
    gettext_lazy("Lên sàn và có giao dịch: đã lên sàn và có ít nhất một đơn hàng trên sàn hoàn thành trong kỳ "
                 "(đơn từ sàn hoặc đơn nhập từ tệp của sàn). Đơn đã hủy, hoàn tiền hoặc đang xử lý không tính."),
    gettext_lazy("Tỷ lệ thứ hai tính thêm chuyển khoản qua mã VietQR đã được ngân hàng báo về và khớp với "
                 "sản phẩm. Chuyển khoản không khớp được sản phẩm không phải là giao dịch."),
    gettext_lazy("Bán hàng tự khai báo được thống kê riêng và chỉ tính khi cán bộ Sở đã xác nhận; "
                 "không tính vào hai tỷ lệ trên."),
    # xgettext:no-python-format
    gettext_lazy("Mục tiêu: 100% sản phẩm OCOP lên sàn và 100% có giao dịch trên sàn."),
]

DIMENSIONS = {
    "commune": gettext_lazy("Theo xã/phường"),
    "old_district": gettext_lazy("Theo huyện cũ"),
    "group": gettext_lazy("Theo nhóm sản phẩm"),
    "stars": gettext_lazy("Theo hạng sao"),
    "kind": gettext_lazy("Theo loại hình chủ thể"),
    "marketplace": gettext_lazy("Theo sàn"),
}
# dimension -> column of the flags CTE
_DIMENSION_COLUMNS = {"commune": "commune", "old_district": "old_district", "group": "group_id",
                      "stars": "stars", "kind": "kind"}


@dataclass(frozen=True)
class Filters:
    commune: int | None = None
    group: str | None = None
    stars: int | None = None
    kind: str | None = None

    def as_dict(self):
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}


def filters_from_params(params):
    def number(name, allowed=None):
        raw = params.get(name)
        if raw in (None, ""):
            return None
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise DomainError(_("Giá trị không hợp lệ."), fields={name: [_("Giá trị không hợp lệ.")]}) from None
        if not 0 <= value < 2**31 or (allowed is not None and value not in allowed):
            raise DomainError(_("Giá trị không hợp lệ."), fields={name: [_("Giá trị không hợp lệ.")]})
        return value

    kind = params.get("kind") or None
    if kind and kind not in Producer.Kind.values:
        raise DomainError(_("Giá trị không hợp lệ."), fields={"kind": [_("Giá trị không hợp lệ.")]})
    return Filters(commune=number("commune"), group=params.get("group") or None,
                   stars=number("stars", {3, 4, 5}), kind=kind)


def rate(part, whole):
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def scoped_products(user, filters=Filters()):
    """Products the user may see (an officer: the province; a member: its own), filtered."""
    queryset = OcopProduct.objects.order_by()
    if not is_officer(user):  # an officer's scope is every producer: no join to filter on
        queryset = queryset.filter(producer__in=producers_for(user))
    if filters.commune:
        queryset = queryset.filter(producer__commune_id=filters.commune)
    if filters.group:
        queryset = queryset.filter(group_id=filters.group)
    if filters.stars:
        queryset = queryset.filter(stars=filters.stars)
    if filters.kind:
        queryset = queryset.filter(producer__kind=filters.kind)
    return queryset


def certificate_valid_on(day):
    return (Q(certificate_date__isnull=True) | Q(certificate_date__lte=day)) & (
        Q(certificate_expiry__isnull=True) | Q(certificate_expiry__gte=day))


def counted_products(user, period, filters=Filters()):
    return scoped_products(user, filters).filter(certificate_valid_on(period.as_of))


def _sql(queryset):
    return queryset.query.sql_with_params()


# The statements below are short but wide (dozens of CASE columns over ~100,000 rows): PostgreSQL
# judges them expensive enough to JIT-compile, which alone took over a second of a 1.7 s trend at
# national scale; their hashes and sorts spilled to disk under the default work_mem; and with the
# default random_page_cost it read all of ProductMonth rather than a quarter's rows through the
# month index (ProductMonth rows are written month by month, so that index follows the table).
_POSTGRES_SETTINGS = {"jit": "off", "work_mem": "64MB", "random_page_cost": "1.1"}


@contextlib.contextmanager
def _tuned():
    """On PostgreSQL, `_POSTGRES_SETTINGS` for the statements run inside, restored after (set with
    set_config(..., is_local) inside a savepoint, so they never outlive the transaction)."""
    alias = read_alias()
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in _POSTGRES_SETTINGS))
        previous = cursor.fetchone()
        for name, value in _POSTGRES_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        try:
            yield
        finally:
            for name, value in zip(_POSTGRES_SETTINGS, previous, strict=True):
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _fetchall(sql, params):
    """Runs one of the dashboard's aggregate statements, `_tuned`."""
    with _tuned(), connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _max_when(condition):
    return Max(Case(When(condition, then=1), default=0, output_field=IntegerField()))


def _bits(bits, when=None):
    """MAX(mask & bits), optionally only over rows matching `when`: non-zero means some sale."""
    value = F("mask").bitand(bits)
    if when is not None:
        value = Case(When(when, then=value), default=0, output_field=IntegerField())
    return Max(value)


# Per-marketplace columns are named by the marketplace's place in `Channels.marketplaces` (mk0,
# l0...), never by its code: codes are data, and reach the SQL only as parameters.
def _sales_flags_monthly(known):
    """Per product, from ProductMonth masks: which kinds of sale it had, and on which marketplaces."""
    return {"mkt": _bits(known.marketplace_mask), "bank": _bits(known.mask("bank")),
            "manual": _bits(known.mask("manual")),
            **{f"mk{index}": _bits(known.mask(code)) for index, code in enumerate(known.marketplaces)}}


def _sales_flags_raw(known):
    """The same flags straight from counted transactions."""
    return {"mkt": _max_when(MARKETPLACE_SALE), "bank": _max_when(BANK_SALE), "manual": _max_when(MANUAL_SALE),
            **{f"mk{index}": _max_when(channel_q(code)) for index, code in enumerate(known.marketplaces)}}


def _flag_columns(known):
    return ["mkt", "bank", "manual", *(f"mk{index}" for index in range(len(known.marketplaces)))]


def _sales_parts(period, known):
    """SQL parts giving, per product, 0/1 flags for each kind of sale in the period: ProductMonth for
    the months wholly inside it, the transactions themselves for the days at its edges."""
    parts = []
    months = period.full_months()
    if months:
        parts.append(ProductMonth.objects.filter(month__gte=months[0], month__lte=months[-1]).order_by()
                     .values("product_id").annotate(**_sales_flags_monthly(known)))
    for start, end in period.edges():
        parts.append(counted_transactions().filter(occurred_at__gte=start, occurred_at__lt=end)
                     .values("product_id").annotate(**_sales_flags_raw(known)))
    return [_sql(part) for part in parts]


def _union(parts, operator):
    sql = f" {operator} ".join(part[0] for part in parts)
    params = [param for part in parts for param in part[1]]
    return sql, params


def _live_in(period):
    return LiveSpan.objects.filter(started_at__lt=period.end_at).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=period.start_at)).order_by()


def _flags_cte(user, period, filters, known):
    """WITH ... flags AS (one row per counted product: its dimensions and 0/1 flags)."""
    products = counted_products(user, period, filters).values(
        "id", "group_id", "stars", commune=F("producer__commune_id"), old_district=F("producer__old_district"),
        kind=F("producer__kind"))
    ctes, params = [], []

    def add(name, sql_params):
        ctes.append(f"{name} AS ({sql_params[0]})")
        params.extend(sql_params[1])

    add("products", _sql(products))
    listed_on = {f"l{index}": _max_when(Q(marketplace=code)) for index, code in enumerate(known.marketplaces)}
    add("listed", _sql(_live_in(period).values("product_id").annotate(**listed_on)))
    parts = _sales_parts(period, known)
    sold_sql, sold_params = _union(parts, "UNION ALL")
    flag_columns = _flag_columns(known)
    if len(parts) == 1:
        columns = ", ".join(f"CASE WHEN {column} > 0 THEN 1 ELSE 0 END AS {column}" for column in flag_columns)
        add("sales", (f"SELECT product_id, {columns} FROM ({sold_sql}) s", sold_params))
    else:
        columns = ", ".join(f"CASE WHEN MAX({column}) > 0 THEN 1 ELSE 0 END AS {column}" for column in flag_columns)
        add("sales", (f"SELECT product_id, {columns} FROM ({sold_sql}) s GROUP BY product_id", sold_params))
    flags = ", ".join([*(f"COALESCE(s.{column}, 0) AS {column}" for column in flag_columns),
                       *(f"COALESCE(l.{column}, 0) AS {column}" for column in listed_on)])
    ctes.append(
        "flags AS (SELECT p.id, p.commune, p.old_district, p.group_id, p.stars, p.kind, "
        f"CASE WHEN l.product_id IS NULL THEN 0 ELSE 1 END AS listed, {flags} "
        "FROM products p LEFT JOIN listed l ON l.product_id = p.id LEFT JOIN sales s ON s.product_id = p.id)")
    return "WITH " + ", ".join(ctes), params


_MEASURES = ("COUNT(*), COALESCE(SUM(listed), 0), COALESCE(SUM(listed * mkt), 0), "
             "COALESCE(SUM(CASE WHEN listed = 1 AND (mkt = 1 OR bank = 1) THEN 1 ELSE 0 END), 0), "
             "COALESCE(SUM(manual), 0)")


def _summary_rows(user, period, filters, *, dimensions=True):
    """One statement: the per-product flags are computed once (a CTE; the ORM has none) and every
    breakdown is a GROUP BY over them, joined by UNION ALL. Its parts are ORM-built querysets
    (scope, filters, summary tables), so the only hand-written SQL is the aggregation."""
    known = Channels.known()
    with_sql, params = _flags_cte(user, period, filters, known)
    branches = [f"SELECT 'total', '', {_MEASURES} FROM flags"]
    if dimensions:
        for dimension, column in _DIMENSION_COLUMNS.items():
            branches.append(f"SELECT '{dimension}', CAST({column} AS TEXT), {_MEASURES} FROM flags GROUP BY {column}")
        for index, code in enumerate(known.marketplaces):  # a product may be on several: these rows do not add up
            branches.append(
                f"SELECT 'marketplace', CAST(%s AS TEXT), COALESCE(SUM(l{index}), 0), COALESCE(SUM(l{index}), 0), "
                f"COALESCE(SUM(l{index} * mk{index}), 0), 0, 0 FROM flags HAVING SUM(l{index}) > 0")
            params.append(code)
    sql = with_sql + " " + " UNION ALL ".join(branches)
    return _fetchall(sql, params)


def _figures(products, listed, sold, sold2, manual):
    return {
        "products": products, "listed": listed, "listed_with_sales": sold,
        "listed_with_sales_or_transfer": sold2, "confirmed_manual": manual,
        "listed_rate": rate(listed, products), "sales_rate": rate(sold, products),
        "sales_or_transfer_rate": rate(sold2, products),
    }


def _labels(dimension, keys):
    if dimension == "commune":
        codes = [int(k) for k in keys if k not in (None, "")]
        names = dict(Commune.objects.filter(code__in=codes).values_list("code", "name"))
        return {k: names.get(int(k), k) if k not in (None, "") else _("Chưa rõ xã/phường") for k in keys}
    if dimension == "old_district":
        return {k: k or _("Không rõ") for k in keys}
    if dimension == "group":
        names = dict(ProductGroup.objects.values_list("code", "name"))
        return {k: names.get(k, k) for k in keys}
    if dimension == "stars":
        return {k: _("%(stars)s sao") % {"stars": k} for k in keys}
    if dimension == "kind":
        return {k: str(Producer.Kind(k).label) if k in Producer.Kind.values else k for k in keys}
    return {k: display_name(k) for k in keys}


def _sort_key(dimension, row):
    if dimension == "stars":
        return int(row["key"])
    if dimension == "group":
        return row["position"]
    return (row["key"] in (None, ""), str(row["label"]).lower())


def summary(*, user, period: Period, filters: Filters = Filters()):
    """Totals, both rates, every breakdown and revenue by channel for one period: one statement for
    the figures, one or two for the channels, two small ones for labels."""
    rows = _summary_rows(user, period, filters)
    totals = None
    grouped = {dimension: [] for dimension in DIMENSIONS}
    for dimension, key, products, listed, sold, sold2, manual in rows:
        figures = _figures(int(products), int(listed), int(sold), int(sold2), int(manual))
        if dimension == "total":
            totals = figures
        else:
            grouped[dimension].append({"key": key, **figures})
    positions = dict(ProductGroup.objects.values_list("code", "position"))
    breakdowns = {}
    for dimension, items in grouped.items():
        labels = _labels(dimension, [item["key"] for item in items])
        for item in items:
            item["label"] = str(labels[item["key"]])
            item["position"] = positions.get(item["key"], 0)
            if dimension == "marketplace":
                item.update(listed_with_sales_or_transfer=None, sales_or_transfer_rate=None, confirmed_manual=None,
                            listed_rate=rate(item["listed"], totals["products"]),
                            sales_rate=rate(item["listed_with_sales"], totals["products"]))
        items.sort(key=lambda row, d=dimension: _sort_key(d, row))
        for item in items:
            del item["position"]
        breakdowns[dimension] = items
    return {
        "period": period.as_dict(),
        "filters": filters.as_dict(),
        "scope": "province" if is_officer(user) else "producer",
        "target_percent": TARGET_PERCENT,
        "totals": totals,
        "breakdowns": breakdowns,
        "channels": channels(user=user, period=period, filters=filters),
    }


CHANNEL_LABELS = {
    "bank": gettext_lazy("Chuyển khoản VietQR"),
    "manual": gettext_lazy("Tự khai báo (đã xác nhận)"),
    "other": gettext_lazy("Khác (đơn nhập không ghi sàn)"),
}


def channels(*, user, period, filters=Filters()):
    """Counted orders, quantity and revenue by channel (each marketplace, VietQR transfers,
    confirmed self-reported sales, other) in the period, for every product in scope (a lapsed
    certificate does not erase revenue). Two queries: ProductMonthChannel, then the edge days."""
    everything = is_officer(user) and not filters.as_dict()
    in_scope = Q() if everything else Q(product__in=scoped_products(user, filters).values("pk"))
    known = Channels.known()
    codes = {bit: code for code, bit in known.bits.items()}
    totals = {}

    def add(code, row):
        counted = totals.setdefault(code, {"orders": 0, "quantity": 0, "revenue": 0})
        for measure in counted:
            counted[measure] += row[measure] or 0

    months = period.full_months()
    if months:
        with _tuned():
            rows = (ProductMonthChannel.objects.filter(in_scope, month__gte=months[0], month__lte=months[-1])
                    .values("channel_id").order_by()
                    .annotate(orders=Sum("orders"), quantity=Sum("quantity"), revenue=Sum("revenue")))
            for row in rows:
                add(codes[row["channel_id"]], row)
    edges = period.edges()
    if edges:
        in_edges = Q()
        for start, end in edges:
            in_edges |= Q(occurred_at__gte=start, occurred_at__lt=end)
        for row in counted_transactions().filter(in_edges, in_scope).values(code=channel_code()).annotate(
                **measures()).order_by():
            add(row["code"], row)
    result = []
    for channel in sorted(totals, key=lambda code: _channel_order(known, code)):
        if not totals[channel]["orders"]:
            continue
        if channel in KINDS:
            kind, label = channel, str(CHANNEL_LABELS[channel])
        else:
            kind, label = "marketplace", _("Đơn trên sàn · %(marketplace)s") % {"marketplace": display_name(channel)}
        result.append({"kind": kind, "marketplace": channel if kind == "marketplace" else "", "label": label,
                       **totals[channel]})
    return result


def _channel_order(known, code):
    """Marketplaces by their bit, then bank, manual, other (a channel not yet in `known`: last)."""
    if code in KINDS:
        return (1, KINDS.index(code))
    return (0, known.bits.get(code, len(known.bits)), code)


def channel_totals(rows):
    return {key: sum(row[key] for row in rows) for key in ("orders", "quantity", "revenue")}


def trend(*, user, period, filters=Filters(), months=12):
    """Month by month, the counted products and both rates, for the months ending with the period's
    (up to this month). One statement, one pass over the products: per product, its certificate
    validity and listing in each month are columns (products and live spans read once), and its
    sales in those months are bitmasks (bit i: month i) summed from its ProductMonth rows, which
    are unique per month so the sum is a bitwise OR."""
    firsts = [first for first in period.trend_months(months) if first <= today()]
    if not firsts:
        return []
    bounds = [month_bounds(first) for first in firsts]
    as_of = [min(end_at.date() - dt.timedelta(days=1), today()) for _start, end_at in bounds]
    indexes = range(len(firsts))
    products = scoped_products(user, filters).values("id").annotate(
        **{f"v{i}": Case(When(certificate_valid_on(as_of[i]), then=1), default=0, output_field=IntegerField())
           for i in indexes})
    listed = LiveSpan.objects.filter(started_at__lt=bounds[-1][1]).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=bounds[0][0])).order_by().values("product_id").annotate(
        **{f"l{i}": _max_when(Q(started_at__lt=bounds[i][1]) & (Q(ended_at__isnull=True) | Q(ended_at__gt=bounds[i][0])))
           for i in indexes})
    (products_sql, products_params), (listed_sql, listed_params) = _sql(products), _sql(listed)
    month_params = [connection.ops.adapt_datefield_value(first) for first in firsts]
    # month i -> bit 1 << i, as a small table joined to ProductMonth (one lookup a row)
    bits_sql = " UNION ALL ".join(f"SELECT %s AS month, {1 << i} AS bit" for i in indexes)
    known = Channels.known()
    kinds = {"mkt": known.marketplace_mask, "any": known.marketplace_mask | known.mask("bank"),
             "man": known.mask("manual")}
    sold_columns = ", ".join(f"SUM(CASE WHEN (pm.mask & {bits}) <> 0 THEN b.bit ELSE 0 END) AS s_{kind}"
                             for kind, bits in kinds.items())
    table = connection.ops.quote_name(ProductMonth._meta.db_table)
    figures = []
    for i in indexes:
        valid, valid_listed = f"p.v{i}", f"p.v{i} * COALESCE(l.l{i}, 0)"
        figures += [f"SUM({valid})", f"SUM({valid_listed})",
                    *(f"SUM(CASE WHEN (COALESCE(s.s_{kind}, 0) & {1 << i}) <> 0 THEN {counted} ELSE 0 END)"
                      for kind, counted in (("mkt", valid_listed), ("any", valid_listed), ("man", valid)))]
    sql = (f"WITH p AS ({products_sql}), l AS ({listed_sql}), "
           f"b AS ({bits_sql}), "
           f"s AS (SELECT pm.product_id, {sold_columns} FROM {table} pm JOIN b ON b.month = pm.month "
           "WHERE pm.month >= %s AND pm.month <= %s GROUP BY pm.product_id) "
           f"SELECT {', '.join(figures)} FROM p LEFT JOIN l ON l.product_id = p.id LEFT JOIN s ON s.product_id = p.id")
    params = [*products_params, *listed_params, *month_params, month_params[0], month_params[-1]]
    row = _fetchall(sql, params)[0]
    result = []
    for i, first in enumerate(firsts):
        figures = _figures(*(int(value or 0) for value in row[5 * i:5 * i + 5]))
        result.append({"month": first.isoformat(), "label": first.strftime("%m/%Y"), **figures})
    return result


def filter_choices(user):
    """Communes that have producers in the user's scope, and the groups: for the filter form."""
    communes = Commune.objects.filter(producers__in=producers_for(user)).distinct().order_by("name")
    return {"communes": communes, "groups": ProductGroup.objects.all(), "kinds": Producer.Kind.choices,
            "stars": [3, 4, 5]}

