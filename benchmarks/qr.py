"""`qr`: VietQR payloads, PNG/SVG images and a sheet of labels, against a bare `qrcode` call.

The floor is `qrcode.make(payload)` saved as PNG (the library's defaults: error correction M, box
10, border 4) for the very payload our builder made, so the ratio is what our code adds on top of
the library: the payload builder, our QR settings (version fitted, no mode optimisation) and the
PNG written with `optimize=True`. Goal: at least 80% of the floor's rate.

The 1,000-label A4 PDF is timed against the floor of drawing the same 1,000 QR images bare; no
goal is set for it (shown for information). `payments.labels.render_labels` refuses more than
MAX_LABELS (500) labels a call; the benchmark lifts that cap for this one figure.
"""
import io
from unittest import mock

import qrcode

from .common import Stopwatch, as_options, figure, timed_rate

GOAL_RATIO = 0.8
BANK_BIN, ACCOUNT = "970436", "0011004123456"


def add_arguments(parser):
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per rate measurement")
    parser.add_argument("--labels", type=int, default=1000, help="labels on the A4 PDF")


def _payload(n):
    from payments.vietqr import build_payload

    return build_payload(bank_bin=BANK_BIN, account=ACCOUNT, amount=150000 + n, purpose=f"OCOP TT{n:06d}")


def _bare_png(payload):
    out = io.BytesIO()
    qrcode.make(payload).save(out)
    return out.getvalue()


def _bare_svg(payload):
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathFillImage).save(out)
    return out.getvalue()


def _labels(count):
    from payments.labels import Label

    return [
        Label(product_name=f"Chè Shan tuyết Suối Giàng hộp {n} (200 g)", price=150000 + n * 1000,
              producer_name="Hợp tác xã Chè Shan tuyết Suối Giàng", bank_short_name="Vietcombank",
              account_number=ACCOUNT, holder_name="HTX CHE SUOI GIANG", is_card=False, reference=f"TT{n:06d}",
              payload=_payload(n))
        for n in range(count)
    ]


def run(options, emit):
    options = as_options(options)
    from payments import images
    from payments import labels as labels_module
    from payments.vietqr import build_payload

    seconds = options.seconds
    payload = _payload(1)
    counter = iter(range(10**9))

    floor_png = timed_rate(lambda: _bare_png(payload), seconds=seconds)
    payloads = timed_rate(lambda: build_payload(bank_bin=BANK_BIN, account=ACCOUNT, amount=150000,
                                                purpose=f"OCOP TT{next(counter):06d}"), seconds=seconds)
    figure(emit, "qr.payloads_per_s", payloads, "payloads/s", floor=floor_png, goal=None, met=None,
           note="payments.vietqr.build_payload alone, against the bare qrcode PNG (floor)")
    ours_png = timed_rate(lambda: images.qr_png(_payload(next(counter))), seconds=seconds)
    ratio = ours_png / floor_png
    figure(emit, "qr.png_per_s", ours_png, "png/s", floor=floor_png, goal=f">= {GOAL_RATIO:.0%} of floor",
           met=ratio >= GOAL_RATIO, note="build_payload + payments.images.qr_png vs qrcode.make(payload) as PNG")

    floor_svg = timed_rate(lambda: _bare_svg(payload), seconds=seconds)
    ours_svg = timed_rate(lambda: images.qr_svg(_payload(next(counter))), seconds=seconds)
    ratio = ours_svg / floor_svg
    figure(emit, "qr.svg_per_s", ours_svg, "svg/s", floor=floor_svg, goal=f">= {GOAL_RATIO:.0%} of floor",
           met=ratio >= GOAL_RATIO, note="build_payload + payments.images.qr_svg vs qrcode.make(payload) as SVG path")

    sheet = _labels(options.labels)
    with Stopwatch() as bare:
        for label in sheet:
            qrcode.make(label.payload, box_size=6).get_image()
    with mock.patch.object(labels_module, "MAX_LABELS", max(labels_module.MAX_LABELS, len(sheet))):
        with Stopwatch() as pdf_time:
            pdf = labels_module.render_labels(sheet, layout=labels_module.LAYOUT_A4_STICKERS)
    pages = -(-len(sheet) // (labels_module.STICKER_COLUMNS * labels_module.STICKER_ROWS))
    figure(emit, "qr.labels_pdf_seconds", pdf_time.seconds, "s", floor=bare.seconds, goal=None, met=None,
           labels=len(sheet), pages=pages, bytes=len(pdf),
           note="render_labels A4 3x8 stickers; floor: the same QR images drawn bare by qrcode; "
                "ratio = time / floor (lower is better); the 500-label cap of a call is lifted here")
