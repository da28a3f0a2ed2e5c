"""Sales: transactions from every source, and the sales a cooperative records itself.

Transactions are written only with instance .save()/.create() (never queryset.update() or
bulk_create): the dashboard keeps summary tables from post_save/post_delete signals."""
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError, PermissionDenied
from producers import authority
from producers.selectors import is_officer

from ..evidence import sanitised as evidence_file
from ..models import Transaction

MAX_SALE_AMOUNT = 10**13
MAX_SALE_QUANTITY = 1_000_000
COUNTED = Transaction.Status.COMPLETED
ORDER_STATUSES = set(Transaction.Status.values)


def create_once(*, source, dedup_scope, external_id, **values):
    """Creates the transaction unless its (source, scope, external id) exists; returns (tx, created).
    The unique constraint decides under concurrency: the loser of a race reads the winner's row."""
    key = {"source": source, "dedup_scope": dedup_scope, "external_id": external_id}
    existing = Transaction.objects.filter(**key).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return Transaction.objects.create(**key, **values), True
    except IntegrityError:
        existing = Transaction.objects.filter(**key).first()
        if existing is None:
            raise
        return existing, False


def set_status(tx, status):
    """Cancellations and refunds of an order already recorded: the one write is a save()."""
    if tx.status == status:
        return False
    tx.status = status
    tx.save(update_fields=["status", "updated_at"])
    return True



# --- Manual sales -------------------------------------------------------------------------------

def _check_sale_numbers(quantity, amount):
    errors = {}
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_SALE_QUANTITY:
        errors["quantity"] = [_("Số lượng phải từ 1 trở lên.")]
    if not isinstance(amount, int) or not 0 <= amount <= MAX_SALE_AMOUNT:
        errors["amount"] = [_("Số tiền không hợp lệ.")]
    if errors:
        raise DomainError(_("Dữ liệu không hợp lệ."), fields=errors)


def manual_sale_create(*, user, product, quantity, amount, occurred_at, evidence=None, note=""):
    """A sale the cooperative records itself; "tự khai báo" until an officer confirms it."""
    authority.require_sale_recorder(user, product.producer)
    _check_sale_numbers(quantity, amount)
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("Ngày bán không được ở tương lai."), fields={"occurred_at": [_("Không hợp lệ.")]})
    content = None
    if evidence is not None:
        content = evidence_file(evidence)
    with transaction.atomic():
        tx = Transaction(
            product=product, producer=product.producer, source=Transaction.Source.MANUAL, dedup_scope="manual",
            external_id=uuid.uuid4().hex, quantity=quantity, amount=amount, occurred_at=occurred_at,
            status=COUNTED, recorded_by=user, note=(note or "")[:500],
        )
        if content is not None:
            tx.evidence.save(content.name, content, save=False)
        tx.save()
    return tx


def _require_officer(user):
    if not is_officer(user):
        raise PermissionDenied(_("Chỉ cán bộ Sở mới xác nhận được doanh số tự khai báo."))


def _require_unreviewed_manual(tx):
    if tx.source != Transaction.Source.MANUAL or not tx.is_self_reported:
        raise DomainError(_("Giao dịch này không chờ xác nhận."), code="not_pending")


@transaction.atomic
def manual_sale_confirm(*, user, transaction_obj):
    """Four eyes: an officer confirms, and never the person who recorded the sale."""
    _require_officer(user)
    tx = Transaction.objects.select_for_update().get(pk=transaction_obj.pk)
    authority.require_sale_confirmer(user, tx)
    _require_unreviewed_manual(tx)
    tx.confirmed_by, tx.confirmed_at = user, timezone.now()
    tx.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return tx


@transaction.atomic
def manual_sale_reject(*, user, transaction_obj, reason=""):
    """A rejected self-reported sale stops counting (status cancelled) and keeps the reason."""
    _require_officer(user)
    tx = Transaction.objects.select_for_update().get(pk=transaction_obj.pk)
    _require_unreviewed_manual(tx)
    tx.rejected_by, tx.rejected_at = user, timezone.now()
    tx.status = Transaction.Status.CANCELLED
    if reason:
        tx.note = (_("Cán bộ từ chối: %(reason)s") % {"reason": reason})[:500]
    tx.save(update_fields=["rejected_by", "rejected_at", "status", "note", "updated_at"])
    return tx

