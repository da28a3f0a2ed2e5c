"""Who may move a producer's money (issue 12, item 2): a staff member, an officer and another producer
each try every route (portal and API) to redirect the payout or change the producer's identity, and
none succeeds; the owner can, and every owner is told; a manual sale is confirmed by four eyes."""
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from common.exceptions import PermissionDenied
from payments import services
from payments.labels import LAYOUT_A6
from payments.models import Bank, BankAccount, PaymentCode, Transaction
from producers.models import Membership
from tests.factories import make_member, make_officer

pytestmark = pytest.mark.django_db

ATTACKERS = ["staff", "officer", "stranger"]


@pytest.fixture
def people(producer, officer, other_owner_and_producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, username="nhanvien",
                           email="nhanvien@example.vn", full_name="Lò Văn Nhân")
    return {"staff": staff, "officer": officer, "stranger": other_owner_and_producer[0]}


@pytest.fixture
def second(producer, banks):
    """An account of the owner's that is not the default."""
    return BankAccount.objects.create(producer=producer, bank=Bank.objects.get(bin="970418"),
                                      account_number="21510001234567", holder_name="SUNG A PAO")


def payout(producer):
    return sorted(BankAccount.objects.filter(producer=producer).values_list(
        "bank__bin", "account_number", "is_active", "is_default"))


def identity(producer):
    producer.refresh_from_db()
    return producer.name, producer.tax_code, producer.kind, producer.representative


def producer_form(producer, **changes):
    data = {"kind": producer.kind, "name": producer.name, "tax_code": producer.tax_code,
            "representative": producer.representative, "phone": "0912345678", "email": producer.email,
            "address": producer.address, "commune": producer.commune_id, "old_district": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ATTACKERS)
def test_nobody_but_the_owner_redirects_money_in_the_portal(client, people, who, producer, account, second,
                                                            product, vietcombank):
    # given the owner's payout and identity
    before, who_it_is = payout(producer), identity(producer)
    client.force_login(people[who])
    # when the intruder tries every portal form
    responses = [
        client.post(reverse("payments:bank_accounts"), {
            "producer": producer.pk, "bank": vietcombank.pk, "account_number": "0451000999999",
            "holder_name": "LO VAN NHAN", "is_default": "on"}),
        client.post(reverse("payments:bank_account_default", args=[second.pk])),
        client.post(reverse("payments:bank_account_delete", args=[account.pk])),
        client.post(reverse("payments:product_code", args=[product.pk]), {"amount": "", "bank_account": second.pk}),
        client.post(reverse("portal:producer", args=[producer.pk]),
                    producer_form(producer, name="HTX Của Tôi", tax_code="0109999982", representative="Lò Văn Nhân")),
    ]
    # then nothing moved and the producer is who it was
    assert all(r.status_code < 500 for r in responses)
    assert payout(producer) == before
    assert not PaymentCode.objects.filter(bank_account=second).exists()
    assert identity(producer) == who_it_is


@pytest.mark.parametrize("who", ATTACKERS)
def test_nobody_but_the_owner_redirects_money_through_the_api(people, who, producer, account, second, product):
    before, who_it_is = payout(producer), identity(producer)
    api = APIClient()
    api.force_authenticate(people[who])
    responses = {
        "add": api.post("/api/bank-accounts/", {
            "producer": producer.pk, "bank": "970436", "account_number": "0451000999999",
            "holder_name": "LO VAN NHAN", "is_default": True}, format="json"),
        "default": api.post(f"/api/bank-accounts/{second.pk}/default/"),
        "archive": api.delete(f"/api/bank-accounts/{account.pk}/"),
        "code": api.post("/api/payment-codes/", {"product": product.pk, "bank_account": second.pk}, format="json"),
        "identity": api.patch(f"/api/producers/{producer.pk}/", {
            "name": "HTX Của Tôi", "tax_code": "0109999982", "kind": "DN", "representative": "Lò Văn Nhân"},
            format="json"),
    }
    assert payout(producer) == before
    assert not PaymentCode.objects.filter(bank_account=second).exists()
    assert identity(producer) == who_it_is
    expected = 404 if who == "stranger" else 403
    for route, response in responses.items():
        assert response.status_code == expected, (route, response.content)
        body = response.json()
        assert set(body) == {"error", "message", "fields"}, route
        if expected == 403:
            assert "chủ sở hữu" in body["message"], (route, body)


def test_owner_changes_the_payout_and_every_owner_is_told(client, owner, producer, account, second, vietcombank,
                                                         mailoutbox, django_capture_on_commit_callbacks):
    co_owner, _ = make_member(producer=producer, role=Membership.Role.OWNER, username="dongchu",
                              email="dongchu@example.vn")
    make_member(producer=producer, role=Membership.Role.OWNER, username="khongmail", email="")
    client.force_login(owner)
    # when the owner adds an account, makes another the default and archives the old one
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:bank_accounts"), {
            "producer": producer.pk, "bank": vietcombank.pk, "account_number": "0451000123456",
            "holder_name": "Sùng A Páo"})
        client.post(reverse("payments:bank_account_default", args=[second.pk]))
        client.post(reverse("payments:bank_account_delete", args=[account.pk]))
    # then it is done
    added = BankAccount.objects.get(account_number="0451000123456")
    assert added.is_active and added.review_status == BankAccount.Review.APPROVED
    second.refresh_from_db()
    account.refresh_from_db()
    assert second.is_default and not account.is_active
    # and every owner with an e-mail got one message per change, in Vietnamese, the number masked
    assert len(mailoutbox) == 3
    for message in mailoutbox:
        assert sorted(message.to) == sorted([owner.email, co_owner.email])
        assert "chuhtx" in message.body and timezone.localtime().strftime("%d/%m/%Y") in message.body
        assert "0451000123456" not in message.body and "21510001234567" not in message.body
    assert "3456" in mailoutbox[0].body and "thêm" in mailoutbox[0].body
    assert "mặc định" in mailoutbox[1].body and "xoá" in mailoutbox[2].body
    # and the owners' page lists the recent changes with who made them
    page = client.get(reverse("payments:bank_accounts")).content.decode()
    assert "Thay đổi gần đây" in page and page.count("chuhtx") >= 3


def test_payout_changes_through_the_api_name_their_actor_in_the_audit_log(owner, producer, account):
    already = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post("/api/bank-accounts/", {
        "producer": producer.pk, "bank": "970418", "account_number": "21510009876543",
        "holder_name": "Sùng A Páo", "is_default": True}, format="json")
    assert response.status_code == 201, response.content
    assert api.post(f"/api/bank-accounts/{account.pk}/default/").status_code == 200
    entries = LogEntry.objects.filter(content_type__model="bankaccount", pk__gt=already)
    assert entries.count() >= 2 and {entry.actor for entry in entries} == {owner}


def test_staff_prints_labels_into_the_owners_default_account(client, people, producer, account, second, product):
    staff = people["staff"]
    client.force_login(staff)
    # the buttons a staff member may not use are not shown
    page = client.get(reverse("payments:bank_accounts")).content.decode()
    assert reverse("payments:bank_account_delete", args=[account.pk]) not in page
    assert reverse("payments:bank_account_default", args=[second.pk]) not in page
    assert 'name="account_number"' not in page
    assert 'name="bank_account"' not in client.get(reverse("payments:product_code", args=[product.pk])).content.decode()
    # but labels still print, and their code pays into the owner's default account
    response = client.post(reverse("payments:batch_print"), {"products": [product.pk], "layout": LAYOUT_A6})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.post(reverse("payments:product_code", args=[product.pk]), {"amount": "150000"})
    assert {code.bank_account for code in PaymentCode.objects.all()} == {account}
    assert PaymentCode.objects.count() == 2


def test_bank_account_form_lists_only_producers_the_user_owns(client, owner, producer, people):
    other = people["stranger"].memberships.get().producer
    Membership.objects.create(user=owner, producer=other, role=Membership.Role.STAFF)
    client.force_login(owner)
    form = client.get(reverse("payments:bank_accounts")).context["form"]
    assert list(form.fields["producer"].queryset) == [producer]


def test_staff_is_told_in_vietnamese_why(client, people, producer, account):
    client.force_login(people["staff"])
    response = client.post(reverse("payments:bank_account_delete", args=[account.pk]), follow=True)
    assert "Chỉ chủ sở hữu" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.bank_account_set_default(user=people["officer"], account=account)


# --- Manual sales: members record, another officer confirms ------------------------------------

def _sale_form(product):
    return {"product": product.pk, "quantity": "1", "amount": "150000",
            "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat()}


def test_officer_does_not_record_sales_for_a_producer(client, officer, product):
    client.force_login(officer)
    client.post(reverse("payments:manual_sale"), _sale_form(product))
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post("/api/transactions/", {
        "product": product.pk, "quantity": 1, "amount": 150000, "occurred_at": "2026-10-15T09:00:00+07:00",
    }, format="json")
    assert response.status_code == 403 and response.json()["error"] == "permission_denied"
    assert not Transaction.objects.exists()


def test_who_recorded_a_manual_sale_never_confirms_it(client, producer, product, officer):
    # given an officer who is also a member of the producer, and records its sale
    insider = make_officer(username="canbo-thanhvien")
    Membership.objects.create(user=insider, producer=producer, role=Membership.Role.OWNER)
    sale = services.manual_sale_create(user=insider, product=product, quantity=1, amount=150000,
                                       occurred_at=timezone.now() - timedelta(hours=2))
    # when they try to confirm it: service, portal, API
    with pytest.raises(PermissionDenied):
        services.manual_sale_confirm(user=insider, transaction_obj=sale)
    client.force_login(insider)
    response = client.post(reverse("payments:confirm_sale", args=[sale.pk]), follow=True)
    assert "không được tự xác nhận" in response.content.decode()
    api = APIClient()
    api.force_authenticate(insider)
    response = api.post(f"/api/transactions/{sale.pk}/confirm/")
    assert response.status_code == 403 and response.json()["error"] == "four_eyes"
    sale.refresh_from_db()
    assert sale.is_self_reported
    # then another officer can
    services.manual_sale_confirm(user=officer, transaction_obj=sale)
    sale.refresh_from_db()
    assert sale.confirmed_by == officer


def test_officer_does_not_import_a_producers_order_export(client, officer, producer, product):
    import io

    from payments.orders_import import import_order_export

    from .conftest import DATA

    data = (DATA / "shopee_orders.xlsx").read_bytes()
    with pytest.raises(PermissionDenied):
        import_order_export(user=officer, producer=producer, file=io.BytesIO(data), filename="shopee_orders.xlsx")
    client.force_login(officer)
    form = client.get(reverse("payments:order_import")).context["form"]
    assert list(form.fields["producer"].queryset) == []
    assert not Transaction.objects.exists()


def test_officer_does_not_assign_a_producers_transfer_to_a_sale(officer, producer, account, product):
    from payments.models import InboundEvent

    event = InboundEvent.objects.create(provider="sepay", body="{}", state=InboundEvent.State.NO_MATCH,
                                        producer=producer, bank_account=account, amount=150000,
                                        account_number=account.account_number)
    with pytest.raises(PermissionDenied):
        services.unmatched_assign(user=officer, event=event, product=product)
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(f"/api/inbound-events/{event.pk}/assign/", {"product": product.pk}, format="json")
    assert response.status_code == 403 and not Transaction.objects.exists()
