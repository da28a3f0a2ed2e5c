"""A producer's personal data: the download and the erasure on request (Law 91/2025/QH15 on personal
data, Decree 356/2025/NĐ-CP).

Every app exports and erases its own part (`common.privacy`, registered in each AppConfig.ready);
this module keeps the requests, says whose data it is (the `Subject`) and handles the producers
app's own part: the producer's contact details, its members and invitations, the requests' reasons.
Product photos stay: they show products, not people, and their metadata is stripped on upload; only
the name the file had on the uploader's device goes.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import privacy
from common.exceptions import DomainError, PermissionDenied

from .models import DataDeletionRequest, Invitation, Membership, Producer, ProductPhoto
from .selectors import is_officer, is_owner
from .text import name_key

PRODUCER_FIELDS = ["id", "kind", "name", "tax_code", "representative", "phone", "email", "address",
                   ("commune", lambda p: p.commune.name if p.commune_id else ""), "old_district", "status",
                   "created_at"]
PRODUCT_FIELDS = ["id", "name", ("group", lambda p: p.group.name), "subgroup", "stars", "certificate_number",
                  "certificate_date", "certificate_expiry", "unit", "price", "weight_grams", "gtin", "description",
                  "created_at"]
# What the audit log may hold about a producer that identifies a person.
PRODUCER_PERSONAL_FIELDS = ("representative", "phone", "email", "address", "status_note")
HOUSEHOLD_IDENTITY_FIELDS = ("name",)


class ProducerData(privacy.PersonalData):
    identifier = "producers"

    def export(self):
        producer = self.producer
        products = producer.products.select_related("group").prefetch_related("photos")
        return {
            "producer": privacy.rows([producer], PRODUCER_FIELDS)[0],
            "members": [
                {"username": m.user.username, "role": m.role, "since": privacy.plain(m.created_at)}
                for m in producer.memberships.select_related("user").order_by("created_at")
            ],
            "invitations": privacy.rows(producer.invitations.all(),
                                        ["email", "role", "created_at", "expires_at", "accepted_at"]),
            "products": privacy.rows(products, PRODUCT_FIELDS),
            "photos": [photo.image.name for product in products for photo in product.photos.all()],
            "deletion_requests": privacy.rows(producer.deletion_requests.all(),
                                              ["created_at", "status", "reason", "handled_at"]),
        }

    def erase(self):
        producer = self.producer
        changes = {
            "representative": "", "phone": "", "email": "", "address": "",
            "status": Producer.Status.SUSPENDED, "status_changed_at": timezone.now(),
            "status_changed_by": self.subject.actor,
            "status_note": _("Dữ liệu cá nhân đã được xoá theo yêu cầu."),
        }
        personal = PRODUCER_PERSONAL_FIELDS
        if producer.kind == Producer.Kind.HOUSEHOLD:
            # A household business is a person: the name is usually theirs, the tax code their
            # citizen ID number. Its products and figures stay under a neutral name.
            name = _("Hộ kinh doanh đã xoá dữ liệu #%(id)s") % {"id": producer.pk}
            codes = [f.name for f in Producer._meta.concrete_fields if f.name.endswith("tax_code")]
            changes.update(name=name, name_key=name_key(name), **dict.fromkeys(codes, ""))
            personal = personal + HOUSEHOLD_IDENTITY_FIELDS + tuple(codes)
        Producer.objects.filter(pk=producer.pk).update(**changes)
        producer.refresh_from_db()
        privacy.scrub_audit_entries(Producer, [producer.pk], fields=personal, object_repr=producer.name)

        memberships = list(producer.memberships.values_list("pk", flat=True))
        Membership.objects.filter(pk__in=memberships).delete()
        privacy.scrub_audit_entries(Membership, memberships)
        Invitation.objects.filter(producer=producer).delete()
        ProductPhoto.objects.filter(product__producer=producer).update(original_name="")
        DataDeletionRequest.objects.filter(producer=producer).update(reason="")


def subject_for(producer, *, actor=None):
    """The producer, its members, and the people whose accounts close with it: members of no
    other producer (administrators' own accounts are never closed this way)."""
    members = [m.user for m in producer.memberships.select_related("user").order_by("created_at")]
    elsewhere = set(Membership.objects.filter(user__in=members).exclude(producer=producer)
                    .values_list("user_id", flat=True))
    people = [u for u in members if u.pk not in elsewhere and not (u.is_staff or u.is_superuser)]
    return privacy.Subject(producer=producer, members=members, people=people, actor=actor)


def producer_data_export(*, producer, user):
    if not (is_owner(user, producer) or is_officer(user)):
        raise PermissionDenied(_("Chỉ chủ sở hữu mới tải được dữ liệu của chủ thể."))
    return {"exported_at": timezone.now().isoformat(), **privacy.export_all(subject_for(producer))}


def deletion_request_create(*, producer, user, reason=""):
    if not is_owner(user, producer):
        raise PermissionDenied(_("Chỉ chủ sở hữu mới yêu cầu xoá dữ liệu được."))
    if producer.deletion_requests.filter(status=DataDeletionRequest.Status.PENDING).exists():
        raise DomainError(_("Đã có một yêu cầu xoá dữ liệu đang chờ xử lý."), code="deletion_pending")
    return DataDeletionRequest.objects.create(producer=producer, requested_by=user, reason=reason)


@transaction.atomic
def deletion_request_carry_out(*, request, user):
    """Erase what identifies people in every app and close their accounts, in one transaction;
    keep the figures the province reports. Stored files go once it has committed."""
    if not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Công Thương mới xử lý yêu cầu xoá dữ liệu."))
    request = DataDeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DataDeletionRequest.Status.PENDING:
        raise DomainError(_("Yêu cầu này đã được xử lý."), code="deletion_handled")
    producer = Producer.objects.select_for_update().get(pk=request.producer_id)
    privacy.erase_all(subject_for(producer, actor=user))
    request.status = DataDeletionRequest.Status.DONE
    request.handled_by = user
    request.handled_at = timezone.now()
    request.reason = ""
    request.save(update_fields=["status", "handled_by", "handled_at", "reason"])
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
