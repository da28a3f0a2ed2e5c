"""The portal's order actions on a shop (buttons on the shops page, listings:accounts): sync its
orders now, simulate a sandbox order. Mounted under /san/ (payments/order_urls.py)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.formatting import format_vnd
from listings.selectors import accounts_for

from .services import polling


def _shop(request, pk):
    return get_object_or_404(accounts_for(request.user), pk=pk)


@login_required
@require_POST
def account_sync(request, pk):
    """"Đồng bộ đơn hàng": fetch the shop's new and changed orders now."""
    account = _shop(request, pk)
    try:
        summary = polling.account_orders_sync_now(account=account, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _(
            "Đã đồng bộ %(orders)s đơn của gian hàng %(shop)s: %(created)s dòng bán mới, %(updated)s dòng cập nhật."
        ) % {**summary, "shop": account})
    return redirect("listings:accounts")


@login_required
@require_POST
def sandbox_order(request, pk):
    """"Tạo đơn thử": a simulated buyer orders one live product of a sandbox shop."""
    account = _shop(request, pk)
    try:
        order, _summary = polling.sandbox_order_simulate(account=account, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        line = order.lines[0]
        messages.success(request, _("Đơn thử %(order)s: %(quantity)s × %(sku)s, %(amount)s, đã ghi nhận.") % {
            "order": order.external_id, "quantity": line.quantity, "sku": line.sku, "amount": format_vnd(line.amount)})
    return redirect("listings:accounts")
