"""The shared base of feed marketplaces (Postmart, Voso: packages of their own): no public seller
API and no published feed format.

The province's onboarding team uploads a spreadsheet we build; once the product is online the
producer pastes its URL and the listings app marks the listing live (`validate_product_url`
checks that the URL belongs to the marketplace). The column set below is our own, chosen to carry
every field the two marketplaces' seller forms ask for; it is not an official template.
"""
from __future__ import annotations

from io import BytesIO
from urllib.parse import urlsplit

import ada_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from common.spreadsheet import append_row

from .base import ConnectorError, ListingPayload, NoApiConnector

MAX_IMAGE_COLUMNS = 5
HEADERS = [
    gettext_lazy("Mã SKU"),
    gettext_lazy("Tên sản phẩm"),
    gettext_lazy("Mô tả"),
    gettext_lazy("Giá (đồng)"),
    gettext_lazy("Tồn kho"),
    gettext_lazy("Khối lượng (g)"),
    gettext_lazy("Danh mục"),
    gettext_lazy("Mã vạch"),
    gettext_lazy("Thương hiệu"),
]
WIDTHS = [18, 40, 60, 14, 10, 14, 16, 16, 20]


class FeedConnector(NoApiConnector):
    """A feed marketplace declares its `code`, `name` and the `hosts` its product pages live on."""

    hosts: tuple[str, ...] = ()

    def publish(self, credentials, payload):
        raise ConnectorError(
            _("%(name)s không có API đăng sản phẩm: sản phẩm được đưa lên qua tệp danh sách của tỉnh, "
              "và chỉ hiện là đang bán khi cơ sở dán đường dẫn sản phẩm trên %(name)s.") % {"name": self.name},
            code="feed_only",
        )

    def build_feed(self, payloads: list[ListingPayload]) -> bytes:
        """The onboarding spreadsheet (xlsx): one row per product, image links at the end."""
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Sản phẩm")
        image_headers = [_("Ảnh %(number)s") % {"number": i} for i in range(1, MAX_IMAGE_COLUMNS + 1)]
        append_row(sheet, [str(h) for h in HEADERS] + image_headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for payload in payloads:
            images = [image.url or image.name for image in payload.images][:MAX_IMAGE_COLUMNS]
            append_row(sheet, [payload.sku, payload.name, payload.description, payload.price, payload.stock,
                          payload.weight_grams, payload.category_id, payload.gtin, payload.brand] + images)
        for row in sheet.iter_rows(min_row=2):
            row[3].number_format = "#,##0"
            row[2].alignment = Alignment(wrap_text=True, vertical="top")
        for index, width in enumerate(WIDTHS + [40] * MAX_IMAGE_COLUMNS, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
        sheet.freeze_panes = "A2"
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def feed_filename(self) -> str:
        return f"{self.code}-san-pham.xlsx"

    def validate_product_url(self, url: str) -> str:
        """The pasted product URL, normalised, if it is an https page of this marketplace;
        ConnectorError otherwise.

        Read as a browser reads it (WHATWG URL, the ada parser): `https://evil.example\\@postmart.vn/`
        goes to evil.example, whatever Python's `urlsplit` says. No credentials, no other port; the
        normalised form is stored, so that every later reader sees the same host."""
        try:
            parsed = ada_url.URL((url or "").strip())
        except ValueError:
            parsed = None
        host = parsed.hostname if parsed else ""
        if (
            parsed is None or parsed.protocol != "https:" or parsed.username or parsed.password or parsed.port
            or not any(host == h or host.endswith("." + h) for h in self.hosts)
            or urlsplit(parsed.href).hostname != host
        ):
            raise ConnectorError(
                _("Đường dẫn không phải trang sản phẩm trên %(name)s (cần bắt đầu bằng https://%(host)s/).")
                % {"name": self.name, "host": self.hosts[0]}, code="invalid_url")
        return parsed.href
