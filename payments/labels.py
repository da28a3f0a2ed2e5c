"""Printable labels (PDF, ReportLab) for market stalls: an A6 stall sign or an A4 sheet of 3 × 8 stickers.

Text is set in DejaVu Sans, shipped in payments/fonts/ and embedded in the PDF, so that "Chè Shan
tuyết" and "150.000 ₫" print as written on any machine, whatever fonts it has.
"""
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from common.exceptions import DomainError
from common.formatting import format_vnd

from .images import qr_image

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

LAYOUT_A6 = "a6"
LAYOUT_A4_STICKERS = "a4-stickers"
LAYOUTS = (LAYOUT_A4_STICKERS, LAYOUT_A6)
STICKER_COLUMNS, STICKER_ROWS = 3, 8
MAX_LABELS = 500


def _register_fonts():
    registered = pdfmetrics.getRegisteredFontNames()
    for name, filename in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


@dataclass(frozen=True)
class Label:
    product_name: str
    price: int
    producer_name: str
    bank_short_name: str
    account_number: str
    holder_name: str
    is_card: bool
    reference: str
    payload: str

    @classmethod
    def from_code(cls, code):
        account = code.bank_account
        return cls(
            product_name=code.product.name, price=code.display_amount, producer_name=code.product.producer.name,
            bank_short_name=account.bank.short_name, account_number=account.account_number,
            holder_name=account.holder_name, is_card=account.is_card, reference=code.reference,
            payload=code.payload,
        )


def _fit(text, font, width, *, size, min_size, max_lines):
    """The largest size (down to min_size) at which `text` fits in max_lines; past that, cut with '…'."""
    while True:
        lines = simpleSplit(text, font, size, width) or [""]
        if len(lines) <= max_lines or size <= min_size:
            break
        size -= 0.5
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return size, lines


def _text_block(pdf, x, top, width, text, font, *, size, min_size=None, max_lines=1, leading=1.18, centre=False):
    """Draws wrapped text from `top` downwards; returns the y below it."""
    size, lines = _fit(text, font, width, size=size, min_size=min_size or size, max_lines=max_lines)
    pdf.setFont(font, size)
    y = top
    for line in lines:
        y -= size
        if centre:
            pdf.drawCentredString(x + width / 2, y, line)
        else:
            pdf.drawString(x, y, line)
        y -= size * (leading - 1)
    return y


def _account_line(label):
    kind = _("Thẻ") if label.is_card else _("TK")
    return f"{label.bank_short_name} · {kind} {label.account_number}"


def _draw_a6(pdf, label):
    width, height = A6
    margin = 8 * mm
    inner = width - 2 * margin
    pdf.setLineWidth(0.8)
    pdf.roundRect(4 * mm, 4 * mm, width - 8 * mm, height - 8 * mm, 3 * mm)
    y = height - margin - 1 * mm
    y = _text_block(pdf, margin, y, inner, label.product_name, FONT_BOLD, size=15, min_size=10, max_lines=2, centre=True)
    y = _text_block(pdf, margin, y - 1 * mm, inner, format_vnd(label.price), FONT_BOLD, size=22, centre=True)
    qr_size = min(inner, y - margin - 30 * mm)
    pdf.drawImage(ImageReader(qr_image(label.payload, box_size=8)), (width - qr_size) / 2, y - qr_size - 1 * mm,
                  qr_size, qr_size)
    y -= qr_size + 2 * mm
    y = _text_block(pdf, margin, y, inner, _account_line(label), FONT_BOLD, size=11, min_size=8, centre=True)
    y = _text_block(pdf, margin, y, inner, label.holder_name, FONT, size=10, min_size=7, centre=True)
    y = _text_block(pdf, margin, y, inner, label.producer_name, FONT, size=9, min_size=7, max_lines=2, centre=True)
    _text_block(
        pdf, margin, y - 1 * mm, inner,
        _("Quét bằng ứng dụng ngân hàng · Mã %(reference)s") % {"reference": label.reference},
        FONT, size=7.5, min_size=6, centre=True,
    )


def _draw_sticker(pdf, label, x, y, width, height):
    """One 70 × 37 mm sticker at (x, y), its lower-left corner: QR on the left, text on the right."""
    pad = 2.5 * mm
    qr_size = height - 2 * pad
    pdf.drawImage(ImageReader(qr_image(label.payload, box_size=6)), x + pad, y + pad, qr_size, qr_size)
    tx = x + pad + qr_size + 1.5 * mm
    tw = x + width - pad - tx
    top = y + height - pad - 0.5 * mm
    top = _text_block(pdf, tx, top, tw, label.product_name, FONT_BOLD, size=7.5, min_size=6, max_lines=2)
    top = _text_block(pdf, tx, top - 0.5 * mm, tw, format_vnd(label.price), FONT_BOLD, size=9.5, min_size=7)
    top = _text_block(pdf, tx, top - 0.5 * mm, tw, label.producer_name, FONT, size=6, min_size=5, max_lines=2)
    top = _text_block(pdf, tx, top - 0.5 * mm, tw, _account_line(label), FONT_BOLD, size=6, min_size=5, max_lines=2)
    top = _text_block(pdf, tx, top, tw, label.holder_name, FONT, size=6, min_size=5)
    _text_block(pdf, tx, top, tw, label.reference, FONT, size=5.5)


def render_labels(labels, *, layout=LAYOUT_A4_STICKERS, title=""):
    """PDF bytes for `labels` (Label instances): one per A6 page, or 24 per A4 page."""
    labels = list(labels)
    if layout not in LAYOUTS:
        raise DomainError(
            _("Khổ in phải là một trong: %(layouts)s.") % {"layouts": ", ".join(LAYOUTS)}, fields={"layout": [layout]}
        )
    if not labels:
        raise DomainError(_("Chưa chọn sản phẩm nào để in."), fields={"products": [_("Bắt buộc.")]})
    if len(labels) > MAX_LABELS:
        raise DomainError(_("In tối đa %(limit)d nhãn một lần.") % {"limit": MAX_LABELS})
    _register_fonts()
    out = io.BytesIO()
    page_size = A6 if layout == LAYOUT_A6 else A4
    pdf = canvas.Canvas(out, pagesize=page_size, pageCompression=1)
    pdf.setTitle(title or _("Nhãn mã QR thanh toán"))
    pdf.setAuthor("OCOP Market")
    if layout == LAYOUT_A6:
        for label in labels:
            _draw_a6(pdf, label)
            pdf.showPage()
    else:
        page_width, page_height = A4
        cell_width, cell_height = page_width / STICKER_COLUMNS, page_height / STICKER_ROWS
        per_page = STICKER_COLUMNS * STICKER_ROWS
        for index, label in enumerate(labels):
            slot = index % per_page
            if index and slot == 0:
                pdf.showPage()
            column, row = slot % STICKER_COLUMNS, slot // STICKER_COLUMNS
            x, y = column * cell_width, page_height - (row + 1) * cell_height
            pdf.setLineWidth(0.2)
            pdf.setStrokeGray(0.75)
            pdf.rect(x, y, cell_width, cell_height)  # cutting guide
            pdf.setStrokeGray(0)
            _draw_sticker(pdf, label, x, y, cell_width, cell_height)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def render_codes(codes, *, layout=LAYOUT_A4_STICKERS):
    return render_labels([Label.from_code(code) for code in codes], layout=layout)
