"""Server-rendered SVG charts: no JavaScript, no CDN, printable, scaled to the page width."""
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

LISTED_COLOR = "#1f6f43"
SALES_COLOR = "#c8912a"
TARGET_COLOR = "#b3261e"


def _pct(value):
    return "–" if value is None else f"{value:.1f}".replace(".", ",") + "%"


def trend_chart(points, target=100):
    """Bars per month: listed rate and listed-with-sales rate, with the target as a dashed line."""
    width, height, left, bottom, top = 480, 240, 40, 40, 12
    plot_h = height - bottom - top
    count = max(len(points), 1)
    slot = (width - left - 8) / count
    bar = max(min(slot / 2 - 3, 22), 3)
    y = lambda v: top + plot_h * (1 - (v or 0) / 100)  # noqa: E731
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(_("Tỷ lệ theo tháng so với mục tiêu"))}">',
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d9e2dc"/>'
                     f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="13" text-anchor="end" fill="#5c6b64">'
                     f'{tick}%</text>')
    for index, point in enumerate(points):
        x = left + index * slot + slot / 2
        for offset, key, color in ((-bar - 1, "listed_rate", LISTED_COLOR), (1, "sales_rate", SALES_COLOR)):
            value = point.get(key) or 0
            parts.append(f'<rect x="{x + offset:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                         f'height="{top + plot_h - y(value):.1f}" fill="{color}">'
                         f'<title>{escape(point["label"])}: {_pct(point.get(key))}</title></rect>')
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 17}" font-size="13" text-anchor="middle" '
                     f'fill="#1d2522">{escape(point["label"][:2])}</text>')
    if points:
        parts.append(f'<text x="{left}" y="{height - 4}" font-size="13" fill="#5c6b64">'
                     f'{escape(points[0]["label"])} – {escape(points[-1]["label"])}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                 f'stroke="{TARGET_COLOR}" stroke-width="2" stroke-dasharray="6 4"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bars_chart(rows, *, label_key="label"):
    """Horizontal bars per row: listed rate over listed-with-sales rate, 0-100%."""
    row_h, label_w, width = 40, 150, 480
    height = max(len(rows), 1) * row_h + 8
    plot_w = width - label_w - 56
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'aria-label="{escape(_("Tỷ lệ lên sàn và có giao dịch"))}">']
    for index, row in enumerate(rows):
        top = 4 + index * row_h
        label = str(row[label_key])
        short = label if len(label) <= 18 else label[:17] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{top + 17}" font-size="14" text-anchor="end" fill="#1d2522">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>')
        for offset, key, color in ((0, "listed_rate", LISTED_COLOR), (16, "sales_rate", SALES_COLOR)):
            value = row.get(key) or 0
            parts.append(f'<rect x="{label_w}" y="{top + offset}" width="{plot_w * value / 100:.1f}" height="13" '
                         f'fill="{color}"/><text x="{label_w + plot_w * value / 100 + 4:.1f}" y="{top + offset + 11}" '
                         f'font-size="12" fill="#5c6b64">{_pct(row.get(key))}</text>')
        parts.append(f'<line x1="{label_w + plot_w}" x2="{label_w + plot_w}" y1="{top}" y2="{top + 26}" '
                     f'stroke="{TARGET_COLOR}" stroke-dasharray="3 3"/>')

    parts.append("</svg>")
    return mark_safe("".join(parts))
