"""Writes for producers, members and products. Views and the API call these, never the ORM directly."""
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import username_available
from common.exceptions import DomainError, PermissionDenied
from common.phones import normalize_phone

from . import authority
from .models import MAX_PHOTOS_PER_PRODUCT, Invitation, Membership, OcopProduct, Producer, ProductPhoto
from .photos import file_too_large, normalise_photo
from .selectors import can_edit_producer, is_owner
from .text import name_key

User = get_user_model()


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(_("Dữ liệu không hợp lệ."), fields=exc.message_dict) from exc


def user_create(*, username, email, password, full_name="", phone=""):
    """A new login. The password passes AUTH_PASSWORD_VALIDATORS here too, whoever calls; a refused
    username gets the sign-up page's one neutral answer."""
    if not username_available(username):
        raise DomainError(_("Không dùng được tên đăng nhập này. Hãy chọn tên khác, ví dụ thêm tên xã hoặc năm sinh."),
                          fields={"username": [_("Không dùng được tên đăng nhập này.")]})
    user = User(username=username, email=email, full_name=full_name, phone=normalize_phone(phone) if phone else "")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_("Mật khẩu chưa đủ an toàn."), code="weak_password",
                          fields={"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def producer_sign_up(*, username, email, password, full_name, phone, producer_data):
    """A cooperative registers: one user, one producer (pending verification), one owner membership.

    A tax code another producer already holds is not refused (that would tell a stranger it exists):
    it is kept as the applicant's claim, shown to the officers in the verification queue, and becomes
    the producer's tax code only at verification, once nobody else holds it."""
    user = user_create(username=username, email=email, password=password, full_name=full_name, phone=phone)
    producer = producer_create(user=user, **_tax_code_claim(Producer(), producer_data))
    return user, producer


def _tax_code_claim(producer, fields):
    """A producer not yet verified that types a tax code another producer holds is not told so: the code
    is kept as its claim (Producer.claimed_tax_code) for the officers. Any other tax code ends a claim."""
    if "tax_code" not in fields or producer.status != Producer.Status.PENDING:
        return fields
    tax_code = fields["tax_code"] or ""
    held = tax_code and Producer.objects.filter(tax_code=tax_code).exclude(pk=producer.pk).exists()
    return {**fields, "tax_code": "" if held else tax_code, "claimed_tax_code": tax_code if held else ""}


@transaction.atomic
def producer_create(*, user, **fields):
    if fields.get("phone"):
        fields["phone"] = normalize_phone(fields["phone"])
    producer = Producer(**fields)
    _full_clean(producer)
    producer.save()
    Membership.objects.create(user=user, producer=producer, role=Membership.Role.OWNER)
    return producer


def producer_update(*, producer, user, **fields):
    """Members and officers keep the contact details current; who the producer is (name, tax code,
    kind, representative) is changed by its owners only (producers.authority)."""
    if not can_edit_producer(user, producer):
        raise PermissionDenied(_("Bạn không có quyền sửa chủ thể này."))
    if "phone" in fields and fields["phone"]:
        fields["phone"] = normalize_phone(fields["phone"])
    fields.pop("status", None)  # only producer_set_status changes it
    current = {name: getattr(producer, name) for name in authority.IDENTITY_FIELDS}
    authority.require_identity_owner(
        user, producer, [name for name, value in current.items() if fields.get(name, value) != value])
    fields = _tax_code_claim(producer, fields)
    for key, value in fields.items():
        setattr(producer, key, value)
    _full_clean(producer)
    producer.save()
    return producer


def producer_set_status(*, producer, user, status, note=""):
    authority.require_producer_verifier(user, producer)
    producer.set_status(status, by=user, note=note)
    return producer


def invitation_create(*, producer, user, email, role=Membership.Role.STAFF):
    if not is_owner(user, producer):
        raise PermissionDenied(_("Chỉ chủ sở hữu mới mời được thành viên."))
    if Membership.objects.filter(producer=producer, user__email__iexact=email).exists():
        raise DomainError(_("Người này đã là thành viên."), fields={"email": [_("Đã là thành viên.")]})
    return Invitation.objects.create(producer=producer, email=email, role=role, invited_by=user)


def invitation_send(*, invitation, link):
    """Email the link (the console in development); the owner also sees it to pass on by Zalo or SMS."""
    send_mail(
        subject=_("Lời mời tham gia %(name)s trên OCOP Market") % {"name": invitation.producer.name},
        message=_("%(who)s mời bạn làm thành viên của %(name)s. Mở đường dẫn sau trong 7 ngày: %(link)s")
        % {"who": invitation.invited_by, "name": invitation.producer.name, "link": link},
        from_email=None, recipient_list=[invitation.email], fail_silently=True,
    )


@transaction.atomic
def invitation_accept(*, token, user):
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise DomainError(_("Lời mời không tồn tại hoặc đã hết hạn."), code="invitation_closed")
    Membership.objects.get_or_create(user=user, producer=invitation.producer, defaults={"role": invitation.role})
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation.producer


def membership_remove(*, membership, user):
    if not is_owner(user, membership.producer):
        raise PermissionDenied(_("Chỉ chủ sở hữu mới xoá được thành viên."))
    if membership.role == Membership.Role.OWNER and not membership.producer.memberships.filter(
        role=Membership.Role.OWNER
    ).exclude(pk=membership.pk).exists():
        raise DomainError(_("Không thể xoá chủ sở hữu duy nhất."), code="last_owner")
    membership.delete()


PRODUCT_FIELDS = (
    "name", "group", "subgroup", "stars", "certificate_number", "certificate_date",
    "certificate_expiry", "unit", "price", "weight_grams", "gtin", "description",
)


def product_create(*, producer, user, **fields):
    if not can_edit_producer(user, producer):
        raise PermissionDenied(_("Bạn không có quyền thêm sản phẩm cho chủ thể này."))
    product = OcopProduct(producer=producer, **{k: v for k, v in fields.items() if k in PRODUCT_FIELDS})
    product.name_key = ""
    _product_clean(product)
    product.save()
    return product


def product_update(*, product, user, **fields):
    if not can_edit_producer(user, product.producer):
        raise PermissionDenied(_("Bạn không có quyền sửa sản phẩm này."))
    for key, value in fields.items():
        if key in PRODUCT_FIELDS:
            setattr(product, key, value)
    if "certificate_date" in fields and "certificate_expiry" not in fields:
        product.certificate_expiry = None  # recompute from the new decision date
    _product_clean(product)
    product.save()
    return product


def _product_clean(product):
    product.name_key = name_key(product.name)
    _full_clean(product, exclude=["name_key"])
    duplicate = OcopProduct.objects.filter(producer=product.producer, name_key=product.name_key)
    if product.pk:
        duplicate = duplicate.exclude(pk=product.pk)
    if duplicate.exists():
        raise DomainError(
            _("Chủ thể đã có sản phẩm cùng tên."), code="duplicate_product",
            fields={"name": [_("Đã có sản phẩm cùng tên.")]},
        )


def product_delete(*, product, user):
    if not can_edit_producer(user, product.producer):
        raise PermissionDenied(_("Bạn không có quyền xoá sản phẩm này."))
    if hasattr(product, "transactions") and product.transactions.exists():
        raise DomainError(
            _("Sản phẩm đã có giao dịch nên không thể xoá: số liệu bán hàng phải được giữ cho báo cáo."),
            code="product_has_sales",
        )
    for photo in product.photos.all():
        photo_delete(photo=photo, user=user)
    product.delete()


def photo_add(*, product, user, upload):
    """Validate and normalise first; only a photo that passed every check touches storage."""
    if not can_edit_producer(user, product.producer):
        raise PermissionDenied(_("Bạn không có quyền thêm ảnh cho sản phẩm này."))
    if product.photos.count() >= MAX_PHOTOS_PER_PRODUCT:
        raise DomainError(_("Mỗi sản phẩm có tối đa 9 ảnh."), code="too_many_photos")
    size = getattr(upload, "size", None)
    if size is not None and size > settings.PHOTO_MAX_BYTES:
        raise file_too_large(size)
    data = upload.read(settings.PHOTO_MAX_BYTES + 1)
    normalised = normalise_photo(data)
    stem = uuid.uuid4().hex[:12]
    photo = ProductPhoto(
        product=product,
        position=(product.photos.order_by("-position").values_list("position", flat=True).first() or 0) + 1,
        original_name=str(getattr(upload, "name", ""))[:255],
        width=normalised.width,
        height=normalised.height,
    )
    photo.image.save(f"{stem}.jpg", ContentFile(normalised.image), save=False)
    photo.square.save(f"{stem}-square.jpg", ContentFile(normalised.square), save=False)
    try:
        photo.save()
    except Exception:
        photo.image.delete(save=False)
        photo.square.delete(save=False)
        raise
    return photo


def photo_delete(*, photo, user):
    if not can_edit_producer(user, photo.product.producer):
        raise PermissionDenied(_("Bạn không có quyền xoá ảnh này."))
    photo.image.delete(save=False)
    photo.square.delete(save=False)
    photo.delete()
