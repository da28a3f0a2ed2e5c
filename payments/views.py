"""Portal pages for traders: bank accounts, payment codes, QR downloads and label printing."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from producers.selectors import products_for

from . import services
from .forms import BankAccountForm, BatchPrintForm, PaymentCodeForm
from .images import qr_png, qr_svg
from .labels import LAYOUT_A6, LAYOUTS, render_codes
from .selectors import bank_accounts_for, payment_codes_for, printable_products_for


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
    form = BankAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bank_account_create(
                user=request.user, producer=data["producer"], bank=data["bank"],
                account_number=data["account_number"], holder_name=data["holder_name"],
                is_card=data["is_card"], is_default=True if data["is_default"] else None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm tài khoản ngân hàng."))
            return redirect("payments:bank_accounts")
    accounts = bank_accounts_for(request.user).order_by("producer__name", "-is_default", "bank__short_name")
    return render(request, "payments/bank_accounts.html", {"accounts": accounts, "form": form})


@login_required
@require_POST
def bank_account_delete(request, pk):
    account = get_object_or_404(bank_accounts_for(request.user), pk=pk)
    try:
        services.bank_account_archive(user=request.user, account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa tài khoản %(account)s.") % {"account": account.account_number})
    return redirect("payments:bank_accounts")


@login_required
@require_POST
def bank_account_make_default(request, pk):
    account = get_object_or_404(bank_accounts_for(request.user), pk=pk)
    try:
        services.bank_account_set_default(user=request.user, account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments:bank_accounts")


@login_required
def product_code(request, product_id):
    """'In mã QR' on a product: make a code (static, or with an amount) and go to its page."""
    product = get_object_or_404(products_for(request.user), pk=product_id)
    accounts = bank_accounts_for(request.user).filter(producer=product.producer)
    form = PaymentCodeForm(request.POST or None, accounts=accounts, initial={"bank_account": accounts.first()})
    if request.method == "POST" and form.is_valid():
        try:
            code = services.payment_code_create(
                user=request.user, product=product, amount=form.cleaned_data["amount"],
                bank_account=form.cleaned_data["bank_account"],
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
