from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from payments.labels import LAYOUT_A4_STICKERS, LAYOUTS, render_codes
from payments.services import payment_code_for_product
from producers.models import OcopProduct


def _ids(text):
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(_("--products phải là danh sách mã số sản phẩm, cách nhau bởi dấu phẩy.")) from None
    if not ids:
        raise CommandError(_("Chưa chọn sản phẩm nào để in."))
    return ids


class Command(BaseCommand):
    help = "Print VietQR labels of products to a PDF: A4 sheets of 3 x 8 stickers, or A6 stall signs."

    def add_arguments(self, parser):
        parser.add_argument("--products", required=True, help="Product ids, comma-separated: 12,15,31")
        parser.add_argument("--layout", choices=LAYOUTS, default=LAYOUT_A4_STICKERS)
        parser.add_argument("--out", required=True, type=Path, help="The PDF file to write.")
        parser.add_argument(
            "--with-price", action="store_true",
            help="Put each product's price into its code (dynamic); by default the buyer types the amount.",
        )

    def handle(self, *args, **options):
        ids = _ids(options["products"])
        products = OcopProduct.objects.select_related("producer").in_bulk(ids)
        missing = [str(pk) for pk in ids if pk not in products]
        if missing:
            raise CommandError(_("Không tìm thấy sản phẩm: %(ids)s.") % {"ids": ", ".join(missing)})
        try:
            codes = [
                payment_code_for_product(
                    user=None, system=True, product=products[pk],
                    amount=products[pk].price if options["with_price"] and products[pk].price else None,
                )
                for pk in ids
            ]
            pdf = render_codes(codes, layout=options["layout"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        try:
            options["out"].write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"{options['out']}: {exc.strerror}") from exc
        self.stdout.write(
            _("Đã in %(count)d nhãn vào %(path)s.") % {"count": len(codes), "path": options["out"]}
        )
