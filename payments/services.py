"""Writes for banks, bank accounts and payment codes. Views, the API and commands call these."""
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.exceptions import DomainError, PermissionDenied
from producers.selectors import can_edit_producer

from . import vietqr
from .models import Bank, BankAccount, PaymentCode, new_reference

BANKS_FILE = Path(__file__).resolve().parent / "data" / "banks.json"
REFERENCE_ATTEMPTS = 10


def banks_load(*, path=BANKS_FILE, update=False):
    """Loads the shipped NAPAS bank list. Existing banks are kept as an administrator left them
    unless `update`. Returns the number of banks created."""
    created = 0
    for row in json.loads(Path(path).read_text(encoding="utf-8")):
        vietqr.validate_bin(row["bin"])
        defaults = {"short_name": row["short_name"], "name": row["name"]}
        if update:
            _bank, was_created = Bank.objects.update_or_create(bin=row["bin"], defaults=defaults)
        else:
            _bank, was_created = Bank.objects.get_or_create(bin=row["bin"], defaults=defaults)
        created += was_created
    return created


def _require_editor(user, producer, *, system=False):
    """`system` is for management commands run by an operator on the server: no user to check."""
    if system and user is None:
        return
    if not can_edit_producer(user, producer):
        raise PermissionDenied(_("Bạn không có quyền quản lý thanh toán của chủ thể này."))


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(_("Dữ liệu không hợp lệ."), fields=exc.message_dict) from exc


@transaction.atomic
def bank_account_create(*, user, producer, bank, account_number, holder_name, is_card=False, is_default=None):
    """Adds an account; the first one becomes the default. Re-adding an archived account revives it."""
    _require_editor(user, producer)
    if not bank.is_active:
        raise DomainError(_("Ngân hàng này không còn nhận chuyển khoản."), fields={"bank": [_("Không hoạt động.")]})
    account = BankAccount(
        producer=producer, bank=bank, account_number=account_number, holder_name=holder_name, is_card=is_card
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
    has_default = BankAccount.objects.filter(producer=producer, is_active=True, is_default=True).exists()
    make_default = (not has_default) if is_default is None else bool(is_default)
    if make_default:
        BankAccount.objects.filter(producer=producer, is_default=True).update(is_default=False)
    account.is_default = make_default
    _full_clean(account, exclude=["producer", "bank"] if account.pk else None)
    account.save()
    return account


@transaction.atomic
def bank_account_set_default(*, user, account):
    _require_editor(user, account.producer)
    BankAccount.objects.filter(producer=account.producer, is_default=True).update(is_default=False)
    account.is_default = True
    account.save(update_fields=["is_default"])
    return account


@transaction.atomic
def bank_account_archive(*, user, account):
    """'Delete' in the portal: the account leaves the lists and new codes, but printed codes that
    point at it stay readable. The next active account becomes the default."""
    _require_editor(user, account.producer)
    was_default = account.is_default
    account.is_active = False
    account.is_default = False
    account.save(update_fields=["is_active", "is_default"])
    if was_default:
        successor = BankAccount.objects.filter(producer=account.producer, is_active=True).order_by("created_at").first()
        if successor:
            successor.is_default = True
            successor.save(update_fields=["is_default"])
    return account


def _default_account(producer):
    account = BankAccount.objects.filter(producer=producer, is_active=True).select_related("bank").order_by(
        "-is_default", "created_at"
    ).first()
    if account is None:
        raise DomainError(
            _("“%(producer)s” chưa có tài khoản ngân hàng để nhận tiền. Hãy thêm tài khoản trước.")
            % {"producer": producer.name},
            code="no_bank_account",
        )
    return account


def payment_code_create(*, user, product, amount=None, bank_account=None, system=False):
    """A new code with a fresh reference. `bank_account` defaults to the producer's default one."""
    _require_editor(user, product.producer, system=system)
    if bank_account is None:
        bank_account = _default_account(product.producer)
    elif bank_account.producer_id != product.producer_id or not bank_account.is_active:
        raise DomainError(
            _("Tài khoản nhận tiền phải là tài khoản đang dùng của chính chủ thể làm ra sản phẩm."),
            fields={"bank_account": [_("Không hợp lệ.")]},
        )
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
    Printing the same product again does not multiply codes."""
    _require_editor(user, product.producer, system=system)
    account = _default_account(product.producer)
    amount = vietqr.validate_amount(amount)
    existing = (
        PaymentCode.objects.filter(product=product, bank_account=account, amount=amount)
        .select_related("bank_account__bank", "product__producer")
        .order_by("-created_at", "-id")
        .first()
    )
    return existing or payment_code_create(
        user=user, product=product, amount=amount, bank_account=account, system=system
    )
