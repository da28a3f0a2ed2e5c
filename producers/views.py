"""The producers' portal and the department officers' pages. Thin: forms in, services do the work."""
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts import throttling
from common.exceptions import DomainError
from common.numbers import query_id

from . import authority, privacy, selectors, services
from .forms import (
    AcceptInvitationForm,
    InviteForm,
    PhotoForm,
    ProducerFilterForm,
    ProducerForm,
    ProducerSignUpForm,
    ProductFilterForm,
    ProductForm,
    SignUpForm,
)
from .models import DataDeletionRequest, Invitation, Membership, OcopProduct, Producer, ProductPhoto

PAGE_SIZE = 25


def officer_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.is_officer(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _next_or(request, default):
    """The form's `next` if it is a page of this site, else `default`: never a redirect off-site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return target if allowed else default


def _add_errors(form, error):
    """Show a service's DomainError on the form: per field where it says which, else on top."""
    placed = False
    for field, errors in (error.fields or {}).items():
        if field in form.fields:
            for message in errors:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def landing(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    return render(request, "producers/landing.html")


@login_required
def home(request):
    producers = selectors.producers_for(request.user)
    context = {"is_officer": selectors.is_officer(request.user)}
    if context["is_officer"]:
        context["pending_count"] = Producer.objects.filter(status=Producer.Status.PENDING).count()
        context["producer_count"] = Producer.objects.count()
        context["product_count"] = OcopProduct.objects.count()
    context["my_producers"] = (
        Producer.objects.filter(memberships__user=request.user)
        .select_related("commune").annotate(product_count=Count("products", distinct=True))
    )
    context["has_any"] = producers.exists()
    return render(request, "producers/home.html", context)


def signup(request):
    """A cooperative registers: the person, then the producer; it waits for the department's check."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    if request.method == "POST" and (wait := throttling.signup_wait(request)):
        return render(request, "producers/signup_throttled.html", {"minutes": -(-wait // 60)}, status=429)
    account_form = SignUpForm(request.POST or None, prefix="account", phone=request.POST.get("producer-phone", ""))
    producer_form = ProducerSignUpForm(request.POST or None, prefix="producer")
    if request.method == "POST" and account_form.is_valid() and producer_form.is_valid():
        data = account_form.cleaned_data
        try:
            user, producer = services.producer_sign_up(
                username=data["username"], email=data["email"], password=data["password1"],
                full_name=data["full_name"], phone=producer_form.cleaned_data["phone"],
                producer_data=producer_form.cleaned_data,
            )
        except DomainError as error:
            _add_errors(producer_form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Đăng ký thành công. Sở Công Thương sẽ xác minh chủ thể “%(name)s” "
                                        "trước khi bạn đăng bán lên sàn.") % {"name": producer.name})
            return redirect("portal:home")
    if request.method == "POST":
        throttling.signup_refused(request)
    return render(request, "producers/signup.html", {"account_form": account_form, "producer_form": producer_form})


def _producer_for(request, pk):
    return get_object_or_404(selectors.producers_for(request.user), pk=pk)


@login_required
def producer_detail(request, pk):
    producer = _producer_for(request, pk)
    can_edit = selectors.can_edit_producer(request.user, producer)
    form = ProducerForm(request.POST or None, instance=producer) if can_edit else None
    if form is not None and not authority.can_edit_identity(request.user, producer):
        for name in authority.IDENTITY_FIELDS:  # the owner's (issue 12): shown, not editable
            if name in form.fields:
                form.fields[name].disabled = True
                form.fields[name].help_text = _lazy("Chỉ chủ sở hữu được sửa.")
    if request.method == "POST":
        if not can_edit:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                services.producer_update(producer=producer, user=request.user, **{
                    name: form.cleaned_data[name] for name in form.changed_data})
            except DomainError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu thông tin chủ thể."))
                return redirect("portal:producer", pk=producer.pk)
    return render(request, "producers/producer_detail.html", {
        "producer": producer, "form": form, "is_officer": selectors.is_officer(request.user),
        "products": producer.products.select_related("group")[:50],
    })


@login_required
def members(request, pk):
    producer = _producer_for(request, pk)
    is_owner = selectors.is_owner(request.user, producer)
    form = InviteForm(request.POST or None)
    invitation = None
    if request.method == "POST":
        if not is_owner:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                invitation = services.invitation_create(producer=producer, user=request.user, email=form.cleaned_data["email"])
            except DomainError as error:
                _add_errors(form, error)
            else:
                link = request.build_absolute_uri(reverse("portal:invitation_link", args=[invitation.token]))
                services.invitation_send(invitation=invitation, link=link)
                messages.success(request, _("Đã tạo lời mời. Gửi đường dẫn này cho người được mời: %(link)s") % {"link": link})
                return redirect("portal:members", pk=producer.pk)
    return render(request, "producers/members.html", {
        "producer": producer, "is_owner": is_owner, "form": form,
        "memberships": producer.memberships.select_related("user").order_by("role", "created_at"),
        "invitations": producer.invitations.filter(accepted_at__isnull=True),
    })


@login_required
@require_POST
def member_remove(request, pk, membership_pk):
    producer = _producer_for(request, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, producer=producer)
    try:
        services.membership_remove(membership=membership, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã xoá thành viên."))
    return redirect("portal:members", pk=producer.pk)


INVITATION_SESSION_KEY = "invitation_token"


def _no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def invitation_link(request, token):
    """The link sent by e-mail: its token goes into the session and the browser on to a page whose
    address has none, so the token is in no later address, access log, Referer or history entry."""
    request.session[INVITATION_SESSION_KEY] = token
    return _no_referrer(redirect("portal:accept_invitation"))


def accept_invitation(request):
    token = request.session.get(INVITATION_SESSION_KEY, "")
    invitation = Invitation.objects.select_related("producer").filter(token=token).first() if token else None
    if invitation is None or not invitation.is_open:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return _no_referrer(render(request, "producers/invitation_closed.html", status=410))
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            services.invitation_accept(token=token, user=request.user)
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(request, _("Bạn đã tham gia %(name)s.") % {"name": invitation.producer.name})
            return redirect("portal:home")
    else:
        form = AcceptInvitationForm(request.POST or None, initial={"email": invitation.email})
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                user = services.user_create(
                    username=form.cleaned_data["username"], email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"],
                )
                services.invitation_accept(token=token, user=user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(request, _("Bạn đã tham gia %(name)s.") % {"name": invitation.producer.name})
            return redirect("portal:home")
    return _no_referrer(render(request, "producers/accept_invitation.html", {"invitation": invitation, "form": form}))


# Products ---------------------------------------------------------------------------------------

@login_required
def products(request):
    form = ProductFilterForm(request.GET or None)
    queryset = selectors.products_for(request.user).annotate(photo_count=Count("photos"))
    if form.is_valid():
        queryset = selectors.filter_products(queryset, **form.cleaned_data)
    return render(request, "producers/products.html", {
        "form": form, "page": _page(request, queryset.order_by("name")),
        "editable_producers": Producer.objects.filter(memberships__user=request.user),
    })


@login_required
def product_create(request):
    editable = Producer.objects.filter(memberships__user=request.user)
    if selectors.is_officer(request.user) and request.GET.get("producer"):
        editable = Producer.objects.all()
    if request.GET.get("producer"):
        producer = get_object_or_404(editable, pk=query_id(request.GET["producer"]) or 0)
    else:
        producer = editable.first()
    if producer is None:
        messages.warning(request, _("Bạn cần thuộc một chủ thể OCOP để thêm sản phẩm."))
        return redirect("portal:home")
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(producer=producer, user=request.user, **form.cleaned_data)
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Đã thêm sản phẩm “%(name)s”. Hãy thêm ảnh sản phẩm.") % {"name": product.name})
            return redirect("portal:product", pk=product.pk)
    return render(request, "producers/product_form.html", {"form": form, "producer": producer, "product": None})


def _product_for(request, pk):
    return get_object_or_404(selectors.products_for(request.user), pk=pk)


@login_required
def product_detail(request, pk):
    product = _product_for(request, pk)
    can_edit = selectors.can_edit_producer(request.user, product.producer)
    photo_form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise DjangoPermissionDenied
        if photo_form.is_valid():
            try:
                services.photo_add(product=product, user=request.user, upload=photo_form.cleaned_data["photo"])
            except DomainError as error:
                photo_form.add_error("photo", error.message)
            else:
                messages.success(request, _("Đã thêm ảnh."))
                return redirect("portal:product", pk=product.pk)
    return render(request, "producers/product_detail.html", {
        "product": product, "can_edit": can_edit, "photo_form": photo_form,
        "photos": product.photos.all(), "product_actions": _product_actions(product),
    }, status=400 if request.method == "POST" else 200)


# What other apps offer on a product page: (url name, how it takes the product id, label).
PRODUCT_ACTIONS = [
    ("listings:publish", "query", _lazy("Đăng bán lên sàn")),
    ("payments:product_code", "arg", _lazy("In mã QR")),
    ("payments:product_sales", "arg", _lazy("Doanh số")),
]


def _product_actions(product):
    actions = []
    for name, style, label in PRODUCT_ACTIONS:
        try:
            url = reverse(name, args=[product.pk]) if style == "arg" else f"{reverse(name)}?product={product.pk}"
        except NoReverseMatch:
            continue
        actions.append({"url": url, "label": label})
    return actions


@login_required
def product_edit(request, pk):
    product = _product_for(request, pk)
    if not selectors.can_edit_producer(request.user, product.producer):
        raise DjangoPermissionDenied
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, user=request.user, **{
                name: form.cleaned_data[name] for name in form.changed_data})
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Đã lưu sản phẩm."))
            return redirect("portal:product", pk=product.pk)
    return render(request, "producers/product_form.html", {"form": form, "producer": product.producer, "product": product})


@login_required
@require_POST
def product_delete(request, pk):
    product = _product_for(request, pk)
    try:
        services.product_delete(product=product, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:product", pk=pk)
    messages.success(request, _("Đã xoá sản phẩm."))
    return redirect("portal:products")


@login_required
@require_POST
def photo_delete(request, pk, photo_pk):
    product = _product_for(request, pk)
    photo = get_object_or_404(ProductPhoto, pk=photo_pk, product=product)
    services.photo_delete(photo=photo, user=request.user)
    messages.success(request, _("Đã xoá ảnh."))
    return redirect("portal:product", pk=pk)


# Department officers ----------------------------------------------------------------------------

@officer_required
def verification_queue(request):
    return render(request, "producers/verification_queue.html", {"producers": selectors.verification_queue()})


@officer_required
@require_POST
def producer_set_status(request, pk):
    producer = get_object_or_404(Producer, pk=pk)
    try:
        services.producer_set_status(
            producer=producer, user=request.user, status=request.POST.get("status", ""),
            note=request.POST.get("note", "")[:255],
        )
    except (DomainError, ValueError) as error:
        messages.error(request, getattr(error, "message", _("Trạng thái không hợp lệ.")))
    else:
        messages.success(request, _("“%(name)s”: %(status)s.") % {"name": producer.name, "status": producer.get_status_display()})
    return redirect(_next_or(request, reverse("portal:verification_queue")))


@officer_required
def all_producers(request):
    form = ProducerFilterForm(request.GET or None)
    queryset = Producer.objects.select_related("commune").annotate(product_count=Count("products")).order_by("name")
    if form.is_valid():
        queryset = selectors.filter_producers(queryset, **form.cleaned_data)
    return render(request, "producers/all_producers.html", {"form": form, "page": _page(request, queryset)})


@officer_required
def all_products(request):
    form = ProductFilterForm(request.GET or None)
    queryset = OcopProduct.objects.select_related("producer", "group", "producer__commune")
    if form.is_valid():
        queryset = selectors.filter_products(queryset, **form.cleaned_data)
    return render(request, "producers/all_products.html", {"form": form, "page": _page(request, queryset)})


@officer_required
def audit_log(request):
    """Who changed what, when: producers, products, members, shops, listings, bank accounts, sales,
    as Vietnamese sentences (producers.audit)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from . import audit

    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    model = request.GET.get("model", "")
    if model:
        entries = entries.filter(content_type__model=model)
    if request.GET.get("q"):
        entries = entries.filter(object_repr__icontains=request.GET["q"])
    kinds = sorted(((kind.model, audit.model_name(kind)) for kind in ContentType.objects.filter(
        pk__in=LogEntry.objects.values("content_type_id").distinct())), key=lambda kind: kind[1])
    page = _page(request, entries)
    return render(request, "producers/audit_log.html", {
        "page": page, "lines": audit.describe(page.object_list), "kinds": kinds, "model": model,
        "q": request.GET.get("q", ""),
    })


# Personal data ----------------------------------------------------------------------------------

@login_required
def personal_data(request, pk):
    """An owner downloads everything we hold about the producer, or asks for it to be erased."""
    producer = _producer_for(request, pk)
    if not selectors.is_owner(request.user, producer):
        raise DjangoPermissionDenied
    if request.method == "POST":
        try:
            privacy.deletion_request_create(producer=producer, user=request.user, reason=request.POST.get("reason", "")[:2000])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã gửi yêu cầu xoá dữ liệu. Sở Công Thương sẽ xử lý và thông báo cho bạn."))
        return redirect("portal:personal_data", pk=pk)
    return render(request, "producers/personal_data.html", {
        "producer": producer, "requests": producer.deletion_requests.all()[:10],
    })


@login_required
def personal_data_export(request, pk):
    producer = _producer_for(request, pk)
    try:
        data = privacy.producer_data_export(producer=producer, user=request.user)
    except DomainError as error:
        raise DjangoPermissionDenied from error
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="du-lieu-chu-the-{producer.pk}.json"'
    return response


@officer_required
def deletion_requests(request):
    if request.method == "POST":
        deletion = get_object_or_404(DataDeletionRequest, pk=request.POST.get("request"))
        try:
            if request.POST.get("action") == "carry_out":
                privacy.deletion_request_carry_out(request=deletion, user=request.user)
                messages.success(request, _("Đã xoá dữ liệu cá nhân của “%(name)s”.") % {"name": deletion.producer.name})
            else:
                privacy.deletion_request_reject(request=deletion, user=request.user)
                messages.success(request, _("Đã từ chối yêu cầu."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("portal:deletion_requests")
    return render(request, "producers/deletion_requests.html", {
        "requests": DataDeletionRequest.objects.select_related("producer", "requested_by", "handled_by")[:200],
    })
