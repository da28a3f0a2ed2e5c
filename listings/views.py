"""Portal pages: shops (connect, authorise, disconnect), listings (publish many, status, history,
retry, delist, price and stock, feed spreadsheet and pasted URL)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.numbers import query_id
from common.views import run_and_report
from marketplace.connectors import registry

from . import selectors, services
from .forms import BulkPublishForm, ConnectForm, ListingFilterForm, MarkLiveForm, PriceStockForm
from .models import EXPIRY_WARNING_DAYS


def _callback_uri(request, marketplace):
    return request.build_absolute_uri(reverse("listings:account_callback", args=[marketplace]))


@login_required
def accounts(request):
    """The shops page (navigation: "Gian hàng")."""
    producers = selectors.manageable_producers(request.user)
    form = ConnectForm(producers=producers) if producers.exists() else None
    shops = selectors.accounts_for(request.user).order_by("producer__name", "marketplace", "shop_name")
    return render(request, "listings/accounts.html", {
        "shops": shops,
        "expiring": [shop for shop in shops if shop.expires_within()],
        "warning_days": EXPIRY_WARNING_DAYS,
        "form": form,
    })


@login_required
@require_POST
def account_connect(request):
    producers = selectors.manageable_producers(request.user)
    form = ConnectForm(request.POST, producers=producers)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn chủ thể và sàn."))
        return redirect("listings:accounts")
    producer, marketplace = form.cleaned_data["producer"], form.cleaned_data["marketplace"]
    try:
        if marketplace in registry.codes(auth="oauth"):
            return redirect(services.account_authorization_url(
                producer=producer, user=request.user, marketplace=marketplace,
                redirect_uri=_callback_uri(request, marketplace),
            ))
        account = services.account_connect(
            producer=producer, user=request.user, marketplace=marketplace,
            shop_name=form.cleaned_data["shop_name"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã kết nối gian hàng %(shop)s.") % {"shop": account})
    return redirect("listings:accounts")


@login_required
def account_callback(request, marketplace):
    """Where Shopee, Lazada and Tiki send the seller back after the consent page."""
    if marketplace not in registry.codes():
        raise Http404
    try:
        account = services.account_authorization_complete(
            user=request.user, marketplace=marketplace, state=request.GET.get("state", ""),
            code=request.GET.get("code", ""), shop_id=request.GET.get("shop_id", ""),
            redirect_uri=_callback_uri(request, marketplace),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã kết nối gian hàng %(shop)s.") % {"shop": account})
    return redirect("listings:accounts")


@login_required
@require_POST
def account_disconnect(request, pk):
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    try:
        services.account_disconnect(account=account, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ngắt kết nối gian hàng %(shop)s.") % {"shop": account})
    return redirect("listings:accounts")


@login_required
def listing_list(request):
    shops = selectors.accounts_for(request.user)
    filters = ListingFilterForm(request.GET or None, accounts=shops)
    listings = selectors.listings_for(request.user).order_by("-updated_at")
    if filters.is_valid():
        data = filters.cleaned_data
        listings = selectors.filter_listings(
            listings, status=data["status"], account=data["account"], q=data["q"]
        )
    page = Paginator(listings, 50).get_page(request.GET.get("page"))
    return render(request, "listings/listing_list.html", {
        "page": page, "filters": filters, "can_publish": selectors.manageable_producers(request.user).exists(),
        "expiring": [shop for shop in shops if shop.expires_within()],
        "warning_days": EXPIRY_WARNING_DAYS,
    })


@login_required
def publish(request):
    """Many products on many shops in one action: creates the missing listings and queues them all."""
    producers = selectors.manageable_producers(request.user)
    products = selectors.publishable_products_for(request.user).filter(producer__in=producers)
    shops = selectors.accounts_for(request.user).filter(producer__in=producers, status="connected")
    initial = {}
    if request.GET.get("product"):
        initial["products"] = products.filter(pk__in=[query_id(v) for v in request.GET.getlist("product")])
    form = BulkPublishForm(request.POST or None, products=products, accounts=shops, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            listings, skipped = services.listings_bulk_create(
                products=form.cleaned_data["products"], accounts=form.cleaned_data["accounts"], user=request.user
            )
            queued, errors = services.listings_publish_many(listings=listings, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if queued:
                messages.success(request, _("Đã gửi %(n)d niêm yết lên sàn.") % {"n": len(queued)})
            for listing, error in errors:
                messages.error(request, f"{listing}: {error}")
            return redirect("listings:list")
    return render(request, "listings/publish.html", {"form": form, "has_shops": shops.exists()})


def _listing(request, pk):
    return get_object_or_404(selectors.listings_for(request.user), pk=pk)


@login_required
def listing_detail(request, pk):
    listing = _listing(request, pk)
    return render(request, "listings/listing_detail.html", {
        "listing": listing,
        "attempts": selectors.attempts_of(listing),
        "history": listing.status_changes.all(),
        "can_manage": services.can_manage(request.user, listing.product.producer),
        "price_form": PriceStockForm(initial={"price": listing.price, "stock": listing.stock}),
        "mark_live_form": MarkLiveForm(),
    })


ACTIONS = {
    "publish": (services.listing_publish, _("Đã xếp hàng gửi lên sàn.")),
    "retry": (services.listing_retry, _("Đã gửi lại lên sàn.")),
    "delist": (services.listing_delist, _("Đã gỡ sản phẩm khỏi sàn.")),
}


@login_required
@require_POST
def listing_action(request, pk, action):
    listing = _listing(request, pk)
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    return _run_and_report(request, listing, lambda: service(listing=listing, user=request.user), done)


def _run_and_report(request, listing, call, done):
    """A button on the listing page: back to it."""
    return run_and_report(request, call, done, "listings:detail", pk=listing.pk)


@login_required
@require_POST
def listing_price_stock(request, pk):
    listing = _listing(request, pk)
    form = PriceStockForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("listings:detail", pk=listing.pk)
    return _run_and_report(request, listing, lambda: services.listing_update_price_stock(
        listing=listing, user=request.user, price=form.cleaned_data["price"], stock=form.cleaned_data["stock"],
    ), _("Đã cập nhật giá và tồn kho."))


@login_required
@require_POST
def listing_mark_live(request, pk):
    listing = _listing(request, pk)
    form = MarkLiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Đường dẫn không hợp lệ."))
        return redirect("listings:detail", pk=listing.pk)
    return _run_and_report(request, listing, lambda: services.listing_mark_live_manually(
        listing=listing, user=request.user, url=form.cleaned_data["url"],
    ), _("Đã đánh dấu sản phẩm đang bán."))


@login_required
def feed_download(request, pk):
    """The spreadsheet a feed marketplace's onboarding team imports (Postmart, Voso)."""
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    if not account.is_feed:
        raise Http404
    content = services.feed_spreadsheet(account=account)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{account.marketplace}-{account.pk}-{stamp}.xlsx"'
    return response
