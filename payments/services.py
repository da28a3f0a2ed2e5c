"""Writes for banks, bank accounts, payment codes, inbound events and sales (transactions).
Views, the API, tasks and commands call these."""
import io
import json
import logging
import re
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from common.exceptions import INFRASTRUCTURE_ERRORS, DomainError, PermissionDenied
from producers.selectors import can_edit_producer, is_officer

from . import banknotify, vietqr
from .matching import find_reference_codes
from .models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction, new_reference

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


# --- Sales: transactions from every source ------------------------------------------------------
#
# Transactions are written only with instance .save()/.create() (never queryset.update() or
# bulk_create): the dashboard keeps summary tables from post_save/post_delete signals.

logger = logging.getLogger(__name__)

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_SALE_AMOUNT = 10**13
MAX_SALE_QUANTITY = 1_000_000
COUNTED = Transaction.Status.COMPLETED
ORDER_STATUSES = set(Transaction.Status.values)


def _create_once(*, source, dedup_scope, external_id, **values):
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


def _set_status(tx, status):
    """Cancellations and refunds of an order already recorded: the one write is a save()."""
    if tx.status == status:
        return False
    tx.status = status
    tx.save(update_fields=["status", "updated_at"])
    return True


# --- Inbound events -----------------------------------------------------------------------------

def inbound_event_receive(*, provider, body, headers, dedup_key="", signature_valid=True):
    """Stores a verified webhook body and asks for its processing after commit. Returns
    (event, is_new). A second delivery of the same provider id is stored as `duplicate` and not
    processed again. Callers store only verified bodies (forgeries are refused before this).

    Outside a transaction the event is one autocommitted INSERT (durable when this returns: no
    BEGIN, savepoint or COMMIT round trips on the webhook's hot path); inside one, a savepoint keeps
    a duplicate from spoiling the caller's transaction."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    values = {"provider": provider, "body": text, "headers": headers, "signature_valid": signature_valid}
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                event = InboundEvent.objects.create(dedup_key=(dedup_key or "")[:120], **values)
        else:
            event = InboundEvent.objects.create(dedup_key=(dedup_key or "")[:120], **values)
    except IntegrityError:
        original = InboundEvent.objects.filter(provider=provider, dedup_key=dedup_key).first()
        if original is None:
            raise
        event = InboundEvent.objects.create(
            duplicate_of=original, state=InboundEvent.State.DUPLICATE, processed_at=timezone.now(),
            producer=original.producer, note=_("Nhận lại sự kiện #%(id)s.") % {"id": original.pk}, **values,
        )
        return event, False
    # robust: the provider gets its answer even if the broker (or, eagerly, the task) fails;
    # an event left `received` is picked up again by the next drain or by inbound_events_sweep.
    transaction.on_commit(lambda: inbound_events_process_soon(event.pk), robust=True)
    return event, True


DRAIN_QUEUED_KEY = "payments:inbound-drain-queued"
DRAIN_QUEUED_TTL = 30  # seconds: a flag whose drain was lost blocks new drains no longer than this
DRAIN_BATCH = 200
DRAIN_LIMIT = 5000


def _cache_is_shared():
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def inbound_events_process_soon(event_id=None):
    """Asks a worker to process the events just stored.

    Publishing a Celery message costs more than storing the event, so under a burst one drain task
    serves many events: a flag in the shared cache says "a drain is queued and has not started";
    while it is up, new events queue nothing. The drain clears the flag *before* it looks for
    events, so an event committed before a refused `add` is always seen by it. Without a broker
    (tasks run eagerly) or without a cache shared by every process, each event gets its own task."""
    from .tasks import drain_inbound_events, process_inbound_event

    if event_id is not None and (settings.CELERY_TASK_ALWAYS_EAGER or not _cache_is_shared()):
        process_inbound_event.delay(event_id)
        return
    if not cache.add(DRAIN_QUEUED_KEY, 1, DRAIN_QUEUED_TTL):
        return
    try:
        drain_inbound_events.delay()
    except Exception:
        cache.delete(DRAIN_QUEUED_KEY)  # so the next event tries again
        raise


def inbound_events_drain(*, limit=DRAIN_LIMIT):
    """Processes the events still `received`, oldest first, each once. Drains running at the same
    time share the work (an event another one holds is skipped). Past `limit` events it queues
    another drain and returns, so one task never runs for ever. Returns how many it processed."""
    cache.delete(DRAIN_QUEUED_KEY)
    providers = _processable_providers()
    processed, after = 0, 0
    while processed < limit:
        batch = list(InboundEvent.objects.filter(
            state=InboundEvent.State.RECEIVED, provider__in=providers, pk__gt=after,
        ).order_by("pk").values_list("pk", flat=True)[:min(DRAIN_BATCH, limit - processed)])
        if not batch:
            return processed
        for event_id in batch:
            inbound_event_process(event_id=event_id, skip_locked=True)
            processed += 1
        after = batch[-1]
    inbound_events_process_soon()
    return processed


STUCK_AFTER = timedelta(minutes=10)


def inbound_events_sweep(*, older_than=STUCK_AFTER):
    """Re-sends events still `received` long after they arrived (a lost task, a broker outage).
    Safe to run any time: processing is idempotent. Returns how many were re-sent."""
    from .tasks import process_inbound_event

    providers = _processable_providers()
    stuck = list(InboundEvent.objects.filter(
        state=InboundEvent.State.RECEIVED, received_at__lt=timezone.now() - older_than, provider__in=providers,
    ).values_list("pk", flat=True)[:500])
    for event_id in stuck:
        process_inbound_event.delay(event_id)
    return len(stuck)


_EVENT_PROCESSORS = {}


def _processable_providers():
    """Providers whose events something here processes: the banks, and the registered marketplaces."""
    return [*InboundEvent.BANK_PROVIDERS, *_EVENT_PROCESSORS]


def register_event_processor(provider, function):
    """How the marketplace engineer plugs order pushes in: `function(event)` sets the event's state
    (and calls record_marketplace_order). Bank providers are handled here."""
    _EVENT_PROCESSORS[provider] = function


def inbound_event_process(*, event_id, skip_locked=False):
    """Idempotent: an event that is no longer `received` is left alone, so a task delivered twice
    (acks_late) or run by hand does nothing the second time. With `skip_locked` an event another
    process is handling right now is skipped (returns None) instead of waited for."""
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update(skip_locked=skip_locked).filter(pk=event_id).first()
        if event is None or event.state != InboundEvent.State.RECEIVED:
            return event
        try:
            with transaction.atomic():
                if event.is_bank:
                    _process_bank_event(event)
                elif event.provider in _EVENT_PROCESSORS:
                    _EVENT_PROCESSORS[event.provider](event)
                else:
                    return event  # stays `received` until a processor for this provider exists
        except INFRASTRUCTURE_ERRORS:
            raise  # nothing wrong with the event: it stays `received` and inbound_events_sweep resends it
        except Exception as exc:  # noqa: BLE001 - kept on the row for people to see
            logger.exception("inbound event %s failed", event.pk)
            event.state = InboundEvent.State.ERROR
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
        if event.state == InboundEvent.State.RECEIVED:
            event.state = InboundEvent.State.ERROR
            event.error = event.error or "processor left the event unprocessed"
        event.processed_at = timezone.now()
        event.save()
    return event


def _process_bank_event(event):
    try:
        data = banknotify.parse_json_object(event.body.encode())
        notice = banknotify.PARSERS[event.provider](data)
    except banknotify.MalformedBody as exc:
        event.state, event.error = InboundEvent.State.ERROR, f"malformed body: {exc}"
        return
    event.external_id, event.account_number = notice.external_id, notice.account_number
    event.amount, event.content, event.occurred_at = notice.amount, notice.content, notice.occurred_at
    accounts = list(BankAccount.objects.filter(account_number=notice.account_number).select_related("producer"))
    owners = {a.producer_id for a in accounts}
    if len(owners) == 1:
        event.bank_account = next((a for a in accounts if a.is_active), accounts[0])
        event.producer = event.bank_account.producer
    if not notice.incoming:
        event.state, event.note = InboundEvent.State.IGNORED, _("Không phải tiền vào tài khoản: không tính.")
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
        if code.bank_account.account_number != notice.account_number:
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
    tx, created = _create_once(
        source=Transaction.Source.BANK_TRANSFER, dedup_scope=f"bank:{notice.account_number}",
        external_id=f"{notice.provider}:{notice.external_id}",
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
    if event.producer is None or not can_edit_producer(user, event.producer):
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
    notice = banknotify.BankNotice(
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


# --- Manual sales -------------------------------------------------------------------------------

def validate_evidence(upload):
    """A receipt photo (JPEG, PNG, WebP) or a PDF, at most 10 MB, recognised by its content, not
    its name. Returns (bytes, extension)."""
    if upload.size > EVIDENCE_MAX_BYTES:
        raise DomainError(_("Tệp chứng từ quá lớn: tối đa 10 MB."), fields={"evidence": [_("Quá lớn.")]})
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    if len(data) > EVIDENCE_MAX_BYTES:
        raise DomainError(_("Tệp chứng từ quá lớn: tối đa 10 MB."), fields={"evidence": [_("Quá lớn.")]})
    if data.startswith(b"%PDF-"):
        return data, "pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in EVIDENCE_IMAGE_FORMATS:
        raise DomainError(
            _("Chứng từ phải là ảnh (JPG, PNG, WebP) hoặc tệp PDF."), fields={"evidence": [_("Sai định dạng.")]}
        )
    return data, EVIDENCE_IMAGE_FORMATS[kind]


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
    from django.core.files.base import ContentFile

    _require_editor(user, product.producer)
    _check_sale_numbers(quantity, amount)
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("Ngày bán không được ở tương lai."), fields={"occurred_at": [_("Không hợp lệ.")]})
    content = None
    if evidence is not None:
        data, extension = validate_evidence(evidence)
        content = ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}")
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
    _require_officer(user)
    tx = Transaction.objects.select_for_update().get(pk=transaction_obj.pk)
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


# --- Marketplace orders -------------------------------------------------------------------------

def order_line_external_id(order_id, line_key):
    return f"{order_id}:{line_key}"[:200]


def product_for_marketplace_line(*, producer, marketplace, sku="", external_item_id=""):
    """(product, listing) for an order line: by our SKU "OCOP-000123" among the producer's
    products, else by the listing's external item id on that marketplace."""
    from listings.models import Listing

    from producers.models import OcopProduct

    listings = Listing.objects.filter(product__producer=producer, account__marketplace=marketplace)
    product = None
    match = re.fullmatch(r"OCOP-(\d{1,12})", (sku or "").strip().upper())
    if match:
        product = OcopProduct.objects.filter(producer=producer, pk=int(match.group(1))).first()
    if product is not None:
        return product, listings.filter(product=product).first()
    if external_item_id:
        listing = listings.filter(external_id=str(external_item_id)).select_related("product").first()
        if listing:
            return listing.product, listing
    return None, None


def record_marketplace_order(*, account, order):
    """One Transaction per order line of a marketplace.connectors.base.Order, idempotent: the same
    order again changes nothing, the same order cancelled or refunded updates the status. A line
    already brought in from a seller-centre export (source `import`) is updated rather than
    counted twice. Lines whose product cannot be found are skipped and returned.

    Returns {"created": [...], "updated": [...], "unchanged": [...], "unmatched": [OrderLine]}."""
    status = order.status if order.status in ORDER_STATUSES else Transaction.Status.PENDING
    result = {"created": [], "updated": [], "unchanged": [], "unmatched": []}
    occurred_at = order.created_at or timezone.now()
    for line in order.lines:
        external_id = order_line_external_id(order.external_id, line.sku or line.external_item_id)
        product, listing = product_for_marketplace_line(
            producer=account.producer, marketplace=account.marketplace, sku=line.sku,
            external_item_id=line.external_item_id,
        )
        imported = Transaction.objects.filter(
            source=Transaction.Source.IMPORT, producer=account.producer, marketplace=account.marketplace,
            external_id=external_id,
        ).first()
        if imported is not None:
            result["updated" if _set_status(imported, status) else "unchanged"].append(imported)
            continue
        if product is None:
            result["unmatched"].append(line)
            continue
        tx, created = _create_once(
            source=Transaction.Source.MARKETPLACE_ORDER, dedup_scope=f"account:{account.pk}", external_id=external_id,
            product=product, producer=account.producer, marketplace_account=account, listing=listing,
            marketplace=account.marketplace, quantity=max(1, int(line.quantity)), amount=max(0, int(line.amount)),
            occurred_at=occurred_at, status=status,
        )
        if created:
            result["created"].append(tx)
        else:
            result["updated" if _set_status(tx, status) else "unchanged"].append(tx)
    return result
