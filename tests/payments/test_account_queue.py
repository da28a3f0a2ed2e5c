"""One account number, one producer (issue 12, item 3): a second claim waits for an officer, a holder
name that does not fit waits too, bank notifications match on bank and account together, and the
same transfer reported by SePay and by Casso counts once (item 9)."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from common.exceptions import DomainError, PermissionDenied
from payments import services
from payments.models import Bank, BankAccount, InboundEvent, PaymentCode, Transaction
from tests.factories import OcopProductFactory, ProducerFactory

from .conftest import casso_headers, load, raw, sepay_key_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def thief(other_owner_and_producer):
    return other_owner_and_producer


def claim(user, producer, bank, number, holder=None):
    return services.bank_account_create(user=user, producer=producer, bank=bank, account_number=number,
                                        holder_name=holder or producer.representative)


def deliver(client, provider, data, capture):
    headers = sepay_key_headers() if provider == "sepay" else casso_headers(data)
    with capture(execute=True):
        response = client.post(f"/webhooks/{provider}/", data=raw(data), content_type="application/json", **headers)
    assert response.status_code == 200, response.content


def test_a_number_another_producer_holds_waits_for_an_officer(account, thief, vietcombank):
    user, producer = thief
    # when another producer registers the victim's number (printed on the victim's labels)
    taken = claim(user, producer, vietcombank, " 1234 5678 90123")
    # then it is not accepted: it waits, is not the default and no code can use it
    assert taken.review_status == BankAccount.Review.PENDING and not taken.is_default
    assert "chủ thể khác" in taken.review_reason
    product = OcopProductFactory(producer=producer)
    with pytest.raises(DomainError):
        services.payment_code_create(user=user, product=product, bank_account=taken)
    with pytest.raises(DomainError) as caught:
        services.payment_code_for_product(user=user, product=product)
    assert caught.value.code == "no_bank_account"


def test_the_same_number_at_another_bank_is_another_account(account, thief, banks):
    user, producer = thief
    elsewhere = claim(user, producer, Bank.objects.get(bin="970418"), account.account_number)
    assert elsewhere.review_status == BankAccount.Review.APPROVED and elsewhere.is_default


def test_holder_name_must_fit_the_producer(owner, producer, vietcombank):
    producer.name = "Hợp tác xã Chè Suối Giàng"
    producer.save()
    by_representative = claim(owner, producer, vietcombank, "1000000001", "Sùng A Páo")
    by_name = claim(owner, producer, vietcombank, "1000000002", "HOP TAC XA CHE SUOI GIANG")
    someone_else = claim(owner, producer, vietcombank, "1000000003", "Lò Văn Nhân")
    assert by_representative.review_status == by_name.review_status == BankAccount.Review.APPROVED
    assert someone_else.review_status == BankAccount.Review.PENDING
    assert "tên chủ tài khoản" in someone_else.review_reason.lower()


def test_database_allows_one_active_approved_holder_per_number(account, thief):
    _, producer = thief
    BankAccount.objects.create(producer=producer, bank=account.bank, account_number=account.account_number,
                               holder_name="X", review_status=BankAccount.Review.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.create(producer=producer, bank=account.bank, account_number=account.account_number,
                                   holder_name="X")


def test_officer_approves_or_rejects_from_the_queue(client, officer, owner, producer, vietcombank, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    first = claim(owner, producer, vietcombank, "2000000001", "Lò Văn Nhân")
    second = claim(owner, producer, vietcombank, "2000000002", "Lò Văn Nhân")
    mailoutbox.clear()
    # the queue is in the officer's navigation and lists both
    client.force_login(officer)
    page = client.get(reverse("payments:bank_account_reviews"))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("payments:bank_account_reviews") in text and "2000000001" in text and "2000000002" in text
    # when the officer approves one and rejects the other with a reason
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:bank_account_approve", args=[first.pk]))
        client.post(reverse("payments:bank_account_reject", args=[second.pk]), {"reason": "Không khớp giấy tờ"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.review_status == BankAccount.Review.APPROVED and first.is_default and first.reviewed_by == officer
    assert second.review_status == BankAccount.Review.REJECTED and "Không khớp giấy tờ" in second.review_note
    assert len(mailoutbox) == 2 and all(m.to == [owner.email] for m in mailoutbox)
    # and members cannot open the queue or decide
    client.force_login(owner)
    assert client.get(reverse("payments:bank_account_reviews")).status_code == 403
    api = APIClient()
    api.force_authenticate(owner)
    assert api.post(f"/api/bank-accounts/{second.pk}/approve/").status_code == 403


def test_officer_cannot_approve_a_number_another_producer_holds(officer, account, thief, vietcombank):
    user, producer = thief
    taken = claim(user, producer, vietcombank, account.account_number)
    with pytest.raises(DomainError):
        services.bank_account_approve(user=officer, account=taken)
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(f"/api/bank-accounts/{taken.pk}/reject/", {"reason": "Số tài khoản của chủ thể khác"},
                        format="json")
    assert response.status_code == 200 and response.json()["review_status"] == "rejected"
    with pytest.raises(PermissionDenied):
        services.bank_account_approve(user=user, account=taken)


# --- Bank notifications: bank and account together --------------------------------------------

def test_a_second_claim_takes_neither_transfers_nor_sales(client, webhook_secrets, account, product, thief,
                                                         vietcombank, django_capture_on_commit_callbacks):
    user, producer = thief
    taken = claim(user, producer, vietcombank, account.account_number)
    # a code pointing at the claim (as old data could hold)
    thief_product = OcopProductFactory(producer=producer)
    PaymentCode.objects.create(product=thief_product, bank_account=taken, reference="T7T7T7")
    # when a transfer with no code, and one with the thief's code, arrive in the victim's account
    deliver(client, "sepay", {**load("sepay_in.json"), "id": 1, "content": "chuyen tien", "referenceCode": "R1"},
            django_capture_on_commit_callbacks)
    deliver(client, "sepay", {**load("sepay_in.json"), "id": 2, "content": "OCOP T7T7T7", "referenceCode": "R2"},
            django_capture_on_commit_callbacks)
    # then both stay in the victim's queue and nothing counts for the thief
    events = InboundEvent.objects.order_by("pk")
    assert [(e.state, e.producer, e.bank_account) for e in events] == [("no_match", account.producer, account)] * 2
    assert not Transaction.objects.filter(producer=producer).exists()


def test_notifications_match_on_bank_and_account_together(client, webhook_secrets, account, thief, banks,
                                                          django_capture_on_commit_callbacks):
    user, producer = thief
    bidv = claim(user, producer, Bank.objects.get(bin="970418"), account.account_number)
    deliver(client, "sepay", {**load("sepay_in.json"), "id": 11, "gateway": "Vietcombank", "referenceCode": "A"},
            django_capture_on_commit_callbacks)
    deliver(client, "sepay", {**load("sepay_in.json"), "id": 12, "gateway": "BIDV", "referenceCode": "B"},
            django_capture_on_commit_callbacks)
    deliver(client, "sepay", {**load("sepay_in.json"), "id": 13, "gateway": "Ngân hàng lạ", "referenceCode": "C"},
            django_capture_on_commit_callbacks)
    casso = load("casso_in.json")
    casso["data"].update({"id": 14, "bankName": "", "bankAbbreviation": "BIDV", "reference": "D"})
    deliver(client, "casso", casso, django_capture_on_commit_callbacks)
    accounts = [e.bank_account for e in InboundEvent.objects.order_by("pk")]
    assert accounts == [account, bidv, None, bidv]


def test_sepay_and_casso_reporting_one_transfer_count_once(client, webhook_secrets, static_code,
                                                           django_capture_on_commit_callbacks):
    # given the same transfer (bank reference FT24207938475610 into 1234567890123), seen by both services
    sepay = {**load("sepay_in.json"), "referenceCode": "FT24207938475610"}
    casso = load("casso_in.json")
    deliver(client, "sepay", sepay, django_capture_on_commit_callbacks)
    deliver(client, "casso", casso, django_capture_on_commit_callbacks)
    # then one sale, and the second report says it was already counted
    assert Transaction.objects.count() == 1
    states = sorted(InboundEvent.objects.values_list("provider", "state"))
    assert states == [("casso", "duplicate"), ("sepay", "matched")]


def test_same_bank_reference_into_another_account_is_another_transfer(client, webhook_secrets, static_code,
                                                                      producer, vietcombank,
                                                                      django_capture_on_commit_callbacks):
    other = BankAccount.objects.create(producer=producer, bank=vietcombank, account_number="5555666677",
                                       holder_name="SUNG A PAO")
    PaymentCode.objects.create(product=static_code.product, bank_account=other, reference="M3M3M3")
    deliver(client, "sepay", {**load("sepay_in.json"), "referenceCode": "FT1"}, django_capture_on_commit_callbacks)
    deliver(client, "sepay", {**load("sepay_in.json"), "id": 2, "referenceCode": "FT1", "accountNumber": "5555666677",
                              "content": "OCOP M3M3M3"}, django_capture_on_commit_callbacks)
    assert Transaction.objects.count() == 2


# --- Existing duplicates: the data migration -------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_migration_queues_existing_duplicates_keeping_the_oldest():
    executor = MigrationExecutor(connection)
    before = [("payments", "0005_bank_account_review")]
    after = [("payments", "0007_bank_account_one_holder_per_number")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Account = apps.get_model("payments", "BankAccount")
    bank = apps.get_model("payments", "Bank").objects.get(bin="970436")
    first, second = ProducerFactory().pk, ProducerFactory().pk
    oldest = Account.objects.create(producer_id=first, bank=bank, account_number="999", holder_name="A")
    newer = Account.objects.create(producer_id=second, bank=bank, account_number="999", holder_name="B",
                                   is_default=True)
    kept = Account.objects.create(producer_id=second, bank=bank, account_number="998", holder_name="B")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    oldest = BankAccount.objects.get(pk=oldest.pk)
    newer = BankAccount.objects.get(pk=newer.pk)
    assert oldest.review_status == BankAccount.Review.APPROVED
    assert newer.review_status == BankAccount.Review.PENDING and not newer.is_default and newer.review_reason
    assert BankAccount.objects.get(pk=kept.pk).is_default  # the producer's other account takes over
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_sepay_and_casso_racing_on_many_transfers_count_each_once(webhook_secrets):
    """Both services report each of 20 transfers, all at once from 8 clients: 20 sales. On PostgreSQL
    the reports really race (the unique key decides); SQLite serialises writers."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test import Client

    from tests.factories import ProducerFactory

    producer = ProducerFactory()
    product = OcopProductFactory(producer=producer, price=150000)
    account = BankAccount.objects.create(producer=producer, bank=Bank.objects.get(bin="970436"),
                                         account_number="1234567890123", holder_name="SUNG A PAO", is_default=True)
    PaymentCode.objects.create(product=product, bank_account=account, reference="K7P2QX")
    deliveries = []
    for n in range(20):
        reference = f"FT2420793847{n:04d}"
        sepay = {**load("sepay_in.json"), "id": 70000 + n, "referenceCode": reference}
        casso = load("casso_in.json")
        casso["data"].update({"id": 80000 + n, "reference": reference})
        deliveries += [("/webhooks/sepay/", raw(sepay), sepay_key_headers()),
                       ("/webhooks/casso/", raw(casso), casso_headers(casso))]
    serialise = threading.Lock() if connection.vendor == "sqlite" else None

    def deliver(delivery):
        url, body, headers = delivery
        try:
            if serialise is None:
                return Client().post(url, data=body, content_type="application/json", **headers).status_code
            with serialise:
                return Client().post(url, data=body, content_type="application/json", **headers).status_code
        finally:
            if serialise is None:
                connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(deliver, deliveries)) == [200] * 40
    assert Transaction.objects.count() == 20
    states = list(InboundEvent.objects.values_list("state", flat=True))
    assert sorted(set(states)) == ["duplicate", "matched"] and states.count("matched") == 20


def test_the_reason_reads_in_the_readers_language_and_owners_are_told_in_the_sites(
        client, owner, account, thief, vietcombank, mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import translation

    owner.email = "chu@htx.vn"
    owner.save(update_fields=["email"])
    user, producer = thief
    # given a claim made while its author browses in English
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        taken = claim(user, producer, vietcombank, account.account_number)
    # then what is stored is the Vietnamese text, shown to an English reader in English
    assert "chủ thể khác" in taken.review_reason
    client.force_login(user)
    page = client.get(reverse("payments:bank_accounts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "chủ thể khác" not in page and "another" in page.lower()
    # and the owner who made an English-language change is still notified in Vietnamese
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.bank_account_archive(user=owner, account=account)
    assert mailoutbox and "tài khoản nhận tiền" in mailoutbox[-1].subject
