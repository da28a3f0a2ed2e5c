"""Payment codes: the reference a VietQR label carries and the account the money goes to."""
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from producers import authority

from .. import vietqr
from ..models import BankAccount, PaymentCode, new_reference
from .bank_accounts import APPROVED

REFERENCE_ATTEMPTS = 10


def _default_account(producer):
    account = BankAccount.objects.filter(
        producer=producer, is_active=True, review_status=APPROVED,
    ).select_related("bank").order_by("-is_default", "created_at").first()
    if account is None:
        raise DomainError(
            _("“%(producer)s” chưa có tài khoản ngân hàng để nhận tiền. Hãy thêm tài khoản trước.")
            % {"producer": producer.name},
            code="no_bank_account",
        )
    return account


def payment_code_create(*, user, product, amount=None, bank_account=None, system=False):
    """A new code with a fresh reference. `bank_account` defaults to the producer's default one;
    choosing another account is the owner's (it decides where the money goes)."""
    if not (system and user is None):
        if bank_account is None:
            authority.require_label_printer(user, product.producer)
        else:
            authority.require_payout_owner(user, product.producer)
    if bank_account is None:
        bank_account = _default_account(product.producer)
    elif bank_account.producer_id != product.producer_id or not bank_account.is_usable:
        raise DomainError(
            _("Tài khoản nhận tiền phải là tài khoản đang dùng, đã được xác nhận, của chính chủ thể làm ra sản phẩm."),
            fields={"bank_account": [_("Không hợp lệ.")]},
        )
    return _code_create(user=user, product=product, amount=amount, bank_account=bank_account)


def _code_create(*, user, product, amount, bank_account):
    amount = vietqr.validate_amount(amount)
    code = PaymentCode(product=product, bank_account=bank_account, amount=amount, created_by=user)
    code.payload  # noqa: B018 - validates every field against the VietQR limits before saving
    for _attempt in range(REFERENCE_ATTEMPTS):
        code.reference = new_reference()
        try:
            with transaction.atomic():
                code.save()
            return code
        except IntegrityError:
            if not PaymentCode.objects.filter(reference=code.reference).exists():
                raise
            code.pk = None
    raise DomainError(_("Không tạo được mã tham chiếu mới, hãy thử lại."))  # pragma: no cover


def payment_code_for_product(*, user, product, amount=None, system=False):
    """The code a label prints: the latest one for this product, default account and amount, or a new one.
    Printing the same product again does not multiply codes. Members print; the account is always
    the owner-chosen default."""
    if not (system and user is None):
        authority.require_label_printer(user, product.producer)
    account = _default_account(product.producer)
    amount = vietqr.validate_amount(amount)
    existing = (
        PaymentCode.objects.filter(product=product, bank_account=account, amount=amount)
        .select_related("bank_account__bank", "product__producer")
        .order_by("-created_at", "-id")
        .first()
    )
    return existing or _code_create(user=user, product=product, amount=amount, bank_account=account)
