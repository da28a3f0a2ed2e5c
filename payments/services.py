"""Writes for banks, bank accounts, payment codes, inbound events and sales (transactions).
Views, the API, tasks and commands call these."""
import json
import logging
import re
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, override

from common.exceptions import INFRASTRUCTURE_ERRORS, DomainError, PermissionDenied
from producers import authority
from producers.selectors import is_officer

from . import banknotify, vietqr
from .evidence import sanitised as evidence_file
from .matching import find_reference_codes
from .models import (
    Bank,
    BankAccount,
    InboundEvent,
    PaymentCode,
    Transaction,
    new_reference,
    normalise_holder_name,
)

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


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError(_("Dữ liệu không hợp lệ."), fields=exc.message_dict) from exc


# --- Bank accounts: the owner's; a second claim on a number, or a holder that does not fit, waits --

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


# --- Sales: transactions from every source ------------------------------------------------------
#
# Transactions are written only with instance .save()/.create() (never queryset.update() or
# bulk_create): the dashboard keeps summary tables from post_save/post_delete signals.

logger = logging.getLogger(__name__)

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
    (event, is_new). A second delivery of the same provider id stores nothing: it adds one to the
    first row's `deliveries` (concurrent deliveries all count; the unique key keeps one row) and
    is not processed again, unless the first is still waiting long after it came (a lost task).
    Callers store only verified bodies (forgeries are refused before this).

    Outside a transaction the event is one autocommitted INSERT (durable when this returns: no
    BEGIN, savepoint or COMMIT round trips on the webhook's hot path); inside one, a savepoint keeps
    a duplicate from spoiling the caller's transaction."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    key = (dedup_key or "")[:120]
    values = {"provider": provider, "body": text, "headers": headers, "signature_valid": signature_valid}
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                event = InboundEvent.objects.create(dedup_key=key, **values)
        else:
            event = InboundEvent.objects.create(dedup_key=key, **values)
    except IntegrityError:
        first = InboundEvent.objects.filter(provider=provider, dedup_key=key)
        if not key or not first.update(deliveries=F("deliveries") + 1, last_delivered_at=timezone.now()):
            raise
        event = first.get()
        if event.state == InboundEvent.State.RECEIVED and event.received_at < timezone.now() - STUCK_AFTER:
            transaction.on_commit(lambda: inbound_events_process_soon(event.pk), robust=True)
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


def _bank_notice(event):
    data = banknotify.parse_json_object(event.body.encode())
    return banknotify.PARSERS[event.provider](data)


def receiving_bank(notice):
    """The bank the service names (SePay's `gateway`, Casso's bank name or abbreviation), or None."""
    keys = {banknotify.bank_key(name) for name in notice.bank_names} - {""}
    if not keys:
        return None
    aliased = {banknotify.BANK_ALIASES[key] for key in keys if key in banknotify.BANK_ALIASES}
    for bank in Bank.objects.all():
        short = banknotify.bank_key(bank.short_name)
        names = {short, short + "bank", short.removesuffix("bank"), banknotify.bank_key(bank.name), bank.bin}
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


EAGER_ATTEMPTS = 3
EAGER_PAUSE = 0.5  # seconds, doubled each time


def inbound_event_process_eagerly(*, event_id, attempts=EAGER_ATTEMPTS, pause=EAGER_PAUSE):
    """Without a broker the web process handles an event right after storing it, where a transient
    error of our own infrastructure (SQLite's "database is locked" past its busy timeout, a dropped
    connection) would leave it `received` until the sweep: it is tried again a few times first.
    After the last try the error is raised and the event stays `received` for inbound_events_sweep
    (`manage.py run_periodic` runs it where no beat does)."""
    connection = transaction.get_connection()
    for attempt in range(1, attempts + 1):
        try:
            return inbound_event_process(event_id=event_id)
        except INFRASTRUCTURE_ERRORS as exc:
            if attempt == attempts or connection.in_atomic_block:
                raise
            logger.warning("inbound event %s: %s; trying again (%s of %s)", event_id, exc, attempt + 1, attempts)
            connection.close_if_unusable_or_obsolete()
            time.sleep(pause * 2 ** (attempt - 1))


def _process_bank_event(event):
    try:
        notice = _bank_notice(event)
    except banknotify.MalformedBody as exc:
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
    tx, created = _create_once(
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
    except (banknotify.MalformedBody, KeyError):
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
