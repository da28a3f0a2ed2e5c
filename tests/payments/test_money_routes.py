"""The routes the first matrix (test_money_authority) does not try (issue 12, item 2, hostile review):
PUT/PATCH on a bank account, PUT on the producer, members and invitations, the unmatched-transfer
queue, an archived number taken over, and an officer who is also a member deciding its own queue item."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from common.exceptions import PermissionDenied
from payments import services
from payments.models import BankAccount, InboundEvent, Transaction
from producers.models import Invitation, Membership
from tests.factories import make_member, make_officer

pytestmark = pytest.mark.django_db

ATTACKERS = ["staff", "officer", "stranger"]


@pytest.fixture
def people(producer, officer, other_owner_and_producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, username="nhanvien",
                           email="nhanvien@example.vn", full_name="Lò Văn Nhân")
    return {"staff": staff, "officer": officer, "stranger": other_owner_and_producer[0]}


def payout(producer):
    return sorted(BankAccount.objects.filter(producer=producer).values_list(
        "bank__bin", "account_number", "holder_name", "is_active", "is_default", "review_status"))


def roles(producer):
    return sorted(producer.memberships.values_list("user__username", "role"))


@pytest.mark.parametrize("who", ATTACKERS)
def test_no_put_patch_on_bank_accounts_and_no_put_on_the_producer(people, who, producer, account):
    before = payout(producer)
    producer.refresh_from_db()
    identity = (producer.name, producer.tax_code, producer.kind, producer.representative)
    api = APIClient()
    api.force_authenticate(people[who])
    change = {"producer": producer.pk, "bank": "970418", "account_number": "21510009999999",
              "holder_name": "LO VAN NHAN", "is_default": True}
    responses = [
        api.put(f"/api/bank-accounts/{account.pk}/", change, format="json"),
        api.patch(f"/api/bank-accounts/{account.pk}/", {"account_number": "21510009999999"}, format="json"),
        api.put(f"/api/producers/{producer.pk}/", {
            "kind": "DN", "name": "HTX Của Tôi", "tax_code": "0109999982", "representative": "Lò Văn Nhân",
            "phone": "0912345678", "email": "x@example.vn", "address": "x", "commune": producer.commune_id},
            format="json"),
    ]
    assert all(r.status_code in (403, 404, 405) for r in responses), [r.status_code for r in responses]
    assert payout(producer) == before
    producer.refresh_from_db()
    assert (producer.name, producer.tax_code, producer.kind, producer.representative) == identity


@pytest.mark.parametrize("who", ATTACKERS)
def test_nobody_but_the_owner_invites_or_removes_members(client, people, who, owner, producer):
    before = roles(producer)
    owner_membership = Membership.objects.get(user=owner, producer=producer)
    client.force_login(people[who])
    client.post(reverse("portal:members", args=[producer.pk]), {"email": "banthan@example.vn"})
    client.post(reverse("portal:member_remove", args=[producer.pk, owner_membership.pk]))
    api = APIClient()
    api.force_authenticate(people[who])
    response = api.post(f"/api/producers/{producer.pk}/invitations/", {"email": "banthan@example.vn"}, format="json")
    assert response.status_code in (403, 404)
    assert not Invitation.objects.filter(producer=producer).exists()
    assert roles(producer) == before


def test_an_invitation_makes_staff_whoever_accepts_it(client, owner, producer, other_owner_and_producer):
    # the only way in: the owner's invitation, and it never makes an owner
    invitation = Invitation.objects.create(producer=producer, email="x@example.vn", invited_by=owner)
    intruder = other_owner_and_producer[0]
    client.force_login(intruder)
    client.get(reverse("portal:invitation_link", args=[invitation.token]))
    client.post(reverse("portal:accept_invitation"), {"role": "owner"})
    membership = Membership.objects.get(user=intruder, producer=producer)
    assert membership.role == Membership.Role.STAFF


@pytest.mark.parametrize("who", ["officer", "stranger"])
def test_nobody_outside_assigns_or_dismisses_a_producers_unmatched_transfer(client, people, who, producer,
                                                                            account, product):
    event = InboundEvent.objects.create(provider="sepay", body="{}", state=InboundEvent.State.NO_MATCH,
                                        producer=producer, bank_account=account, amount=150000,
                                        account_number=account.account_number)
    client.force_login(people[who])
    client.post(reverse("payments:unmatched_assign", args=[event.pk]),
                {f"e{event.pk}-product": product.pk, f"e{event.pk}-quantity": "1"})
    client.post(reverse("payments:unmatched_dismiss", args=[event.pk]))
    api = APIClient()
    api.force_authenticate(people[who])
    api.post(f"/api/inbound-events/{event.pk}/assign/", {"product": product.pk}, format="json")
    api.post(f"/api/inbound-events/{event.pk}/dismiss/", {}, format="json")
    event.refresh_from_db()
    assert event.state == InboundEvent.State.NO_MATCH and not Transaction.objects.exists()


def test_an_archived_number_revived_while_another_producer_claims_it_waits(owner, producer, account,
                                                                           other_owner_and_producer):
    thief, theirs = other_owner_and_producer
    # given the owner archives the default account, and another producer claims the freed number
    services.bank_account_archive(user=owner, account=account)
    claimed = services.bank_account_create(user=thief, producer=theirs, bank=account.bank,
                                           account_number=account.account_number, holder_name="NGUYEN THI HOA")
    assert claimed.review_status == BankAccount.Review.PENDING  # the holder is not theirs
    # when the owner revives it, it is theirs again at once; the thief's claim can no longer be approved
    revived = services.bank_account_create(user=owner, producer=producer, bank=account.bank,
                                           account_number=account.account_number, holder_name=producer.representative)
    assert revived.pk == account.pk and revived.review_status == BankAccount.Review.APPROVED
    from common.exceptions import DomainError
    with pytest.raises(DomainError):
        services.bank_account_approve(user=make_officer(username="canbo2"), account=claimed)


def test_an_officer_who_is_a_member_does_not_decide_its_own_producers_accounts(client, producer, officer,
                                                                               vietcombank):
    # given an officer who also owns the producer and adds an account whose holder does not fit
    insider = make_officer(username="canbo-chuho")
    Membership.objects.create(user=insider, producer=producer, role=Membership.Role.OWNER)
    pending = services.bank_account_create(user=insider, producer=producer, bank=vietcombank,
                                           account_number="0451000777777", holder_name="TRAN VAN CANBO")
    assert pending.review_status == BankAccount.Review.PENDING
    # when the insider approves it: service, portal, API
    with pytest.raises(PermissionDenied):
        services.bank_account_approve(user=insider, account=pending)
    client.force_login(insider)
    client.post(reverse("payments:bank_account_approve", args=[pending.pk]))
    api = APIClient()
    api.force_authenticate(insider)
    response = api.post(f"/api/bank-accounts/{pending.pk}/approve/")
    assert response.status_code == 403, response.content
    pending.refresh_from_db()
    assert pending.review_status == BankAccount.Review.PENDING and not pending.is_default
    # and the queue does not offer it to them; another officer decides
    page = client.get(reverse("payments:bank_account_reviews")).content.decode()
    assert reverse("payments:bank_account_approve", args=[pending.pk]) not in page
    services.bank_account_approve(user=officer, account=pending)
    pending.refresh_from_db()
    assert pending.review_status == BankAccount.Review.APPROVED


def test_a_number_another_producer_archived_waits_for_an_officer(owner, producer, account, other_owner_and_producer):
    # given the owner archives an account whose number is still on printed labels
    thief, theirs = other_owner_and_producer
    services.bank_account_archive(user=owner, account=account)
    # when another producer registers that number with a holder name that fits itself
    claimed = services.bank_account_create(user=thief, producer=theirs, bank=account.bank,
                                           account_number=account.account_number, holder_name=theirs.representative)
    # then it is not usable until an officer has looked: the number was someone else's
    assert claimed.review_status == BankAccount.Review.PENDING and not claimed.is_default
    assert "chủ thể khác" in claimed.review_reason


def test_an_officer_who_is_a_member_does_not_confirm_its_producers_sales(client, producer, product, officer):
    from datetime import timedelta

    from django.utils import timezone

    # given an officer who owns the producer, and a sale its staff recorded
    insider = make_officer(username="canbo-chuho2")
    Membership.objects.create(user=insider, producer=producer, role=Membership.Role.OWNER)
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, username="nv2")
    sale = services.manual_sale_create(user=staff, product=product, quantity=1, amount=150000,
                                       occurred_at=timezone.now() - timedelta(hours=2))
    # then the insider cannot confirm it (service and API); an officer from outside can
    with pytest.raises(PermissionDenied):
        services.manual_sale_confirm(user=insider, transaction_obj=sale)
    api = APIClient()
    api.force_authenticate(insider)
    assert api.post(f"/api/transactions/{sale.pk}/confirm/").status_code == 403
    client.force_login(insider)
    for page in (reverse("payments:confirmations"), reverse("payments:transaction", args=[sale.pk])):
        assert reverse("payments:confirm_sale", args=[sale.pk]) not in client.get(page).content.decode()
    sale.refresh_from_db()
    assert sale.confirmed_by is None
    services.manual_sale_confirm(user=officer, transaction_obj=sale)
    sale.refresh_from_db()
    assert sale.confirmed_by == officer
