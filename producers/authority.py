"""Who may move a producer's money or change who it is: the one place that decides (issue 12).

Every service, view and API path asks these rules; templates use them to hide what a user may not do.
- The payout (bank accounts: add, archive, make default; a code paid into a chosen account) and the
  producer's identity (name, tax code, kind, representative) are the OWNER's. Staff may not;
  officers may not either: they verify and confirm, they do not act as the producer.
- Members (owner or staff) print labels: a label's code always pays into the owner-chosen default
  account. Members record sales; officers do not record them for a producer.
- A self-reported sale is confirmed by an officer who did not record it and is not a member of its
  producer (four eyes); the same holds for the bank accounts in the officers' queue.
- Officers decide the bank accounts waiting in their queue (a number claimed twice, a holder name
  that does not fit the producer).
"""
from django.utils.translation import gettext as _

from common.exceptions import PermissionDenied

from .selectors import is_officer, is_owner, membership_of

IDENTITY_FIELDS = ("name", "tax_code", "kind", "representative")


def can_manage_payout(user, producer):
    return is_owner(user, producer)


def can_edit_identity(user, producer):
    return is_owner(user, producer)


def can_print_labels(user, producer):
    return membership_of(user, producer) is not None


def can_record_sale(user, producer):
    return membership_of(user, producer) is not None


def can_review_bank_accounts(user):
    return is_officer(user)


def can_review_bank_account(user, account):
    """Four eyes: an officer who added the account, or is a member of its producer, does not decide it."""
    return (is_officer(user) and account.created_by_id != user.pk
            and membership_of(user, account.producer) is None)


def can_confirm_sale(user, sale):
    return (is_officer(user) and sale.recorded_by_id != user.pk
            and membership_of(user, sale.producer) is None)


def can_verify_producer(user, producer):
    """An officer does not verify, suspend or reinstate a producer they are a member of."""
    return is_officer(user) and membership_of(user, producer) is None


def require_producer_verifier(user, producer):
    if not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Công Thương mới được xác minh chủ thể."))
    if not can_verify_producer(user, producer):
        raise PermissionDenied(
            _("Cán bộ là thành viên của chủ thể không được tự xác minh chủ thể đó: cần một cán bộ khác."),
            code="four_eyes",
        )


def require_payout_owner(user, producer):
    if not can_manage_payout(user, producer):
        raise PermissionDenied(
            _("Chỉ chủ sở hữu của chủ thể mới được thay đổi tài khoản nhận tiền."), code="owner_only"
        )


def require_identity_owner(user, producer, fields=IDENTITY_FIELDS):
    changed = [name for name in fields if name in IDENTITY_FIELDS]
    if changed and not can_edit_identity(user, producer):
        raise PermissionDenied(
            _("Chỉ chủ sở hữu mới được sửa tên, mã số thuế, loại hình và người đại diện của chủ thể."),
            code="owner_only", fields={name: [_("Chỉ chủ sở hữu được sửa.")] for name in changed},
        )


def require_label_printer(user, producer):
    if not can_print_labels(user, producer):
        raise PermissionDenied(_("Chỉ thành viên của chủ thể mới in được mã QR thanh toán."))


def require_sale_recorder(user, producer):
    if not can_record_sale(user, producer):
        raise PermissionDenied(_("Chỉ thành viên của chủ thể mới ghi nhận được doanh số của chủ thể."))


def require_bank_account_reviewer(user, account=None):
    if not can_review_bank_accounts(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở mới xác nhận được tài khoản ngân hàng."))
    if account is not None and not can_review_bank_account(user, account):
        raise PermissionDenied(
            _("Cán bộ đã thêm tài khoản này hoặc là thành viên của chủ thể không được tự quyết định: cần một "
              "cán bộ khác."), code="four_eyes",
        )


def require_sale_confirmer(user, sale):
    if not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở mới xác nhận được doanh số tự khai báo."))
    if sale.recorded_by_id == user.pk:
        raise PermissionDenied(
            _("Người ghi nhận doanh số không được tự xác nhận: cần một cán bộ khác."), code="four_eyes"
        )
    if membership_of(user, sale.producer) is not None:
        raise PermissionDenied(
            _("Cán bộ là thành viên của chủ thể không được xác nhận doanh số của chủ thể đó: cần một cán bộ khác."),
            code="four_eyes",
        )
