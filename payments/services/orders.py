"""Marketplace orders into sales: one Transaction per order line, idempotent."""
import re

from django.utils import timezone

from ..models import Transaction
from .sales import ORDER_STATUSES, create_once, set_status


def order_line_external_id(order_id, line_key):
    return f"{order_id}:{line_key}"[:200]


def product_for_marketplace_line(*, producer, marketplace, sku="", external_item_id=""):
    """(product, listing) for an order line: by our SKU "OCOP-000123" among the producer's
    products, else by the listing's external item id on that marketplace."""
    from listings.models import Listing
    from producers.models import OcopProduct

    listings = Listing.objects.filter(product__producer=producer, account__marketplace=marketplace)
    product = None
    match = re.fullmatch(r"OCOP-(\d{1,12})", (sku or "").strip().upper())
    if match:
        product = OcopProduct.objects.filter(producer=producer, pk=int(match.group(1))).first()
    if product is not None:
        return product, listings.filter(product=product).first()
    if external_item_id:
        listing = listings.filter(external_id=str(external_item_id)).select_related("product").first()
        if listing:
            return listing.product, listing
    return None, None


def record_marketplace_order(*, account, order):
    """One Transaction per order line of a marketplace.connectors.base.Order, idempotent: the same
    order again changes nothing, the same order cancelled or refunded updates the status. A line
    already brought in from a seller-centre export (source `import`) is updated rather than
    counted twice. Lines whose product cannot be found are skipped and returned.

    Returns {"created": [...], "updated": [...], "unchanged": [...], "unmatched": [OrderLine]}."""
    status = order.status if order.status in ORDER_STATUSES else Transaction.Status.PENDING
    result = {"created": [], "updated": [], "unchanged": [], "unmatched": []}
    occurred_at = order.created_at or timezone.now()
    for line in order.lines:
        external_id = order_line_external_id(order.external_id, line.sku or line.external_item_id)
        product, listing = product_for_marketplace_line(
            producer=account.producer, marketplace=account.marketplace, sku=line.sku,
            external_item_id=line.external_item_id,
        )
        imported = Transaction.objects.filter(
            source=Transaction.Source.IMPORT, producer=account.producer, marketplace=account.marketplace,
            external_id=external_id,
        ).first()
        if imported is not None:
            result["updated" if set_status(imported, status) else "unchanged"].append(imported)
            continue
        if product is None:
            result["unmatched"].append(line)
            continue
        tx, created = create_once(
            source=Transaction.Source.MARKETPLACE_ORDER, dedup_scope=f"account:{account.pk}", external_id=external_id,
            product=product, producer=account.producer, marketplace_account=account, listing=listing,
            marketplace=account.marketplace, quantity=max(1, int(line.quantity)), amount=max(0, int(line.amount)),
            occurred_at=occurred_at, status=status,
        )
        if created:
            result["created"].append(tx)
        else:
            result["updated" if set_status(tx, status) else "unchanged"].append(tx)
    return result
