"""Demo sales for `make demo`: the demo sandbox shops' orders, bank accounts, VietQR codes and a
few months of sales.

`seed(stdout, base=None)` is idempotent: every sale has a fixed external id ("demo:..."), so a
second run creates nothing. Sales are written through services' `create_once`, i.e. instance
saves (the dashboard's signals see them). The history is deterministic (seeded random).
"""
import json
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.models import MarketplaceAccount
from marketplace.connectors.sandbox import SandboxConnector
from producers.models import OcopProduct, Producer

from .models import Bank, BankAccount, InboundEvent, Transaction
from .services import account_orders_sync, banks_load, payment_code_for_product
from .services.sales import create_once

BANKS = ["970436", "970418", "970405", "970422"]  # Vietcombank, BIDV, Agribank, MB
MONTHS = 6
SELLING_PRODUCERS = 6


def _rng(*parts):
    return random.Random("|".join(str(p) for p in parts))


def _account(producer, index):
    account = BankAccount.objects.filter(producer=producer, is_active=True).order_by("-is_default", "pk").first()
    if account:
        return account, False
    bank = Bank.objects.get(bin=BANKS[index % len(BANKS)])
    holder = producer.representative or producer.name
    return BankAccount.objects.create(
        producer=producer, bank=bank, account_number=f"10{producer.pk:04d}{index:02d}8866"[:14],
        holder_name=holder, is_default=True,
    ), True


def seed(stdout, base=None):
    base = base or {}
    _sandbox_orders()
    if not Bank.objects.exists():
        banks_load()
    producers = [p for p in base.get("producers", []) if p.status == Producer.Status.VERIFIED]
    if not producers:
        producers = list(Producer.objects.filter(status=Producer.Status.VERIFIED).order_by("pk"))
    producers = producers[:SELLING_PRODUCERS]
    officer = base.get("officer")
    owner = base.get("owner")
    now = timezone.now()
    accounts = codes = created = 0
    for index, producer in enumerate(producers):
        account, new_account = _account(producer, index)
        accounts += new_account
        products = list(OcopProduct.objects.filter(producer=producer).order_by("pk"))
        for product in products:
            rng = _rng("sales", producer.name, product.name)
            if not product.price or rng.random() < 0.25:
                continue  # not every product sells: the dashboard's "listed without sales"
            code = payment_code_for_product(user=None, product=product, system=True)
            codes += 1
            for number in range(rng.randint(2, 9)):
                quantity = rng.choice([1, 1, 1, 2, 2, 3, 5])
                when = now - timedelta(days=rng.randint(1, MONTHS * 30), hours=rng.randint(0, 10))
                manual = rng.random() < 0.3
                values = {
                    "product": product, "producer": producer, "quantity": quantity,
                    "amount": product.price * quantity, "occurred_at": when,
                    "status": Transaction.Status.CANCELLED if rng.random() < 0.05 else Transaction.Status.COMPLETED,
                }
                if manual:
                    confirmed = officer is not None and when < now - timedelta(days=14)
                    _tx, was_created = create_once(
                        source=Transaction.Source.MANUAL, dedup_scope="manual",
                        external_id=f"demo:{product.pk}:{number}", recorded_by=owner,
                        note=_("Bán tại chợ phiên"), confirmed_by=officer if confirmed else None,
                        confirmed_at=when + timedelta(days=3) if confirmed else None, **values,
                    )
                else:
                    _tx, was_created = create_once(
                        source=Transaction.Source.BANK_TRANSFER, dedup_scope=f"bank:{account.account_number}",
                        external_id=f"demo:{product.pk}:{number}", payment_code=code,
                        note=f"MBVCB.{3278600000 + product.pk * 10 + number}.{code.purpose}.CT tu NGUYEN VAN A",
                        **values,
                    )
                created += was_created
    if producers:
        _unmatched_example(producers[0], now)
    stdout.write(
        _("Doanh số mẫu: %(accounts)s tài khoản mới, %(codes)s mã QR, %(created)s giao dịch mới.")
        % {"accounts": accounts, "codes": codes, "created": created}
    )
    return {}


def _sandbox_orders():
    """The demo sandbox shops' orders (listings.demo's simulated buyers) brought in through the same
    path as the periodic polling, reaching back over the whole history; a shop synced once is done."""
    from listings.demo import HISTORY_DAYS

    since = timezone.now() - timedelta(days=HISTORY_DAYS + 1)
    shops = MarketplaceAccount.objects.filter(
        marketplace=SandboxConnector.code, status=MarketplaceAccount.Status.CONNECTED, last_order_sync_at__isnull=True,
    ).select_related("producer")
    for shop in shops:
        with transaction.atomic():
            account_orders_sync(account=shop, since=since)


def _unmatched_example(producer, now):
    """One transfer with no code in the memo, waiting in the owner's unmatched queue."""
    account = BankAccount.objects.filter(producer=producer, is_active=True).first()
    if account is None or InboundEvent.objects.filter(provider="sepay", dedup_key="demo-unmatched-1").exists():
        return
    when = now - timedelta(days=2)
    body = {
        "id": "demo-unmatched-1", "gateway": account.bank.short_name,
        "transactionDate": timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S"), "accountNumber": account.account_number,
        "code": None, "content": "NGUYEN VAN A chuyen tien mua che", "transferType": "in", "transferAmount": 500000,
        "referenceCode": "FT00000DEMO", "description": "",
    }
    InboundEvent.objects.create(
        provider="sepay", dedup_key="demo-unmatched-1", signature_valid=True, body=json.dumps(body, ensure_ascii=False),
        headers={"X-Source": "demo"}, received_at=when, state=InboundEvent.State.NO_MATCH, processed_at=when,
        note=_("Không tìm thấy mã tham chiếu trong nội dung."), producer=producer, bank_account=account,
        external_id="demo-unmatched-1", account_number=account.account_number, amount=500000,
        content=body["content"], occurred_at=when,
    )
