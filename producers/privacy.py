"""A producer's personal data: export it all, and erase it on request (Decree 356/2025/NĐ-CP)."""
from django.apps import apps
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError, PermissionDenied

from .models import DataDeletionRequest, Membership, Producer
from .selectors import is_officer, is_owner

SECRET_FIELDS = {"access_token", "refresh_token", "credentials_extra", "password"}


def _rows(queryset):
    rows = []
    for obj in queryset:
        row = {key: value for key, value in model_to_dict(obj).items() if key not in SECRET_FIELDS}
        rows.append({key: (str(value) if not isinstance(value, (int, float, bool, type(None), list)) else value)
                     for key, value in row.items()})
    return rows


def _optional(label, **filters):
    """Rows of another app's model, if that app is installed and has the model."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    return _rows(model.objects.filter(**filters))


def producer_data_export(*, producer, user):
    if not (is_owner(user, producer) or is_officer(user)):
        raise PermissionDenied(_("Chỉ chủ sở hữu mới tải được dữ liệu của chủ thể."))
    members = Membership.objects.filter(producer=producer).select_related("user")
    return {
        "exported_at": timezone.now().isoformat(),
        "producer": _rows([producer])[0],
        "members": [
            {"username": m.user.username, "full_name": m.user.full_name, "email": m.user.email,
             "phone": m.user.phone, "role": m.role, "since": m.created_at.isoformat()}
            for m in members
        ],
        "products": _rows(producer.products.all()),
        "photos": [photo.image.name for product in producer.products.all() for photo in product.photos.all()],
        "bank_accounts": _optional("payments.BankAccount", producer=producer),
        "payment_codes": _optional("payments.PaymentCode", product__producer=producer),
        "marketplace_accounts": _optional("listings.MarketplaceAccount", producer=producer),
        "listings": _optional("listings.Listing", product__producer=producer),
        "transactions": _optional("payments.Transaction", producer=producer),
    }


def deletion_request_create(*, producer, user, reason=""):
    if not is_owner(user, producer):
        raise PermissionDenied(_("Chỉ chủ sở hữu mới yêu cầu xoá dữ liệu được."))
    if producer.deletion_requests.filter(status=DataDeletionRequest.Status.PENDING).exists():
        raise DomainError(_("Đã có một yêu cầu xoá dữ liệu đang chờ xử lý."), code="deletion_pending")
    return DataDeletionRequest.objects.create(producer=producer, requested_by=user, reason=reason)


@transaction.atomic
def deletion_request_carry_out(*, request, user):
    """Erase people's details and close their accounts; keep the figures the province reports."""
    if not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Công Thương mới xử lý yêu cầu xoá dữ liệu."))
    request = DataDeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DataDeletionRequest.Status.PENDING:
        raise DomainError(_("Yêu cầu này đã được xử lý."), code="deletion_handled")
    producer = request.producer
    for membership in producer.memberships.select_related("user"):
        person = membership.user
        if not person.memberships.exclude(producer=producer).exists():
            person.username = f"da-xoa-{person.pk}"
            person.full_name = person.first_name = person.last_name = ""
            person.email = person.phone = ""
            person.is_active = False
            person.set_unusable_password()
            person.save()
    producer.memberships.all().delete()
    Producer.objects.filter(pk=producer.pk).update(
        representative="", phone="", email="", address="", status=Producer.Status.SUSPENDED,
        status_note=_("Dữ liệu cá nhân đã được xoá theo yêu cầu."),
    )
    try:
        BankAccount = apps.get_model("payments.BankAccount")
    except LookupError:
        pass
    else:
        for account in BankAccount.objects.filter(producer=producer):
            account.account_number = "***" + account.account_number[-3:]
            account.holder_name = ""
            account.is_active = False
            account.is_default = False
            account.save()
    request.status = DataDeletionRequest.Status.DONE
    request.handled_by = user
    request.handled_at = timezone.now()
    request.save()
    return request


def deletion_request_reject(*, request, user):
    """Officers may refuse, e.g. while the law requires the records to be kept; the reason goes to the owner."""
    if not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Công Thương mới xử lý yêu cầu xoá dữ liệu."))
    if request.status != DataDeletionRequest.Status.PENDING:
        raise DomainError(_("Yêu cầu này đã được xử lý."), code="deletion_handled")
    request.status = DataDeletionRequest.Status.REJECTED
    request.handled_by = user
    request.handled_at = timezone.now()
    request.save()
    return request
