import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from payments.images import qr_png, qr_svg
from payments.vietqr import VietQRError, build_payload, crc16, parse_payload


class Command(BaseCommand):
    help = "Build a VietQR payload (and its PNG/SVG), or parse one back to JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Print the payload for a transfer, on one line.")
        build.add_argument("--bank", required=True, help="NAPAS BIN of the bank, 6 digits (e.g. 970436).")
        build.add_argument("--account", required=True, help="Account number, or card number with --card.")
        build.add_argument("--card", action="store_true", help="The number is a card (service QRIBFTTC).")
        build.add_argument("--amount", help="Amount in VND (no decimals); makes a dynamic code.")
        build.add_argument("--bill", default="", help="Bill number (tag 62-01), at most 25 characters.")
        build.add_argument("--purpose", default="", help="Transfer purpose (tag 62-08), at most 25 characters.")
        build.add_argument("--png", type=Path, help="Also write the QR as a PNG file.")
        build.add_argument("--svg", type=Path, help="Also write the QR as an SVG file.")
        parse = sub.add_parser("parse", help="Print the fields of a payload as JSON.")
        parse.add_argument("payload")

    def handle(self, *args, **options):
        try:
            if options["action"] == "build":
                self._build(options)
            else:
                self._parse(options["payload"])
        except VietQRError as exc:
            raise CommandError(str(exc.message)) from exc

    def _build(self, options):
        payload = build_payload(
            bank_bin=options["bank"], account=options["account"], is_card=options["card"],
            amount=options["amount"], bill_number=options["bill"], purpose=options["purpose"],
        )
        for key, render in (("png", qr_png), ("svg", qr_svg)):
            if options[key]:
                try:
                    options[key].write_bytes(render(payload))
                except OSError as exc:
                    raise CommandError(f"{options[key]}: {exc.strerror}") from exc
        self.stdout.write(payload)

    def _parse(self, payload):
        parsed = parse_payload(payload, require_valid_crc=False)
        self.stdout.write(json.dumps(parsed.as_dict(), ensure_ascii=False))
        if not parsed.crc_valid:
            raise CommandError(
                _("Mã VietQR không hợp lệ: mã kiểm tra CRC là %(found)s nhưng nội dung cho ra %(expected)s.")
                % {"found": parsed.crc, "expected": crc16(payload.strip()[:-4])}
            )
