"""Sales: unmatched transfers assigned or dismissed, manual entry and officer confirmation, marketplace
orders recorded idempotently, the portal pages and the API, and who may see what."""
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from common.exceptions import DomainError, PermissionDenied
from listings.models import Listing, MarketplaceAccount
from marketplace.connectors.base import Order, OrderLine
from payments import services
from payments.models import InboundEvent, Transaction
from payments.selectors import sales_totals
from tests.factories import OcopProductFactory, jpeg_bytes, pdf_bytes

from .conftest import load, raw, sepay_key_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(other_owner_and_producer):
    return other_owner_and_producer[0]


@pytest.fixture
def unmatched_event(client, webhook_secrets, account, product, django_capture_on_commit_callbacks):
    """A transfer of 300.000 into the producer's account with no code in the memo."""
    data = {**load("sepay_in.json"), "id": 555001, "content": "NGUYEN VAN A chuyen tien che", "transferAmount": 300000}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/webhooks/sepay/", data=raw(data), content_type="application/json", **sepay_key_headers())
    event = InboundEvent.objects.get(dedup_key="555001")
    assert event.state == "no_match" and event.producer == product.producer
    return event


def _manual(owner, product, **kwargs):
    values = {"quantity": 2, "amount": 300000, "occurred_at": timezone.now() - timedelta(days=1)}
    values.update(kwargs)
    return services.manual_sale_create(user=owner, product=product, **values)


# --- Unmatched transfers ------------------------------------------------------------------------

def test_owner_assigns_an_unmatched_transfer_to_a_product(client, owner, product, unmatched_event):
    # when the owner picks the product in the queue
    client.force_login(owner)
    page = client.get(reverse("payments:unmatched")).content.decode()
    assert "NGUYEN VAN A chuyen tien che" in page
    response = client.post(reverse("payments:unmatched_assign", args=[unmatched_event.pk]),
                           {f"e{unmatched_event.pk}-product": product.pk})
    # then a sale is recorded (quantity from the price) and the transfer leaves the queue
    assert response.status_code == 302
    sale = Transaction.objects.get()
    assert (sale.product, sale.quantity, sale.amount, sale.source) == (product, 2, 300000, "bank_transfer")
    unmatched_event.refresh_from_db()
    assert unmatched_event.state == "matched" and unmatched_event.resolved_by == owner
    assert "NGUYEN VAN A chuyen tien che" not in client.get(reverse("payments:unmatched")).content.decode()


def test_assigning_twice_is_refused(owner, product, unmatched_event):
    services.unmatched_assign(user=owner, event=unmatched_event, product=product, quantity=1)
    with pytest.raises(DomainError):
        services.unmatched_assign(user=owner, event=unmatched_event, product=product)
    assert Transaction.objects.count() == 1


def test_owner_dismisses_an_unmatched_transfer(client, owner, unmatched_event):
    client.force_login(owner)
    client.post(reverse("payments:unmatched_dismiss", args=[unmatched_event.pk]))
    unmatched_event.refresh_from_db()
    assert unmatched_event.state == "dismissed" and Transaction.objects.count() == 0


def test_another_producers_product_cannot_take_the_transfer(owner, unmatched_event, other_owner_and_producer):
    foreign = OcopProductFactory(producer=other_owner_and_producer[1])
    with pytest.raises(DomainError):
        services.unmatched_assign(user=owner, event=unmatched_event, product=foreign)


def test_stranger_cannot_see_or_resolve_the_transfer(client, stranger, product, unmatched_event):
    client.force_login(stranger)
    assert "chuyen tien che" not in client.get(reverse("payments:unmatched")).content.decode()
    assert client.post(reverse("payments:unmatched_assign", args=[unmatched_event.pk]),
                       {f"e{unmatched_event.pk}-product": product.pk}).status_code == 404
    assert client.post(reverse("payments:unmatched_dismiss", args=[unmatched_event.pk])).status_code == 404
    assert client.get(reverse("payments:event", args=[unmatched_event.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get(f"/api/inbound-events/{unmatched_event.pk}/").status_code == 404
    assert api.post(f"/api/inbound-events/{unmatched_event.pk}/dismiss/", {}).status_code == 404
    unmatched_event.refresh_from_db()
    assert unmatched_event.state == "no_match"


def test_api_assign_and_event_list(owner, product, unmatched_event):
    api = APIClient()
    api.force_authenticate(owner)
    listed = api.get("/api/inbound-events/", {"state": "no_match"}).json()
    assert [e["id"] for e in listed["results"]] == [unmatched_event.pk]
    response = api.post(f"/api/inbound-events/{unmatched_event.pk}/assign/", {"product": product.pk, "quantity": 2},
                        format="json")
    assert response.status_code == 201 and response.json()["quantity"] == 2
    again = api.post(f"/api/inbound-events/{unmatched_event.pk}/assign/", {"product": product.pk}, format="json")
    assert again.status_code == 404  # no longer in the unmatched queue


# --- Manual sales and confirmation --------------------------------------------------------------

def test_manual_sale_is_self_reported_until_an_officer_confirms(client, owner, officer, product):
    # given the owner records a sale with a receipt photo in the portal
    client.force_login(owner)
    photo = SimpleUploadedFile("hoa-don.txt", jpeg_bytes(400, 300), content_type="text/plain")
    response = client.post(reverse("payments:manual_sale"), {
        "product": product.pk, "quantity": 3, "amount": 450000, "occurred_on": "2026-11-02", "evidence": photo,
        "note": "Bán tại chợ phiên",
    })
    sale = Transaction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("payments:transaction", args=[sale.pk])
    # then it counts, shows "tự khai báo", and its receipt is stored by content type, not by name
    assert sale.source == "manual" and sale.status == "completed" and sale.is_self_reported
    assert sale.evidence.name.endswith(".jpg")
    assert "tự khai báo" in client.get(reverse("payments:transaction", args=[sale.pk])).content.decode()
    assert client.get(reverse("payments:transaction_evidence", args=[sale.pk]))["Content-Type"] == "image/jpeg"
    # when the officer confirms it from the list
    client.force_login(officer)
    assert sale.product.name in client.get(reverse("payments:confirmations")).content.decode()
    client.post(reverse("payments:confirm_sale", args=[sale.pk]))
    sale.refresh_from_db()
    assert sale.confirmed_by == officer and not sale.is_self_reported
    assert sale.product.name not in client.get(reverse("payments:confirmations")).content.decode()


def test_officer_rejects_a_manual_sale_and_it_stops_counting(client, owner, officer, product):
    sale = _manual(owner, product)
    client.force_login(officer)
    client.post(reverse("payments:reject_sale", args=[sale.pk]), {"reason": "Không có chứng từ"})
    sale.refresh_from_db()
    assert sale.status == "cancelled" and sale.rejected_by == officer and "Không có chứng từ" in sale.note
    assert sales_totals(Transaction.objects.all())["amount"] == 0


def test_members_cannot_confirm_their_own_sales(client, owner, product):
    sale = _manual(owner, product)
    with pytest.raises(PermissionDenied):
        services.manual_sale_confirm(user=owner, transaction_obj=sale)
    client.force_login(owner)
    assert client.get(reverse("payments:confirmations")).status_code == 403
    assert client.post(reverse("payments:confirm_sale", args=[sale.pk])).status_code == 403


@pytest.mark.parametrize("name, content", [
    ("hoa-don.jpg", b"MZ\x90\x00 not an image at all"),
    ("hoa-don.pdf", b"<html>fake pdf</html>"),
    ("hoa-don.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
], ids=["exe named jpg", "html named pdf", "gif"])
def test_evidence_is_checked_by_content(owner, product, name, content):
    with pytest.raises(DomainError) as error:
        _manual(owner, product, evidence=SimpleUploadedFile(name, content))
    assert "evidence" in error.value.fields
    assert Transaction.objects.count() == 0


def test_evidence_pdf_and_size_limit(owner, product):
    sale = _manual(owner, product, evidence=SimpleUploadedFile("x.bin", pdf_bytes()))
    assert sale.evidence.name.endswith(".pdf")
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(DomainError):
        _manual(owner, product, evidence=big)


def test_manual_sale_in_the_future_or_with_bad_numbers_is_refused(owner, product):
    with pytest.raises(DomainError):
        _manual(owner, product, occurred_at=timezone.now() + timedelta(days=2))
    with pytest.raises(DomainError):
        _manual(owner, product, quantity=0)
    with pytest.raises(DomainError):
        _manual(owner, product, amount=-1)


def test_stranger_cannot_record_for_another_producer(stranger, product):
    with pytest.raises(PermissionDenied):
        _manual(stranger, product)


def test_api_manual_sale_and_filters(owner, officer, product):
    api = APIClient()
    api.force_authenticate(owner)
    response = api.post("/api/transactions/", {
        "product": product.pk, "quantity": 1, "amount": 150000, "occurred_at": "2026-10-15T09:00:00+07:00",
    }, format="json")
    assert response.status_code == 201 and response.json()["self_reported"] is True
    sale_id = response.json()["id"]
    _manual(owner, product, occurred_at=timezone.make_aware(datetime(2026, 9, 1, 12)))
    october = api.get("/api/transactions/", {"date_from": "2026-10-01", "date_to": "2026-10-31"}).json()
    assert [t["id"] for t in october["results"]] == [sale_id]
    assert api.get("/api/transactions/", {"product": product.pk, "source": "manual"}).json()["count"] == 2
    assert api.get("/api/transactions/", {"source": "bank_transfer"}).json()["count"] == 0
    assert api.post(f"/api/transactions/{sale_id}/confirm/").status_code == 403
    api.force_authenticate(officer)
    assert api.post(f"/api/transactions/{sale_id}/confirm/").json()["self_reported"] is False


def test_api_manual_sale_with_evidence_upload(owner, product):
    api = APIClient()
    api.force_authenticate(owner)
    upload = SimpleUploadedFile("r.png", jpeg_bytes(200, 200, fmt="PNG"), content_type="image/png")
    response = api.post("/api/transactions/", {
        "product": product.pk, "quantity": 1, "amount": 150000, "occurred_at": "2026-10-15T09:00:00+07:00",
        "evidence": upload,
    }, format="multipart")
    assert response.status_code == 201 and response.json()["evidence"].endswith("/chung-tu/")


def test_api_refuses_anonymous_and_other_producers(client, owner, stranger, product):
    sale = _manual(owner, product)
    assert APIClient().get("/api/transactions/").status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.get(f"/api/transactions/{sale.pk}/").status_code == 404
    assert api.get("/api/transactions/").json()["count"] == 0
    response = api.post("/api/transactions/", {
        "product": product.pk, "quantity": 1, "amount": 1, "occurred_at": "2026-10-15T09:00:00+07:00",
    }, format="json")
    assert response.status_code == 404


# --- Portal: history, product sales, access ------------------------------------------------------

def test_sales_history_totals_count_only_completed(client, owner, product, officer):
    _manual(owner, product, quantity=2, amount=300000)
    cancelled = _manual(owner, product, quantity=5, amount=750000)
    services.manual_sale_reject(user=officer, transaction_obj=cancelled)
    client.force_login(owner)
    page = client.get(reverse("payments:transactions")).content.decode()
    assert "300.000" in page and "750.000" in page  # both listed
    totals = client.get(reverse("payments:product_sales", args=[product.pk])).context["totals"]
    assert totals == {"count": 1, "quantity": 2, "amount": 300000}
    filtered = client.get(reverse("payments:transactions"), {"status": "cancelled"}).context["totals"]
    assert filtered["amount"] == 0


def test_sales_history_filters_by_source_marketplace_and_period(client, owner, product):
    _manual(owner, product, occurred_at=timezone.make_aware(datetime(2026, 8, 5, 12)))
    account = MarketplaceAccount.objects.create(producer=product.producer, marketplace="shopee", shop_id="88001")
    services.record_marketplace_order(account=account, order=_order("2608ORDER1", product.sku))
    client.force_login(owner)
    url = reverse("payments:transactions")
    assert client.get(url, {"marketplace": "shopee"}).context["totals"]["count"] == 1
    assert client.get(url, {"source": "manual"}).context["totals"]["count"] == 1
    assert client.get(url, {"date_from": "2026-08-01", "date_to": "2026-08-31"}).context["totals"]["count"] == 1
    assert client.get(url, {"date_from": "2026-09-01"}).context["totals"]["count"] == 1


def test_product_page_links_to_its_sales(client, owner, product):
    client.force_login(owner)
    page = client.get(reverse("portal:product", args=[product.pk])).content.decode()
    assert reverse("payments:product_sales", args=[product.pk]) in page
    assert reverse("payments:transactions") in client.get(reverse("payments:codes")).content.decode()


def test_another_producer_gets_404_on_every_sales_page(client, owner, stranger, product):
    sale = _manual(owner, product, evidence=SimpleUploadedFile("r.jpg", jpeg_bytes(100, 100)))
    client.force_login(stranger)
    for url in (reverse("payments:transaction", args=[sale.pk]),
                reverse("payments:transaction_evidence", args=[sale.pk]),
                reverse("payments:product_sales", args=[product.pk])):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("payments:transactions"), {"producer": product.producer_id}).status_code == 404
    assert client.get(reverse("payments:transactions")).context["totals"]["count"] == 0
    assert client.post(reverse("payments:manual_sale"), {
        "product": product.pk, "quantity": 1, "amount": 1, "occurred_on": "2026-11-01"}).status_code == 200
    assert Transaction.objects.count() == 1


def test_anonymous_is_sent_to_login(client, owner, product):
    sale = _manual(owner, product)
    for url in (reverse("payments:transactions"), reverse("payments:transaction", args=[sale.pk]),
                reverse("payments:product_sales", args=[product.pk]), reverse("payments:manual_sale"),
                reverse("payments:unmatched"), reverse("payments:events"), reverse("payments:confirmations"),
                reverse("payments:order_import")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_officer_sees_every_event_and_members_only_theirs(client, officer, owner, stranger, unmatched_event):
    client.force_login(officer)
    assert client.get(reverse("payments:event", args=[unmatched_event.pk])).status_code == 200
    client.force_login(owner)
    assert len(client.get(reverse("payments:events")).context["page"].object_list) == 1
    client.force_login(stranger)
    assert len(client.get(reverse("payments:events")).context["page"].object_list) == 0


# --- Marketplace orders -------------------------------------------------------------------------

def _order(order_id, sku, *, status="completed", quantity=1, amount=150000, item_id="", lines=None):
    now = timezone.now()
    return Order(external_id=order_id, status=status, created_at=now, updated_at=now,
                 lines=lines or [OrderLine(external_item_id=item_id, sku=sku, quantity=quantity, amount=amount)],
                 raw={})


@pytest.fixture
def shop(product):
    return MarketplaceAccount.objects.create(producer=product.producer, marketplace="lazada", shop_id="VN1001")


def test_marketplace_order_makes_one_sale_per_line_and_is_idempotent(shop, product):
    second = OcopProductFactory(producer=product.producer, name="Bạch trà Suối Giàng", price=450000)
    listing = Listing.objects.create(product=second, account=shop, external_id="2410000999")
    order = _order("500000777", "", lines=[
        OrderLine(external_item_id="", sku=product.sku, quantity=2, amount=300000),
        OrderLine(external_item_id="2410000999", sku="SKU-CUA-SAN", quantity=1, amount=450000),
        OrderLine(external_item_id="404", sku="KHONG-CO", quantity=1, amount=1000),
    ])
    result = services.record_marketplace_order(account=shop, order=order)
    assert len(result["created"]) == 2 and len(result["unmatched"]) == 1
    by_product = {t.product: t for t in Transaction.objects.all()}
    assert by_product[product].external_id == f"500000777:{product.sku}"
    assert by_product[second].listing == listing and by_product[second].marketplace == "lazada"
    assert by_product[second].dedup_scope == f"account:{shop.pk}"
    # the same order again: nothing new
    again = services.record_marketplace_order(account=shop, order=order)
    assert not again["created"] and len(again["unchanged"]) == 2
    assert Transaction.objects.count() == 2


@pytest.mark.parametrize("later", ["cancelled", "refunded"])
def test_cancelled_or_refunded_order_drops_out(shop, product, later):
    services.record_marketplace_order(account=shop, order=_order("O-1", product.sku))
    assert sales_totals(Transaction.objects.all())["count"] == 1
    result = services.record_marketplace_order(account=shop, order=_order("O-1", product.sku, status=later))
    assert len(result["updated"]) == 1
    assert Transaction.objects.get().status == later
    assert sales_totals(Transaction.objects.all())["count"] == 0


def test_pending_order_becomes_completed(shop, product):
    services.record_marketplace_order(account=shop, order=_order("O-2", product.sku, status="pending"))
    services.record_marketplace_order(account=shop, order=_order("O-2", product.sku, status="completed"))
    assert Transaction.objects.get().status == "completed"


def test_an_order_of_another_producers_product_is_not_recorded(shop, other_owner_and_producer):
    foreign = OcopProductFactory(producer=other_owner_and_producer[1])
    result = services.record_marketplace_order(account=shop, order=_order("O-3", foreign.sku))
    assert result["unmatched"] and Transaction.objects.count() == 0


def test_every_sales_page_renders_for_owner_and_officer(client, owner, officer, product, unmatched_event):
    sale = _manual(owner, product, evidence=SimpleUploadedFile("r.pdf", pdf_bytes()))
    pages = [reverse("payments:transactions"), reverse("payments:manual_sale"), reverse("payments:unmatched"),
             reverse("payments:events"), reverse("payments:event", args=[unmatched_event.pk]),
             reverse("payments:transaction", args=[sale.pk]), reverse("payments:product_sales", args=[product.pk]),
             reverse("payments:order_import"), f"{reverse('payments:manual_sale')}?product={product.pk}",
             f"{reverse('payments:transactions')}?producer={product.producer_id}&page=2"]
    for user in (owner, officer):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user, url)
    assert client.get(reverse("payments:confirmations")).status_code == 200
    assert client.get(reverse("payments:transaction_evidence", args=[sale.pk]))["Content-Type"] == "application/pdf"
    assert "Từ chối" in client.get(reverse("payments:transaction", args=[sale.pk])).content.decode()


def test_journey_label_code_paid_by_transfer_shows_the_first_sale(client, owner, product, account, webhook_secrets,
                                                                  django_capture_on_commit_callbacks):
    # given the owner makes a static code for the product in the portal (what a label prints)
    client.force_login(owner)
    client.post(reverse("payments:product_code", args=[product.pk]), {"bank_account": account.pk, "amount": ""})
    code = product.payment_codes.get()
    assert client.get(reverse("payments:product_sales", args=[product.pk])).context["totals"]["count"] == 0
    # when a buyer's bank reports the transfer, memo mangled as banks do
    data = {**load("sepay_in.json"), "id": 777001, "content": f"IBFT ocop {code.reference[:3]} {code.reference[3:]}",
            "transferAmount": 150000}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/webhooks/sepay/", data=raw(data), content_type="application/json", **sepay_key_headers())
    # then the product's sales page shows its first sale
    page = client.get(reverse("payments:product_sales", args=[product.pk]))
    assert page.context["totals"] == {"count": 1, "quantity": 1, "amount": 150000}
    assert "Chuyển khoản" in page.content.decode()
