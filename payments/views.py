"""Portal pages: bank accounts, payment codes, QR downloads and labels; sales history, manual sales,
unmatched transfers, officers' confirmations, the inbound event log and the order-export import."""
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from common.numbers import query_id
from common.views import run_and_report
from producers import authority
from producers.selectors import (
    can_edit_producer,
    is_officer,
    producers_for,
    producers_owned_by,
    products_for,
)

from . import channels, services
from .evidence import download_response
from .forms import (
    AssignTransferForm,
    BankAccountForm,
    BankAccountRejectForm,
    BatchPrintForm,
    ManualSaleForm,
    OrderImportForm,
    PaymentCodeForm,
    RejectSaleForm,
    SalesFilterForm,
)
from .images import qr_png, qr_svg
from .labels import LAYOUT_A6, LAYOUTS, render_codes
from .models import InboundEvent
from .orders_import import import_order_export
from .selectors import (
    bank_accounts_for,
    bank_accounts_to_review,
    filter_transactions,
    inbound_events_for,
    number_holders,
    payment_codes_for,
    payout_changes,
    pending_manual_sales,
    printable_products_for,
    sales_totals,
    totals_by_source,
    transactions_for,
    unmatched_transfers_for,
    usable_bank_accounts,
)


def _file(content, content_type, filename, *, attachment=False):
    response = HttpResponse(content, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _form_errors(form, exc):
    for name, errors in (exc.fields or {}).items():
        target = name if name in form.fields else None
        for error in errors if isinstance(errors, (list, tuple)) else [errors]:
            form.add_error(target, str(error))


@login_required
def code_list(request):
    codes = payment_codes_for(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        codes = codes.filter(Q(product__name__icontains=query) | Q(reference__iexact=query))
    page = Paginator(codes, 50).get_page(request.GET.get("page"))
    return render(request, "payments/code_list.html", {
        "page": page, "query": query, "has_accounts": bank_accounts_for(request.user).exists(),
    })


@login_required
def bank_accounts(request):
    """Everyone who sees a producer sees its accounts; only its owners add, archive or choose the
    default (producers.authority). Owners also see the recent changes and who made them."""
    owned = producers_owned_by(request.user)
    form = BankAccountForm(request.POST or None, user=request.user) if owned.exists() else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Chỉ chủ sở hữu của chủ thể mới được thay đổi tài khoản nhận tiền."))
            return redirect("payments:bank_accounts")
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = services.bank_account_create(
                    user=request.user, producer=data["producer"], bank=data["bank"],
                    account_number=data["account_number"], holder_name=data["holder_name"],
                    is_card=data["is_card"], is_default=True if data["is_default"] else None,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                _form_errors(form, exc)
            else:
                if account.is_pending:
                    messages.warning(request, _("Đã thêm tài khoản; tài khoản chờ cán bộ Sở xác nhận: %(reason)s")
                                     % {"reason": _(account.review_reason)})
                else:
                    messages.success(request, _("Đã thêm tài khoản ngân hàng."))
                return redirect("payments:bank_accounts")
    owned_ids = set(owned.values_list("pk", flat=True))
    accounts = list(bank_accounts_for(request.user).order_by("producer__name", "-is_default", "bank__short_name"))
    for account in accounts:
        account.can_manage = account.producer_id in owned_ids
    return render(request, "payments/bank_accounts.html", {
        "accounts": accounts, "form": form, "changes": payout_changes(owned) if owned_ids else [],
    })


@login_required
@require_POST
def bank_account_delete(request, pk):
    account = get_object_or_404(bank_accounts_for(request.user), pk=pk)
    return run_and_report(request, lambda: services.bank_account_archive(user=request.user, account=account),
                          _("Đã xoá tài khoản %(account)s.") % {"account": account.account_number},
                          "payments:bank_accounts")


@login_required
@require_POST
def bank_account_make_default(request, pk):
    account = get_object_or_404(bank_accounts_for(request.user), pk=pk)
    return run_and_report(request, lambda: services.bank_account_set_default(user=request.user, account=account),
                          _("Đã đặt tài khoản %(account)s làm mặc định.") % {"account": account.account_number},
                          "payments:bank_accounts")


@login_required
def bank_account_reviews(request):
    """Officers' queue: accounts whose number another producer holds, or whose holder does not fit."""
    _require_officer_page(request)
    accounts = list(bank_accounts_to_review())
    for account in accounts:
        account.holders = number_holders(account)
        account.decidable = authority.can_review_bank_account(request.user, account)
    return render(request, "payments/bank_account_reviews.html", {
        "accounts": accounts, "reject_form": BankAccountRejectForm(),
    })


@login_required
@require_POST
def bank_account_approve(request, pk):
    _require_officer_page(request)
    account = get_object_or_404(bank_accounts_to_review(), pk=pk)
    return run_and_report(request, lambda: services.bank_account_approve(user=request.user, account=account),
                          _("Đã xác nhận tài khoản %(account)s.") % {"account": account.account_number},
                          "payments:bank_account_reviews")


@login_required
@require_POST
def bank_account_reject(request, pk):
    _require_officer_page(request)
    account = get_object_or_404(bank_accounts_to_review(), pk=pk)
    form = BankAccountRejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_and_report(
        request, lambda: services.bank_account_reject(user=request.user, account=account, reason=reason),
        _("Đã từ chối tài khoản %(account)s.") % {"account": account.account_number}, "payments:bank_account_reviews")


@login_required
def product_code(request, product_id):
    """'In mã QR' on a product: make a code (static, or with an amount) and go to its page."""
    product = get_object_or_404(products_for(request.user), pk=product_id)
    accounts = usable_bank_accounts(bank_accounts_for(request.user).filter(producer=product.producer))
    chooses = authority.can_manage_payout(request.user, product.producer)  # others: the default account
    form = PaymentCodeForm(request.POST or None, accounts=accounts if chooses else None,
                           initial={"bank_account": accounts.first()})
    if request.method == "POST" and form.is_valid():
        try:
            code = services.payment_code_create(
                user=request.user, product=product, amount=form.cleaned_data["amount"],
                bank_account=form.cleaned_data.get("bank_account"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo mã QR %(reference)s.") % {"reference": code.reference})
            return redirect("payments:code", pk=code.pk)
    existing = payment_codes_for(request.user).filter(product=product)[:20]
    return render(request, "payments/product_code.html", {
        "product": product, "form": form, "has_accounts": accounts.exists(), "existing": existing,
        "can_print": authority.can_print_labels(request.user, product.producer),
        "default_account": accounts.order_by("-is_default", "created_at").first(),
    })


@login_required
def code_detail(request, pk):
    code = get_object_or_404(payment_codes_for(request.user), pk=pk)
    return render(request, "payments/code_detail.html", {"code": code, "payload": code.payload})


@login_required
def code_png(request, pk):
    code = get_object_or_404(payment_codes_for(request.user), pk=pk)
    return _file(qr_png(code.payload), "image/png", f"vietqr-{code.reference}.png")


@login_required
def code_svg(request, pk):
    code = get_object_or_404(payment_codes_for(request.user), pk=pk)
    return _file(qr_svg(code.payload), "image/svg+xml", f"vietqr-{code.reference}.svg")


@login_required
def code_pdf(request, pk):
    code = get_object_or_404(payment_codes_for(request.user), pk=pk)
    layout = request.GET.get("layout", LAYOUT_A6)
    if layout not in LAYOUTS:
        layout = LAYOUT_A6
    pdf = render_codes([code], layout=layout)
    return _file(pdf, "application/pdf", f"nhan-{code.reference}-{layout}.pdf", attachment=True)


@login_required
def batch_print(request):
    """Many products into one PDF: each gets its code (reused if it already has one) and a label."""
    products = printable_products_for(request.user)
    initial = {"products": request.GET.getlist("products")}
    form = BatchPrintForm(request.POST or None, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            codes = [
                services.payment_code_for_product(
                    user=request.user, product=product,
                    amount=product.price if data["with_price"] and product.price else None,
                )
                for product in data["products"]
            ]
            pdf = render_codes(codes, layout=data["layout"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return _file(pdf, "application/pdf", f"nhan-ma-qr-{data['layout']}.pdf", attachment=True)
    return render(request, "payments/batch_print.html", {
        "form": form, "products": products, "has_accounts": bank_accounts_for(request.user).exists(),
    })


# --- Sales: history, manual entry, unmatched transfers, confirmations, events, import --------------

def _sales_context(request, queryset):
    form = SalesFilterForm(request.GET or None)
    filters = form.filters()
    queryset = filter_transactions(queryset, **filters)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form, "page": page, "totals": sales_totals(queryset), "by_source": totals_by_source(queryset),
        "query": query.urlencode(),
    }


@login_required
def transactions(request):
    """Sales history of every producer the user sees (officers: the province; ?producer= narrows)."""
    queryset = transactions_for(request.user)
    producer = None
    if (producer_id := query_id(request.GET.get("producer"))) is not None:
        producer = get_object_or_404(producers_for(request.user), pk=producer_id)
        queryset = queryset.filter(producer=producer)
    context = _sales_context(request, queryset)
    context.update({"producer": producer, "is_officer": is_officer(request.user),
                    "open_transfers": unmatched_transfers_for(request.user).count()})
    return render(request, "payments/transactions.html", context)


@login_required
def product_sales(request, product_id):
    product = get_object_or_404(products_for(request.user), pk=product_id)
    context = _sales_context(request, transactions_for(request.user).filter(product=product))
    context.update({"product": product, "can_edit": can_edit_producer(request.user, product.producer)})
    return render(request, "payments/product_sales.html", context)


@login_required
def transaction_detail(request, pk):
    tx = get_object_or_404(transactions_for(request.user).select_related("inbound_event", "listing"), pk=pk)
    return render(request, "payments/transaction_detail.html", {
        "tx": tx, "is_officer": is_officer(request.user), "reject_form": RejectSaleForm(),
        "confirmable": authority.can_confirm_sale(request.user, tx),
    })


@login_required
def transaction_evidence(request, pk):
    """Receipts are personal data: served through the scoped query, never as a public media URL."""
    tx = get_object_or_404(transactions_for(request.user), pk=pk)
    if not tx.evidence:
        raise Http404
    return download_response(tx.evidence)


@login_required
def manual_sale(request):
    # members record their producer's sales; officers do not act as the producer (producers.authority)
    products = products_for(request.user).filter(producer__memberships__user=request.user).order_by(
        "producer__name", "name")
    initial = {"occurred_on": timezone.localdate(), "quantity": 1}
    if (product_id := query_id(request.GET.get("product"))) is not None:
        initial["product"] = products.filter(pk=product_id).first()
    form = ManualSaleForm(request.POST or None, request.FILES or None, products=products, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        occurred_at = timezone.make_aware(datetime.combine(data["occurred_on"], time(12, 0)))
        try:
            tx = services.manual_sale_create(
                user=request.user, product=data["product"], quantity=data["quantity"], amount=data["amount"],
                occurred_at=occurred_at, evidence=data["evidence"], note=data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận doanh số tự khai báo; cán bộ Sở sẽ xác nhận."))
            return redirect("payments:transaction", pk=tx.pk)
    return render(request, "payments/manual_sale.html", {"form": form})


@login_required
def unmatched(request):
    """Transfers into a producer's account that named no code of ours (or the wrong amount or account)."""
    events = list(unmatched_transfers_for(request.user)[:200])
    editable = {p.pk for p in producers_for(request.user) if authority.can_record_sale(request.user, p)}
    for event in events:
        products = products_for(request.user).filter(producer_id=event.producer_id).order_by("name")
        event.assign_form = AssignTransferForm(products=products, prefix=f"e{event.pk}")
        event.can_resolve = event.producer_id in editable
    return render(request, "payments/unmatched.html", {"events": events})


@login_required
@require_POST
def unmatched_assign(request, pk):
    event = get_object_or_404(unmatched_transfers_for(request.user), pk=pk)
    products = products_for(request.user).filter(producer_id=event.producer_id)
    form = AssignTransferForm(request.POST, products=products, prefix=f"e{event.pk}")
    if not form.is_valid():
        messages.error(request, _("Hãy chọn sản phẩm của chính chủ thể nhận tiền."))
        return redirect("payments:unmatched")
    try:
        tx = services.unmatched_assign(
            user=request.user, event=event, product=form.cleaned_data["product"],
            quantity=form.cleaned_data["quantity"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận bán %(product)s.") % {"product": tx.product.name})
    return redirect("payments:unmatched")


@login_required
@require_POST
def unmatched_dismiss(request, pk):
    event = get_object_or_404(unmatched_transfers_for(request.user), pk=pk)
    note = request.POST.get("note", "")[:300]
    return run_and_report(request, lambda: services.unmatched_dismiss(user=request.user, event=event, note=note),
                          _("Đã bỏ qua chuyển khoản."), "payments:unmatched")


def _require_officer_page(request):
    if not is_officer(request.user):
        raise DjangoPermissionDenied


@login_required
def confirmations(request):
    _require_officer_page(request)
    page = Paginator(pending_manual_sales(), 50).get_page(request.GET.get("page"))
    for tx in page:
        tx.confirmable = authority.can_confirm_sale(request.user, tx)
    return render(request, "payments/confirmations.html", {"page": page, "reject_form": RejectSaleForm()})


@login_required
@require_POST
def confirm_sale(request, pk):
    _require_officer_page(request)
    tx = get_object_or_404(transactions_for(request.user), pk=pk)
    return run_and_report(request, lambda: services.manual_sale_confirm(user=request.user, transaction_obj=tx),
                          _("Đã xác nhận doanh số."), "payments:confirmations")


@login_required
@require_POST
def reject_sale(request, pk):
    _require_officer_page(request)
    tx = get_object_or_404(transactions_for(request.user), pk=pk)
    form = RejectSaleForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_and_report(
        request, lambda: services.manual_sale_reject(user=request.user, transaction_obj=tx, reason=reason),
        _("Đã từ chối doanh số tự khai báo."), "payments:confirmations")


@login_required
def events(request):
    queryset = inbound_events_for(request.user)
    state = request.GET.get("state", "")
    provider = request.GET.get("provider", "")
    if state in InboundEvent.State.values:
        queryset = queryset.filter(state=state)
    if provider in dict(channels.choices()):
        queryset = queryset.filter(provider=provider)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "payments/events.html", {
        "page": page, "states": InboundEvent.State.choices, "providers": channels.choices(),
        "state": state, "provider": provider,
    })


@login_required
def event_detail(request, pk):
    event = get_object_or_404(inbound_events_for(request.user), pk=pk)
    return render(request, "payments/event_detail.html", {
        "event": event, "transactions": transactions_for(request.user).filter(inbound_event=event),
        "is_officer": is_officer(request.user),
    })


@login_required
def order_import(request):
    report = None
    form = OrderImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_order_export(
                user=request.user, producer=form.cleaned_data["producer"], file=upload, filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(request, "payments/order_import.html", {"form": form, "report": report})
