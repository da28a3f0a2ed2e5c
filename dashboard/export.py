"""The dashboard as an .xlsx workbook for official reports: a sheet per breakdown, the same numbers
as the page (both are built from `selectors.summary`)."""
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.spreadsheet import append_row
from producers.models import Producer

from . import follow_up, selectors

VND_FORMAT = '#,##0 "₫"'
DATE_FORMAT = "dd/mm/yyyy"
RATE_FORMAT = '0.0"%"'
INT_FORMAT = "#,##0"
EXPORT_ROW_LIMIT = 20000
HEADER_FILL = PatternFill("solid", fgColor="DCEFE3")


def _sheet(workbook, title, headers, rows, formats=(), widths=None):
    sheet = workbook.create_sheet(title[:31])
    append_row(sheet, [str(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        append_row(sheet, row)
    for column, number_format in formats:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    for index, width in enumerate(widths or [max(14, len(str(h)) + 2) for h in headers], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def figure_headers():
    return [_("Số sản phẩm OCOP còn hiệu lực"), _("Đã lên sàn"), _("Tỷ lệ lên sàn (%)"),
            _("Lên sàn và có giao dịch trên sàn"), _("Tỷ lệ có giao dịch (%)"),
            _("Có giao dịch (tính cả chuyển khoản VietQR)"), _("Tỷ lệ tính cả chuyển khoản (%)"),
            _("Có bán hàng tự khai đã xác nhận")]


def figure_values(f):
    return [f["products"], f["listed"], f["listed_rate"], f["listed_with_sales"], f["sales_rate"],
            f["listed_with_sales_or_transfer"], f["sales_or_transfer_rate"], f["confirmed_manual"]]


FIGURE_FORMATS = [(2, INT_FORMAT), (3, INT_FORMAT), (4, RATE_FORMAT), (5, INT_FORMAT), (6, RATE_FORMAT),
                  (7, INT_FORMAT), (8, RATE_FORMAT), (9, INT_FORMAT)]

SHEET_TITLES = {
    "commune": "Theo xã", "old_district": "Theo huyện cũ", "group": "Theo nhóm", "stars": "Theo hạng sao",
    "kind": "Theo loại hình", "marketplace": "Theo sàn",
}


def _contact_cells(producer):
    return [producer.name, producer.representative, producer.phone, producer.email,
            producer.commune.name if producer.commune_id else "", producer.old_district]


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def workbook_bytes(*, user, period, filters, summary=None, trend=None):
    summary = summary or selectors.summary(user=user, period=period, filters=filters)
    trend = trend if trend is not None else selectors.trend(user=user, period=period, filters=filters)
    workbook = Workbook()
    overview = workbook.active
    overview.title = "Tổng hợp"
    append_row(overview, [_("Báo cáo tiến độ đưa sản phẩm OCOP lên sàn thương mại điện tử")])
    overview["A1"].font = Font(bold=True, size=13)
    append_row(overview, [_("Kỳ báo cáo"), period.label])
    append_row(overview, [_("Từ ngày"), period.start])
    append_row(overview, [_("Đến ngày"), period.end])
    append_row(overview, [_("Chứng nhận còn hiệu lực vào ngày"), period.as_of])
    for row in (3, 4, 5):
        overview.cell(row=row, column=2).number_format = DATE_FORMAT
    append_row(overview, [_("Ngày xuất"), timezone.localdate()])
    overview.cell(row=6, column=2).number_format = DATE_FORMAT
    append_row(overview, [_("Bộ lọc"), ", ".join(f"{k}={v}" for k, v in summary["filters"].items()) or _("Không")])
    append_row(overview, [])
    totals = summary["totals"]
    for header, value in zip(figure_headers(), figure_values(totals), strict=True):
        append_row(overview, [str(header), value])
        cell = overview.cell(row=overview.max_row, column=2)
        cell.number_format = RATE_FORMAT if "%" in str(header) else INT_FORMAT
    append_row(overview, [])
    append_row(overview, [_("Định nghĩa")])
    overview.cell(row=overview.max_row, column=1).font = Font(bold=True)
    for text in selectors.DEFINITIONS:
        append_row(overview, [str(text)])
    overview.column_dimensions["A"].width = 48
    overview.column_dimensions["B"].width = 22

    for dimension, title in SHEET_TITLES.items():
        rows = summary["breakdowns"][dimension]
        _sheet(workbook, title, [str(selectors.DIMENSIONS[dimension]).replace("Theo ", "").capitalize(),
                                 *figure_headers()],
               ([row["label"], *figure_values(row)] for row in rows), FIGURE_FORMATS,
               widths=[28] + [16] * 8)

    _sheet(workbook, "Xu hướng theo tháng", [_("Tháng"), *figure_headers(), _("Mục tiêu (%)")],
           ([point["label"], *figure_values(point), selectors.TARGET_PERCENT] for point in trend),
           FIGURE_FORMATS + [(10, RATE_FORMAT)], widths=[12] + [16] * 9)

    channels = summary["channels"]
    totals_row = selectors.channel_totals(channels)
    _sheet(workbook, "Doanh thu theo kênh", [_("Kênh bán"), _("Số đơn"), _("Số lượng"), _("Doanh thu (đồng)")],
           [*([row["label"], row["orders"], row["quantity"], row["revenue"]] for row in channels),
            [_("Tổng cộng"), totals_row["orders"], totals_row["quantity"], totals_row["revenue"]]],
           [(2, INT_FORMAT), (3, INT_FORMAT), (4, VND_FORMAT)], widths=[36, 12, 12, 20])

    contact_headers = [_("Chủ thể"), _("Người đại diện"), _("Điện thoại"), _("Email"), _("Xã/phường"), _("Huyện cũ")]
    product_headers = [_("Mã sản phẩm"), _("Sản phẩm"), _("Nhóm"), _("Hạng sao")]

    def product_cells(p):
        return [p.sku, p.name, p.group.name, p.stars]

    lists = {key: selector(user=user, filters=filters)[:EXPORT_ROW_LIMIT]
             for key, (_title, selector) in follow_up.FOLLOW_UPS.items()}
    _sheet(workbook, "Chưa lên sàn", [*product_headers, _("Hết hạn chứng nhận"), *contact_headers],
           ([*product_cells(p), p.certificate_expiry, *_contact_cells(p.producer)] for p in lists["not_listed"]),
           [(5, DATE_FORMAT)])
    _sheet(workbook, "90 ngày chưa có đơn", [*product_headers, _("Lên sàn từ"), _("Đơn gần nhất"), *contact_headers],
           ([*product_cells(p), _local_date(p.live_since), _local_date(p.last_sale_at), *_contact_cells(p.producer)]
            for p in lists["no_sales"]), [(5, DATE_FORMAT), (6, DATE_FORMAT)])
    _sheet(workbook, "Sắp hết hạn chứng nhận", [*product_headers, _("Số quyết định"), _("Hết hạn chứng nhận"),
                                                *contact_headers],
           ([*product_cells(p), p.certificate_number, p.certificate_expiry, *_contact_cells(p.producer)]
            for p in lists["expiring"]), [(6, DATE_FORMAT)])
    _sheet(workbook, "Chủ thể chưa xác minh", [_("Trạng thái"), _("Số sản phẩm"), _("Ngày đăng ký"), *contact_headers],
           ([str(Producer.Status(p.status).label), p.product_count, _local_date(p.created_at), *_contact_cells(p)]
            for p in lists["not_verified"]), [(3, DATE_FORMAT)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename(period):
    return f"bao-cao-ocop-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
