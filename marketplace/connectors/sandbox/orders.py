"""The sandbox's orders: its simulated buyers (`simulate_order`) and orders as the connector
returns them."""
from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ..base import ConnectorError, Order, OrderLine


def order_from_row(row) -> Order:
    return Order(
        external_id=row.external_id,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lines=[OrderLine(external_item_id=row.item.external_id, sku=row.sku,
                         quantity=row.quantity, amount=row.amount)],
        raw={"order_id": row.external_id, "shop_id": row.shop_id, "sku": row.sku,
             "quantity": row.quantity, "amount": row.amount, "status": row.status},
    )


def simulate_order(shop_id: str, sku: str, quantity: int = 1) -> Order:
    """A buyer orders `quantity` of the live item `sku` in the sandbox shop `shop_id`."""
    from marketplace.models import SandboxItem, SandboxOrder

    if quantity < 1:
        raise ConnectorError(_("Số lượng phải từ 1 trở lên."), code="invalid_quantity")
    with transaction.atomic():
        item = (SandboxItem.objects.select_for_update()
                .filter(shop_id=shop_id, sku=sku, active=True).first())
        if item is None:
            raise ConnectorError(
                _("Sàn thử nghiệm: sản phẩm %(sku)s không được bán trong gian hàng này.") % {"sku": sku},
                code="item_not_found",
            )
        if item.stock < quantity:
            raise ConnectorError(
                _("Sàn thử nghiệm: không đủ hàng (còn %(stock)s).") % {"stock": item.stock},
                code="out_of_stock",
            )
        SandboxItem.objects.filter(pk=item.pk).update(stock=F("stock") - quantity)
        row = SandboxOrder.objects.create(
            shop_id=shop_id, external_id="SBXO" + secrets.token_hex(5).upper(), item=item,
            sku=sku, quantity=quantity, amount=item.price * quantity,
        )
    return order_from_row(row)
