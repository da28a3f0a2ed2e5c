"""Bank accounts: the owner's; a second claim on a number, or a holder that does not fit, waits
for an officer. Every change to where the money goes is mailed to the owners."""
import re
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, override

from common.exceptions import DomainError
from producers import authority

from ..models import BankAccount, normalise_holder_name


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(_("Dữ liệu không hợp lệ."), fields=exc.message_dict) from exc



APPROVED, PENDING, REJECTED = BankAccount.Review.APPROVED, BankAccount.Review.PENDING, BankAccount.Review.REJECTED


@contextmanager
def _as_actor(user):
    """The audit log names who changed a payout even where the request middleware could not (an API
    token is read after it runs). An actor already set is kept, and so is the request's context."""
    from auditlog.context import auditlog_value, set_actor

    current = auditlog_value.get(None)
    if user is None or not user.is_authenticated or (current or {}).get("actor") is not None:
        yield
        return
    try:
        with set_actor(user, remote_addr=(current or {}).get("remote_addr")):
            yield
    finally:
        if current is not None:
            auditlog_value.set(current)


def _holder_key(text):
    return " ".join(re.sub(r"[^A-Z0-9]", " ", normalise_holder_name(text or "")).split())


def holder_fits(producer, holder_name):
    """VietQR shows the holder as the bank stores it: upper case, no diacritics. It must be the
    producer's representative or the producer's own name."""
    names = {_holder_key(producer.representative), _holder_key(producer.name)} - {""}
    return _holder_key(holder_name) in names


def _number_holder(account):
    """Another producer's active, approved account with the same bank and number, if any."""
    return (BankAccount.objects.filter(bank_id=account.bank_id, account_number=account.account_number,
                                       is_active=True, review_status=APPROVED)
            .exclude(producer_id=account.producer_id).select_related("producer").first())


def _held_before_by_another(account):
    """Another producer's approved account with this bank and number, archived: its printed labels
    still count for it (receiving_account), so a newcomer's claim waits for an officer too."""
    return (BankAccount.objects.filter(bank_id=account.bank_id, account_number=account.account_number,
                                       is_active=False, review_status=APPROVED)
            .exclude(producer_id=account.producer_id).exists())


# Stored as the Vietnamese msgid and translated where it is shown (the reader's language, not the
# language of whoever saved the account).
REASON_HELD_BY_ANOTHER = gettext_noop("Số tài khoản này đã thuộc một chủ thể khác; cán bộ Sở cần xác nhận trước khi dùng.")
REASON_HOLDER_UNFIT = gettext_noop("Tên chủ tài khoản không khớp với tên chủ thể hay người đại diện; cán bộ Sở "
                                   "cần xác nhận trước khi dùng.")


def _review_reason(account):
    if _number_holder(account) is not None or _held_before_by_another(account):
        return REASON_HELD_BY_ANOTHER
    if not holder_fits(account.producer, account.holder_name):
        return REASON_HOLDER_UNFIT
    return ""


def _has_usable_default(producer, exclude=None):
    defaults = BankAccount.objects.filter(producer=producer, is_active=True, is_default=True, review_status=APPROVED)
    if exclude is not None:
        defaults = defaults.exclude(pk=exclude.pk)
    return defaults.exists()


def _save_account(account, *, make_default, user):
    """Saves in a savepoint; a second active approved holder of the number is refused by the database
    (bank_account_one_holder_per_number), so two claims racing cannot both be accepted."""
    with transaction.atomic(), _as_actor(user):
        if make_default:
            for other in BankAccount.objects.filter(producer=account.producer, is_default=True).exclude(pk=account.pk):
                other.is_default = False
                other.save(update_fields=["is_default"])
        account.is_default = make_default
        account.save()


@transaction.atomic
def bank_account_create(*, user, producer, bank, account_number, holder_name, is_card=False, is_default=None):
    """The owner adds an account. It is usable at once when nobody else holds the number and the
    holder fits the producer; otherwise it waits for an officer. The first usable one becomes the
    default. Re-adding an archived account revives it (and checks it again)."""
    authority.require_payout_owner(user, producer)
    if not bank.is_active:
        raise DomainError(_("Ngân hàng này không còn nhận chuyển khoản."), fields={"bank": [_("Không hoạt động.")]})
    account = BankAccount(
        producer=producer, bank=bank, account_number=account_number, holder_name=holder_name, is_card=is_card,
        created_by=user,
    )
    try:
        account.clean()  # normalises before the duplicate check
    except ValidationError as exc:
        raise DomainError(_("Dữ liệu không hợp lệ."), fields=exc.message_dict) from exc
    existing = BankAccount.objects.filter(
        producer=producer, bank=bank, account_number=account.account_number
    ).first()
    if existing and existing.is_active:
        raise DomainError(
            _("Tài khoản này đã có trong danh sách."), fields={"account_number": [_("Đã tồn tại.")]}
        )
    if existing:
        existing.is_active, existing.holder_name, existing.is_card = True, account.holder_name, is_card
        account = existing
    account.review_reason = _review_reason(account)
    account.review_status = PENDING if account.review_reason else APPROVED
    account.review_note, account.reviewed_by, account.reviewed_at = "", None, None
    usable = account.review_status == APPROVED
    has_default = _has_usable_default(producer, exclude=account)
    make_default = usable and ((not has_default) if is_default is None else bool(is_default))
    _full_clean(account, exclude=["producer", "bank"] if account.pk else None)
    is_new = account.pk is None
    try:
        _save_account(account, make_default=make_default, user=user)
    except IntegrityError:
        if _number_holder(account) is None:
            raise
        if is_new:
            account.pk, account._state.adding = None, True
        account.review_status = PENDING
        account.review_reason = REASON_HELD_BY_ANOTHER
        _save_account(account, make_default=False, user=user)
    _payout_changed(account, user=user, action=gettext_lazy("thêm") if usable and account.review_status == APPROVED
                    else gettext_lazy("thêm (chờ cán bộ Sở xác nhận)"))
    return account


@transaction.atomic
def bank_account_set_default(*, user, account):
    authority.require_payout_owner(user, account.producer)
    account = BankAccount.objects.select_for_update().select_related("producer", "bank").get(pk=account.pk)
    if not account.is_usable:
        raise DomainError(_("Chỉ tài khoản đang dùng và đã được xác nhận mới đặt làm mặc định được."),
                          code="account_not_usable")
    if not account.is_default:
        _save_account(account, make_default=True, user=user)
        _payout_changed(account, user=user, action=gettext_lazy("đặt làm tài khoản mặc định"))
    return account


@transaction.atomic
def bank_account_archive(*, user, account):
    """'Delete' in the portal: the account leaves the lists and new codes, but printed codes that
    point at it stay readable. The next usable account becomes the default."""
    authority.require_payout_owner(user, account.producer)
    account = BankAccount.objects.select_for_update().select_related("producer", "bank").get(pk=account.pk)
    was_default = account.is_default
    account.is_active = False
    account.is_default = False
    with _as_actor(user):
        account.save(update_fields=["is_active", "is_default"])
        if was_default:
            successor = BankAccount.objects.filter(
                producer=account.producer, is_active=True, review_status=APPROVED,
            ).order_by("created_at").first()
            if successor:
                successor.is_default = True
                successor.save(update_fields=["is_default"])
    _payout_changed(account, user=user, action=gettext_lazy("xoá"))
    return account


@transaction.atomic
def bank_account_approve(*, user, account, note=""):
    """An officer accepts an account from the queue: it becomes usable (and the default if its
    producer has none). A number another producer holds cannot be approved a second time."""
    account = BankAccount.objects.select_for_update().select_related("producer", "bank").get(pk=account.pk)
    authority.require_bank_account_reviewer(user, account)
    if not account.is_pending:
        raise DomainError(_("Tài khoản này không chờ xác nhận."), code="not_pending")
    holder = _number_holder(account)
    if holder is not None:
        raise DomainError(
            _("Số tài khoản này đang là tài khoản nhận tiền của “%(producer)s”: không thể xác nhận cho chủ thể "
              "thứ hai.") % {"producer": holder.producer.name}, code="number_taken",
        )
    account.review_status, account.review_note = APPROVED, (note or "")[:300]
    account.reviewed_by, account.reviewed_at = user, timezone.now()
    try:
        _save_account(account, make_default=not _has_usable_default(account.producer, exclude=account), user=user)
    except IntegrityError as exc:
        raise DomainError(_("Số tài khoản này vừa được xác nhận cho chủ thể khác."), code="number_taken") from exc
    _payout_changed(account, user=user, action=gettext_lazy("xác nhận (cán bộ Sở)"))
    return account


@transaction.atomic
def bank_account_reject(*, user, account, reason=""):
    account = BankAccount.objects.select_for_update().select_related("producer", "bank").get(pk=account.pk)
    authority.require_bank_account_reviewer(user, account)
    if not account.is_pending:
        raise DomainError(_("Tài khoản này không chờ xác nhận."), code="not_pending")
    account.review_status, account.review_note = REJECTED, (reason or "")[:300]
    account.reviewed_by, account.reviewed_at = user, timezone.now()
    _save_account(account, make_default=False, user=user)
    _payout_changed(account, user=user, action=gettext_lazy("từ chối (cán bộ Sở)"))
    return account


def _person(user):
    if user is None:
        return _("hệ thống")
    name = getattr(user, "full_name", "") or user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


def _payout_changed(account, *, user, action):
    """Every owner with an e-mail is told, after commit, of each change to where the money goes, in
    the site's language (the owners', not the language of whoever made the change)."""
    with override(settings.LANGUAGE_CODE):
        _payout_changed_mail(account, user=user, action=str(action))


def _payout_changed_mail(account, *, user, action):
    from producers.models import Membership

    producer = account.producer
    recipients = sorted({email for email in Membership.objects.filter(
        producer=producer, role=Membership.Role.OWNER).values_list("user__email", flat=True) if email})
    if not recipients:
        return
    default = BankAccount.objects.filter(producer=producer, is_active=True, is_default=True,
                                         review_status=APPROVED).select_related("bank").first()
    values = {
        "who": _person(user), "action": action, "bank": account.bank.short_name, "number": account.masked_number,
        "holder": account.holder_name, "producer": producer.name,
        "when": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        "default": f"{default.bank.short_name} {default.masked_number}" if default else _("chưa có"),
    }
    subject = _("OCOP Market: tài khoản nhận tiền của %(producer)s vừa thay đổi") % values
    body = _(
        "%(who)s đã %(action)s tài khoản %(bank)s %(number)s (chủ tài khoản %(holder)s) của %(producer)s "
        "lúc %(when)s.\n\nTài khoản mặc định hiện nay: %(default)s.\n\nNếu bạn không biết về thay đổi này, "
        "hãy đăng nhập OCOP Market và kiểm tra trang Tài khoản ngân hàng ngay."
    ) % values
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None,
                                            recipient_list=recipients, fail_silently=True))
