"""Import of a seller centre's order export for producers who do not connect an API.

Each marketplace declares its export's columns on its connector (`order_export`, an
`OrderExport`; Shopee and Lazada today, from public parsers of real exports, not from a published
specification): one row per order line with a line total (else unit price × quantity), or one row
per item unit (Lazada), whose rows of one order and one SKU are added up into one line, as the
Lazada connector does.

Decision: rows are recorded with source `import` (what the seller uploaded, not what a marketplace
told us), scope "<marketplace>:producer:<id>", external id "<order>:<sku or item id>": the same
key as record_marketplace_order, which updates an imported line instead of counting it twice
(and this import leaves a line already synced from the API alone).

Lines are matched to products by our SKU ("OCOP-000123") or by the listing's external item id.
Same row report as the OCOP list import: each row in its own savepoint, rejected rows carry the
spreadsheet row number and a Vietnamese reason, good rows go in, re-importing changes nothing,
a cancelled or returned row updates the status of the sale already recorded.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import PermissionDenied
from common.tabular import (
    CREATED,
    HEADER_SCAN_ROWS,
    REJECTED,
    UNCHANGED,
    UPDATED,
    ImportFileError,
    ImportReport,
    RowResult,
    read_sheets,
    read_upload,
)
from marketplace.connectors.registry import all_connectors
from producers import authority

from .banks.base import VIETNAM
from .models import Transaction
from .services.orders import order_line_external_id, product_for_marketplace_line
from .services.sales import create_once, set_status


def order_exports():
    """{marketplace code: OrderExport} of the enabled marketplaces whose export we read."""
    return {connector.code: connector.order_export for connector in all_connectors() if connector.order_export}


# Status words, ASCII-folded and lower-cased; the first group that matches wins.
STATUS_WORDS = [
    (Transaction.Status.REFUNDED, ("tra hang", "hoan tien", "returned", "refund")),
    (Transaction.Status.CANCELLED, ("huy", "cancel", "failed", "lost", "that bai")),
    (Transaction.Status.COMPLETED, ("hoan thanh", "da giao", "da nhan", "giao hang thanh cong", "delivered",
                                    "completed", "confirmed")),
]


def fold(text):
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


def map_status(text):
    folded = fold(text)
    for status, words in STATUS_WORDS:
        if any(word in folded for word in words):
            return status
    return Transaction.Status.PENDING


def parse_vnd(value):
    """150000, 150000.0, "150.000", "150,000 ₫", "₫150.000" -> 150000; None when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = re.sub(r"[\s₫đĐ]|VND", "", str(value), flags=re.I)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return int(re.sub(r"[.,]", "", text))
    try:
        return int(Decimal(text.replace(",", ".")).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return None


def parse_quantity(value):
    number = parse_vnd(value)
    return number if number is not None and number > 0 else None


DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                "%d/%m/%Y", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %b %Y")


def parse_when(value):
    """Exports carry Vietnam local time without a zone."""
    if isinstance(value, datetime):
        naive = value
    else:
        text = str(value or "").strip()
        naive = None
        for fmt in DATE_FORMATS:
            try:
                naive = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if naive is None:
            return None
    return naive if timezone.is_aware(naive) else naive.replace(tzinfo=VIETNAM)


def find_header(rows, exports=None):
    """(marketplace, index of the first data row, {field: column index})."""
    exports = order_exports() if exports is None else exports
    for index, (_number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        folded = [fold(v) for v in values]
        for marketplace, export in exports.items():
            columns = {}
            for name, spellings in export.columns.items():
                for position, header in enumerate(folded):
                    if header in spellings:
                        columns.setdefault(name, position)
            if all(name in columns for name in export.required):
                return marketplace, index + 1, columns
    sources = _(" hoặc ").join(str(export.source) for export in exports.values())
    raise ImportFileError(_("Không nhận ra tệp đơn hàng: cần tệp xuất từ %(sources)s.") % {"sources": sources})


@dataclass
class Line:
    rows: list
    order: str
    sku: str
    item: str
    name: str
    quantity: int = 0
    amount: int = 0
    statuses: list = field(default_factory=list)
    when: datetime | None = None
    reasons: list = field(default_factory=list)


def _cell(values, columns, name):
    position = columns.get(name)
    if position is None or position >= len(values):
        return None
    value = values[position]
    return value.strip() if isinstance(value, str) else value


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _lines(export, rows, columns):
    """Rows into order lines (a row per unit summed per order and SKU); blank rows skipped."""
    lines = {}
    for number, values in rows:
        if not any(v not in (None, "") for v in values):
            continue
        get = lambda name, values=values: _cell(values, columns, name)  # noqa: E731
        order = _text(get("order"))
        sku = _text(get("sku")) or _text(get("parent_sku"))
        item = _text(get("item"))
        key = (order, sku or item or f"row{number}")
        line = lines.get(key)
        if line is None:
            line = lines[key] = Line(rows=[], order=order, sku=sku, item=item, name=_text(get("name")))
        line.rows.append(number)
        if not order:
            line.reasons.append(_("Thiếu mã đơn hàng."))
        when = parse_when(get("date"))
        if when is None:
            line.reasons.append(_("Ngày đặt hàng không đọc được: “%(value)s”.") % {"value": _text(get("date"))})
        line.when = line.when or when
        status = map_status(get("status"))
        line.statuses.append(status)
        if export.row_is_unit:
            quantity, amount = 1, parse_vnd(get("unit"))
        else:
            quantity = parse_quantity(get("quantity"))
            amount = parse_vnd(get("total"))
            if amount is None and quantity:
                unit = parse_vnd(get("unit"))
                amount = unit * quantity if unit is not None else None
        if quantity is None:
            line.reasons.append(_("Số lượng không hợp lệ: “%(value)s”.") % {"value": _text(get("quantity"))})
            continue
        if amount is None or not 0 <= amount <= 10**13:
            line.reasons.append(_("Số tiền không đọc được."))
            continue
        if status in (Transaction.Status.CANCELLED, Transaction.Status.REFUNDED) and export.row_is_unit:
            continue  # a cancelled unit of an order (Lazada): the rest of the line still counts
        line.quantity += quantity
        line.amount += amount
    return list(lines.values())


def _line_status(line):
    statuses = set(line.statuses)
    if len(statuses) == 1:
        return statuses.pop()
    live = statuses - {Transaction.Status.CANCELLED, Transaction.Status.REFUNDED}
    if not live:
        return Transaction.Status.REFUNDED if Transaction.Status.REFUNDED in statuses else Transaction.Status.CANCELLED
    return live.pop() if len(live) == 1 else Transaction.Status.PENDING


def import_order_export(*, user, producer, file, filename, account=None, dry_run=False):
    """Returns an ImportReport (common.tabular); raises ImportFileError when the file as a whole
    is unusable (nothing written)."""
    if not authority.can_record_sale(user, producer):  # members record sales; officers do not (issue 12)
        raise PermissionDenied(_("Bạn không có quyền nhập đơn hàng cho chủ thể này."))
    if account is not None and account.producer_id != producer.pk:
        raise PermissionDenied(_("Gian hàng không thuộc chủ thể này."))
    sheet = read_sheets(read_upload(file), filename)[0]
    exports = order_exports()
    marketplace, start, columns = find_header(sheet.rows, exports)
    if account is not None and account.marketplace != marketplace:
        raise ImportFileError(_("Tệp là đơn hàng %(file)s nhưng gian hàng đã chọn ở sàn khác.") % {"file": marketplace})
    report = ImportReport(filename=filename, dry_run=dry_run, sheets=[sheet.name], columns=columns)
    report.marketplace = marketplace
    with transaction.atomic():
        for line in _lines(exports[marketplace], sheet.rows[start:], columns):
            report.rows.append(_import_line(line, marketplace=marketplace, producer=producer, account=account,
                                            user=user))
        if dry_run:
            transaction.set_rollback(True)
    report.rows.sort(key=lambda r: r.row)
    return report


def _import_line(line, *, marketplace, producer, account, user):
    result = RowResult(row=line.rows[0], status=REJECTED, product=line.name or line.sku, producer=line.order)
    if len(line.rows) > 1:
        result.warnings.append(_("Gộp các dòng %(rows)s (cùng đơn, cùng SKU).") % {
            "rows": ", ".join(str(r) for r in line.rows)})
    if line.reasons:
        result.reasons = list(dict.fromkeys(line.reasons))
        return result
    product, listing = product_for_marketplace_line(
        producer=producer, marketplace=marketplace, sku=line.sku, external_item_id=line.item,
    )
    if product is None:
        result.reasons = [_("Không tìm thấy sản phẩm của chủ thể có SKU “%(sku)s”.") % {"sku": line.sku or line.item}]
        return result
    result.product, result.product_id = product.name, product.pk
    status = _line_status(line)
    external_id = order_line_external_id(line.order, line.sku or line.item)
    synced = Transaction.objects.filter(
        source=Transaction.Source.MARKETPLACE_ORDER, producer=producer, marketplace=marketplace,
        external_id=external_id,
    ).first()
    if synced is not None:
        result.status = UNCHANGED
        result.warnings.append(_("Đơn này đã được đồng bộ từ sàn."))
        return result
    try:
        with transaction.atomic():
            tx, created = create_once(
                source=Transaction.Source.IMPORT, dedup_scope=f"{marketplace}:producer:{producer.pk}",
                external_id=external_id, product=product, producer=producer, marketplace_account=account,
                listing=listing, marketplace=marketplace, quantity=max(1, line.quantity), amount=line.amount,
                occurred_at=line.when, status=status, recorded_by=user,
            )
            if created:
                result.status = CREATED
            elif set_status(tx, status):
                result.status, result.changed_fields = UPDATED, [_("trạng thái")]
            else:
                result.status = UNCHANGED
    except Exception as exc:  # noqa: BLE001 - one bad row must not stop the others
        result.status, result.reasons = REJECTED, [_("Không ghi được dòng này: %(error)s") % {"error": exc}]
    return result
