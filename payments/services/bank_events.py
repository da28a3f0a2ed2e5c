"""Bank notifications into sales: the receiving account (bank AND number), the reference code
in the transfer's content, and the producer's queue of transfers nothing matched."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError, PermissionDenied
from producers import authority

from ..banks.base import BANK_ALIASES, BankNotice, MalformedBody, bank_key, parse_json_object
from ..banks.registry import UnknownService, get_service
from ..matching import find_reference_codes
from ..models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction
from .bank_accounts import APPROVED
from .sales import COUNTED, MAX_SALE_QUANTITY, create_once


def _bank_notice(event):
    return get_service(event.provider).parse(parse_json_object(event.body.encode()))


def receiving_bank(notice):
    """The bank the service names (SePay's `gateway`, Casso's bank name or abbreviation), or None."""
    keys = {bank_key(name) for name in notice.bank_names} - {""}
    if not keys:
        return None
    aliased = {BANK_ALIASES[key] for key in keys if key in BANK_ALIASES}
    for bank in Bank.objects.all():
        short = bank_key(bank.short_name)
        names = {short, short + "bank", short.removesuffix("bank"), bank_key(bank.name), bank.bin}
        if keys & names or bank.bin in aliased:
            return bank
    return None


def receiving_account(notice):
    """The account the money came into: matched on bank AND number, never the number alone, and
    only among approved accounts. An active one (the database allows one per bank and number) wins;
    else an archived one, when a single producer held it (labels printed before keep counting)."""
    bank = receiving_bank(notice)
    if bank is None:
        return None
    accounts = list(BankAccount.objects.filter(
        bank=bank, account_number=notice.account_number, review_status=APPROVED,
    ).select_related("producer", "bank").order_by("-is_active", "-created_at"))
    if accounts and accounts[0].is_active:
        return accounts[0]
    if len({a.producer_id for a in accounts}) == 1:
        return accounts[0]
    return None


def _bank_dedup_key(notice):
    """(dedup_scope, external_id) of a bank sale. The bank's own reference is the same whichever
    service (SePay, Casso) reports the transfer, so with it a transfer counts once; without it, the
    service's own id."""
    external_id = f"ref:{notice.bank_reference}" if notice.bank_reference else f"{notice.provider}:{notice.external_id}"
    return f"bank:{notice.account_number}", external_id[:200]



def bank_event_process(event):
    """Sets a bank notification's state: matched (the sale recorded), duplicate, ignored, no match."""
    try:
        notice = _bank_notice(event)
    except MalformedBody as exc:
        event.state, event.error = InboundEvent.State.ERROR, f"malformed body: {exc}"
        return
    event.external_id, event.account_number = notice.external_id, notice.account_number
    event.amount, event.content, event.occurred_at = notice.amount, notice.content, notice.occurred_at
    account = receiving_account(notice)
    if account is not None:
        event.bank_account, event.producer = account, account.producer
    if not notice.incoming:
        event.state, event.note = InboundEvent.State.IGNORED, _("Không phải tiền vào tài khoản: không tính.")
        return
    scope, external_id = _bank_dedup_key(notice)
    earlier = Transaction.objects.filter(
        source=Transaction.Source.BANK_TRANSFER, dedup_scope=scope, external_id=external_id,
    ).first()
    if earlier is not None:
        event.state = InboundEvent.State.DUPLICATE
        event.note = _("Giao dịch này đã được ghi nhận trước đó (#%(id)s).") % {"id": earlier.pk}
        return
    if account is None:
        event.state = InboundEvent.State.NO_MATCH
        event.note = _("Không tìm thấy tài khoản nhận đã xác nhận khớp cả ngân hàng (%(bank)s) và số tài khoản "
                       "%(account)s.") % {"bank": ", ".join(notice.bank_names) or "?", "account": notice.account_number}
        return
    candidates = find_reference_codes(notice.content)
    if notice.provider_code:
        candidates = list(dict.fromkeys(find_reference_codes(notice.provider_code) + candidates))
    codes = {c.reference: c for c in PaymentCode.objects.filter(reference__in=candidates).select_related(
        "product__producer", "bank_account")}
    if not codes:
        event.state, event.note = InboundEvent.State.NO_MATCH, _("Không tìm thấy mã tham chiếu trong nội dung.")
        return
    reasons = []
    for reference in candidates:
        code = codes.get(reference)
        if code is None:
            continue
        if code.bank_account_id != account.pk:
            reasons.append(_("Mã %(code)s thuộc tài khoản khác, không phải tài khoản nhận %(account)s.")
                           % {"code": reference, "account": notice.account_number})
            continue
        if code.amount is not None and code.amount != notice.amount:
            reasons.append(_("Mã %(code)s yêu cầu %(expected)s đồng nhưng nhận %(got)s đồng.")
                           % {"code": reference, "expected": code.amount, "got": notice.amount})
            continue
        _record_bank_sale(event=event, notice=notice, code=code, product=code.product)
        return
    event.state, event.note = InboundEvent.State.NO_MATCH, " ".join(reasons)[:500]


def _bank_quantity(product, amount, code=None):
    if code is not None and not code.is_static:
        return 1
    return max(1, (amount + product.price // 2) // product.price) if product.price else 1  # half up


def _record_bank_sale(*, event, notice, product, code=None, quantity=None, user=None):
    scope, external_id = _bank_dedup_key(notice)
    tx, created = create_once(
        source=Transaction.Source.BANK_TRANSFER, dedup_scope=scope, external_id=external_id,
        product=product, producer=product.producer, payment_code=code, inbound_event=event,
        quantity=quantity or _bank_quantity(product, notice.amount, code), amount=notice.amount,
        occurred_at=notice.occurred_at or event.received_at, status=COUNTED, recorded_by=user,
        note=notice.content[:500],
    )
    event.producer = product.producer
    if created:
        event.state = InboundEvent.State.MATCHED
        event.note = _("Đã ghi nhận bán %(product)s.") % {"product": product.name}
    else:
        event.state = InboundEvent.State.DUPLICATE
        event.note = _("Giao dịch này đã được ghi nhận trước đó (#%(id)s).") % {"id": tx.pk}
    return tx


def _require_open_transfer(user, event):
    if not event.is_open:
        raise DomainError(_("Chuyển khoản này đã được xử lý."), code="already_resolved")
    if event.producer is None or not authority.can_record_sale(user, event.producer):
        raise PermissionDenied(_("Bạn không có quyền xử lý chuyển khoản này."))


@transaction.atomic
def unmatched_assign(*, user, event, product, quantity=None):
    """The producer says which product an unmatched transfer paid for: the sale is recorded."""
    event = InboundEvent.objects.select_for_update().get(pk=event.pk)
    _require_open_transfer(user, event)
    if product.producer_id != event.producer_id:
        raise DomainError(_("Sản phẩm phải của chính chủ thể nhận tiền."), fields={"product": [_("Không hợp lệ.")]})
    if quantity is not None and not (1 <= int(quantity) <= MAX_SALE_QUANTITY):
        raise DomainError(_("Số lượng không hợp lệ."), fields={"quantity": [_("Không hợp lệ.")]})
    if not event.amount or event.amount <= 0:
        raise DomainError(_("Chuyển khoản không có số tiền vào."))
    try:
        notice = _bank_notice(event)  # the bank's own reference keeps a transfer reported twice counted once
    except (MalformedBody, UnknownService):
        notice = BankNotice(
            provider=event.provider, external_id=event.external_id, account_number=event.account_number,
            amount=event.amount, incoming=True, content=event.content, occurred_at=event.occurred_at,
        )
    tx = _record_bank_sale(event=event, notice=notice, product=product, quantity=quantity, user=user)
    event.resolved_by, event.resolved_at = user, timezone.now()
    event.save()
    return tx


@transaction.atomic
def unmatched_dismiss(*, user, event, note=""):
    """Not a sale (a loan repaid, a gift...): leaves the queue, counts nowhere."""
    event = InboundEvent.objects.select_for_update().get(pk=event.pk)
    _require_open_transfer(user, event)
    event.state = InboundEvent.State.DISMISSED
    event.note = (note or _("Người bán đánh dấu không phải doanh thu."))[:500]
    event.resolved_by, event.resolved_at = user, timezone.now()
    event.save()
    return event

