import datetime as dt
import json
import os

import pytest
from auditlog.context import set_actor
from axes.models import AccessAttempt
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models as dj_models
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from dashboard import selectors as dashboard_selectors
from dashboard.models import LiveSpan, ProductMonth, ProductMonthChannel
from dashboard.periods import quarter_period
from listings import services as listing_services
from listings.models import (
    Listing,
    ListingAttempt,
    ListingStatusChange,
    MarketplaceAccount,
)
from payments import services as payment_services
from payments import tasks as payment_tasks
from payments.models import Bank, BankAccount, PaymentCode, Transaction
from payments.services import polling
from producers import privacy
from producers.models import DataDeletionRequest, Invitation, Membership, Producer
from producers.services import photo_add
from tests.factories import OcopProductFactory, ProducerFactory, jpeg_bytes, make_member

pytestmark = pytest.mark.django_db


def test_owner_downloads_everything_held_about_the_producer(client, owner, producer):
    OcopProductFactory(producer=producer, name="Mật ong bạc hà")
    client.force_login(owner)
    response = client.get(reverse("portal:personal_data_export", args=[producer.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["producer"]["name"] == producer.name
    assert data["members"][0]["username"] == owner.username
    assert data["products"][0]["name"] == "Mật ong bạc hà"
    assert {"bank_accounts", "listings", "transactions", "marketplace_accounts"} <= set(data)
    assert "access_token" not in response.content.decode()


def test_staff_and_other_producers_cannot_download(client, producer, other_owner_and_producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF)
    client.force_login(staff)
    assert client.get(reverse("portal:personal_data_export", args=[producer.pk])).status_code == 403
    client.force_login(other_owner_and_producer[0])
    assert client.get(reverse("portal:personal_data_export", args=[producer.pk])).status_code == 404


def test_deletion_request_carried_out_by_an_officer_erases_people_keeps_products(client, owner, producer, officer):
    product = OcopProductFactory(producer=producer)
    client.force_login(owner)
    client.post(reverse("portal:personal_data", args=[producer.pk]), {"reason": "Ngừng hoạt động"})
    request = DataDeletionRequest.objects.get(producer=producer)
    client.force_login(officer)
    client.post(reverse("portal:deletion_requests"), {"request": request.pk, "action": "carry_out"})
    producer.refresh_from_db()
    owner.refresh_from_db()
    assert (producer.representative, producer.phone, producer.email, producer.address) == ("", "", "", "")
    assert producer.status == Producer.Status.SUSPENDED
    assert not owner.is_active and owner.email == "" and owner.username.startswith("da-xoa-")
    assert not owner.has_usable_password()
    assert not Membership.objects.filter(producer=producer).exists()
    assert producer.products.filter(pk=product.pk).exists()
    request.refresh_from_db()
    assert request.status == DataDeletionRequest.Status.DONE and request.handled_by == officer


def test_only_one_pending_request_and_only_owners_ask(client, owner, producer):
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF)
    client.force_login(staff)
    assert client.post(reverse("portal:personal_data", args=[producer.pk])).status_code == 403
    client.force_login(owner)
    client.post(reverse("portal:personal_data", args=[producer.pk]))
    client.post(reverse("portal:personal_data", args=[producer.pk]))
    assert DataDeletionRequest.objects.filter(producer=producer).count() == 1


# --- Erasure reaches every app -------------------------------------------------------------------

ACCOUNT_NUMBER = "190333444555"
PERSONAL = {
    "producer phone": "+84911222333",
    "producer e-mail": "lienhe.hoa@htx-ban-me.vn",
    "representative": "Nguyễn Thị Hoà",
    "address": "Số 7 thôn Bản Mế",
    "owner name": "Lò Thị Mỷ",
    "owner username": "lothimy",
    "owner e-mail": "lothimy@example.vn",
    "owner phone": "0977333444",
    "staff name": "Vàng Seo Chư",
    "staff e-mail": "vangseochu@example.vn",
    "staff phone": "0966555666",
    "invited e-mail": "moi.nguoi@example.vn",
    "account number": ACCOUNT_NUMBER,
    "holder name": "NGUYEN THI HOA",
    "payer name": "PHAM THI MAI",
    "payer account": "0451777888999",
    "casso payer": "DO VAN KHOA",
    "sale note": "giao cho chi Mai o cho phien",
    "request reason": "xin xoa, goi 0977333444",
    "photo file name": "anh-cua-lo-thi-my",
    "access token": "shp-access-7f3a9e1c",
    "refresh token": "shp-refresh-9c1d4b2a",
    "shop name": "Shop Che Ba Hoa",
    "address of a login": "203.0.113.77",
}


def _sepay(reference, external_id, amount):
    return json.dumps({
        "id": external_id, "gateway": "Vietcombank", "transactionDate": "2026-07-20 14:02:37",
        "accountNumber": ACCOUNT_NUMBER, "code": None,
        "content": f"MBVCB.{external_id}.OCOP {reference}.CT tu 0451777888999 PHAM THI MAI toi {ACCOUNT_NUMBER}",
        "transferType": "in", "transferAmount": amount, "accumulated": 19077000, "subAccount": None,
        "referenceCode": f"MBVCB.{external_id}", "description": "BankAPINotify PHAM THI MAI",
    })


def _casso_unmatched(external_id):
    return json.dumps({"error": 0, "data": {
        "id": external_id, "reference": "FT24207938475610", "description": "IBFT chuyen tien khong ma",
        "amount": 90000, "transactionDateTime": "2026-07-21 09:05:11", "accountNumber": ACCOUNT_NUMBER,
        "bankName": "Vietcombank", "bankAbbreviation": "VCB", "counterAccountName": "DO VAN KHOA",
        "counterAccountNumber": "0071000654321"}})


def _receive(provider, body):
    event, _new = payment_services.inbound_event_receive(provider=provider, body=body,
                                                         headers={"Authorization": "Apikey secret"})
    return payment_services.inbound_event_process(event_id=event.pk)


@pytest.fixture
def everything(settings, tmp_path, officer):
    """A cooperative with all we may hold about it: people, photos, receipts, bank accounts, codes,
    bank notifications with memos, manual and marketplace sales, connected shops with tokens,
    invitations, audit entries made by its people, a login record and an API token."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    producer = ProducerFactory(name="HTX Chè Bản Mế", representative=PERSONAL["representative"],
                               phone="+84900000000", email=PERSONAL["producer e-mail"], address=PERSONAL["address"])
    owner, _ = make_member(producer=producer, username="lothimy", full_name="Lò Thị Mỷ",
                           email="lothimy@example.vn", phone="0977333444")
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, full_name="Vàng Seo Chư",
                           email="vangseochu@example.vn", phone="0966555666")
    with set_actor(owner, remote_addr="203.0.113.77"):
        producer.phone = PERSONAL["producer phone"]
        producer.save()
        product = OcopProductFactory(producer=producer, name="Chè Shan tuyết Bản Mế", price=150000)
        account = BankAccount.objects.create(producer=producer, bank=Bank.objects.get(bin="970436"),
                                             account_number=ACCOUNT_NUMBER, holder_name="Nguyễn Thị Hoà",
                                             is_default=True)
        shopee = MarketplaceAccount.objects.create(
            producer=producer, marketplace="shopee", shop_id="778899", shop_name=PERSONAL["shop name"],
            access_token=PERSONAL["access token"], refresh_token=PERSONAL["refresh token"],
            refresh_expires_at=timezone.now() + dt.timedelta(days=2))
        shopee.extra = {"merchant_id": "55", "contact": PERSONAL["owner phone"]}
        shopee.save()
    Invitation.objects.create(producer=producer, email=PERSONAL["invited e-mail"], invited_by=owner)
    photo_add(product=product, user=owner,
              upload=SimpleUploadedFile("anh-cua-lo-thi-my.jpg", jpeg_bytes(), "image/jpeg"))
    code = PaymentCode.objects.create(product=product, bank_account=account, amount=150000, reference="K7P2QX")
    matched = _receive("sepay", _sepay(code.reference, 880001, 150000))
    payment_services.inbound_event_receive(provider="sepay", body=_sepay(code.reference, 880001, 150000),
                                           headers={}, dedup_key="880001")  # delivered twice
    unmatched = _receive("casso", _casso_unmatched(990001))
    manual = payment_services.manual_sale_create(
        user=owner, product=product, quantity=2, amount=300000, occurred_at=timezone.now() - dt.timedelta(days=2),
        evidence=SimpleUploadedFile("bien-nhan.png", jpeg_bytes(400, 300, fmt="PNG")), note=PERSONAL["sale note"])
    payment_services.manual_sale_confirm(user=officer, transaction_obj=manual)
    sandbox = listing_services.account_connect(producer=producer, user=owner, marketplace="sandbox")
    live = Listing.objects.create(product=product, account=sandbox)
    for old, new in (("draft", "queued"), ("queued", "publishing"), ("publishing", "live")):
        ListingStatusChange.objects.create(listing=live, from_status=old, to_status=new,
                                           at=timezone.now() - dt.timedelta(days=20))
    Listing.objects.filter(pk=live.pk).update(status="live", live_since=timezone.now() - dt.timedelta(days=20))
    waiting = Listing.objects.create(product=OcopProductFactory(producer=producer, name="Mật ong Bản Mế"),
                                     account=shopee, status=Listing.Status.QUEUED)
    Transaction.objects.create(product=product, producer=producer, source="marketplace_order", marketplace="shopee",
                               marketplace_account=shopee, dedup_scope=f"account:{shopee.pk}", external_id="SN1:1",
                               quantity=1, amount=150000, occurred_at=timezone.now() - dt.timedelta(days=1))
    request = DataDeletionRequest.objects.create(producer=producer, requested_by=owner,
                                                 reason=PERSONAL["request reason"])
    AccessAttempt.objects.create(username="lothimy", ip_address="203.0.113.77", user_agent="Mozilla/5.0",
                                 http_accept="*/*", path_info="/dang-nhap/", get_data="", post_data="",
                                 failures_since_start=1)
    token = Token.objects.create(user=owner)
    PERSONAL["api token"] = token.key
    return {"producer": producer, "owner": owner, "staff": staff, "product": product, "account": account,
            "shopee": shopee, "sandbox": sandbox, "request": request, "manual": manual, "matched": matched,
            "unmatched": unmatched, "waiting": waiting, "live": live}


TEXT_FIELDS = (dj_models.CharField, dj_models.TextField, dj_models.JSONField, dj_models.FileField,
               dj_models.GenericIPAddressField)


def _personal_strings_in_tables():
    """Every text, JSON, file-name and address column of every model, read through the ORM (so
    encrypted columns are read as their plain text)."""
    found = []
    needles = {label: text.casefold() for label, text in PERSONAL.items()}
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for values in model._default_manager.values_list("pk", *fields):
            for name, value in zip(fields, values[1:], strict=True):
                text = (json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value or ""))
                for label, needle in needles.items():
                    if needle in text.casefold():
                        found.append((model._meta.label, values[0], name, label))
    return found


def _personal_strings_in_files(root):
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                content = handle.read()
            for label, text in PERSONAL.items():
                if text.encode() in content or text.encode() in path.encode():
                    found.append((path, label))
    return found


def _figures(officer):
    period = quarter_period(timezone.localdate().year, (timezone.localdate().month - 1) // 3 + 1)
    return {
        "summary": dashboard_selectors.summary(user=officer, period=period),
        "trend": dashboard_selectors.trend(user=officer, period=period),
        "product_months": list(ProductMonth.objects.order_by("pk").values()),
        "channel_figures": list(ProductMonthChannel.objects.order_by("pk").values()),
        "live_spans": list(LiveSpan.objects.order_by("pk").values()),
        "sales": list(Transaction.objects.order_by("pk").values_list(
            "product_id", "producer_id", "source", "marketplace", "quantity", "amount", "occurred_at", "status",
            "confirmed_at")),
    }


def test_erasure_leaves_nothing_personal_in_any_table_or_file_and_keeps_every_figure(
        client, officer, everything, settings, monkeypatch, django_capture_on_commit_callbacks):
    # given a producer with everything, whose people and data are everywhere
    assert {label for *_where, label in _personal_strings_in_tables()} == set(PERSONAL)
    receipt = everything["manual"].evidence.name
    assert receipt and os.path.exists(os.path.join(settings.MEDIA_ROOT, receipt))
    assert everything["sandbox"] in polling.order_sync_accounts()
    before = _figures(officer)
    # when an officer carries out its deletion request
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:deletion_requests"),
                               {"request": everything["request"].pk, "action": "carry_out"})
    assert response.status_code == 302
    everything["request"].refresh_from_db()
    assert everything["request"].status == DataDeletionRequest.Status.DONE
    # then no table and no stored file holds any of its personal strings
    assert _personal_strings_in_tables() == []
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, receipt))
    assert _personal_strings_in_files(settings.MEDIA_ROOT) == []
    # the photos stay (products, not people)
    assert everything["product"].photos.count() == 1
    # every figure is as it was
    assert _figures(officer) == before
    # the shops are disconnected, hold no credentials, and nothing polls or publishes them
    for shop in (everything["shopee"], everything["sandbox"]):
        shop.refresh_from_db()
        assert shop.status == MarketplaceAccount.Status.REVOKED
        assert (shop.access_token, shop.refresh_token, shop.credentials_extra) == ("", "", "")

    def no_network(*args, **kwargs):
        raise AssertionError("a marketplace was called for an erased producer's shop")

    monkeypatch.setattr("requests.sessions.Session.request", no_network)
    calls = ListingAttempt.objects.count()
    assert polling.order_sync_accounts() == []
    assert payment_tasks.poll_marketplace_orders() == 0
    assert payment_tasks.sync_account_orders(everything["sandbox"].pk) is None
    assert listing_services.accounts_refresh_expiring(within=dt.timedelta(days=400)) == 0
    assert ListingAttempt.objects.count() == calls
    everything["waiting"].refresh_from_db()
    assert everything["waiting"].status == Listing.Status.FAILED
    # the people cannot log in any more
    for person in (everything["owner"], everything["staff"]):
        person.refresh_from_db()
        assert not person.is_active and not person.has_usable_password()
    assert not Token.objects.exists() and not AccessAttempt.objects.exists()


def test_erasure_keeps_the_members_who_belong_to_another_producer(officer, everything):
    # given the staff member also works for another cooperative
    other = ProducerFactory()
    Membership.objects.create(user=everything["staff"], producer=other, role=Membership.Role.OWNER)
    # when the first one's data is erased
    privacy.deletion_request_carry_out(request=everything["request"], user=officer)
    # then the staff member keeps their account and their other membership; the owner's is closed
    staff = everything["staff"]
    staff.refresh_from_db()
    assert staff.is_active and staff.email == "vangseochu@example.vn"
    assert Membership.objects.filter(user=staff, producer=other).exists()
    assert not Membership.objects.filter(producer=everything["producer"]).exists()


def test_a_household_business_loses_its_name_and_tax_code_but_not_its_figures(officer, everything):
    producer = everything["producer"]
    Producer.objects.filter(pk=producer.pk).update(kind=Producer.Kind.HOUSEHOLD,
                                                   name="Hộ kinh doanh Nguyễn Thị Hoà", tax_code="001190012345")
    before = _figures(officer)["sales"]
    privacy.deletion_request_carry_out(request=everything["request"], user=officer)
    producer.refresh_from_db()
    assert "Hoà" not in producer.name and producer.tax_code == ""
    assert _figures(officer)["sales"] == before


def test_files_are_deleted_only_after_the_erasure_commits(officer, everything, settings,
                                                          django_capture_on_commit_callbacks):
    receipt = os.path.join(settings.MEDIA_ROOT, everything["manual"].evidence.name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        privacy.deletion_request_carry_out(request=everything["request"], user=officer)
    assert os.path.exists(receipt)  # not yet: the transaction could still roll back
    for callback in callbacks:
        callback()
    assert not os.path.exists(receipt)


def test_the_download_holds_every_apps_part_and_no_secret(client, everything):
    client.force_login(everything["owner"])
    response = client.get(reverse("portal:personal_data_export", args=[everything["producer"].pk]))
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["bank_accounts"][0]["account_number"] == ACCOUNT_NUMBER
    assert data["payment_codes"][0]["reference"] == "K7P2QX"
    assert {t["source"] for t in data["transactions"]} == {"bank_transfer", "manual", "marketplace_order"}
    assert any("PHAM THI MAI" in (e["content"] or "") for e in data["inbound_events"])
    assert {a["marketplace"] for a in data["marketplace_accounts"]} == {"shopee", "sandbox"}
    assert {u["email"] for u in data["users"]} == {"lothimy@example.vn", "vangseochu@example.vn"}
    assert data["invitations"][0]["email"] == PERSONAL["invited e-mail"]
    assert data["photos"] and data["listings"]
    for secret in (PERSONAL["access token"], PERSONAL["refresh token"], PERSONAL["api token"], "merchant_id"):
        assert secret not in text


def test_erasure_reaches_notifications_never_tied_to_the_producer_and_no_one_elses(officer, everything):
    # given notifications nobody tied to the producer: a push for its Shopee shop that came before the
    # shop was connected and a bank notification naming its account, not processed yet; and others'
    def push(shop_id, order):
        return json.dumps({"shop_id": shop_id, "code": 3, "timestamp": 1785000000,
                           "data": {"ordersn": order, "status": "READY_TO_SHIP", "update_time": 1785000000}})

    receive = payment_services.inbound_event_receive
    ours = [receive(provider="shopee", body=push(778899, "SN-OURS"), headers={}, dedup_key="p1")[0],
            receive(provider="sepay", body=_sepay("ZZZZZZ", 880777, 50000), headers={}, dedup_key="b1")[0]]
    theirs = [receive(provider="shopee", body=push(111222, "SN-THEIRS"), headers={}, dedup_key="p2")[0],
              receive(provider="sepay", body=_sepay("ZZZZZZ", 880778, 50000).replace(ACCOUNT_NUMBER, "555666777888"),
                      headers={}, dedup_key="b2")[0]]
    # when its data is erased
    privacy.deletion_request_carry_out(request=everything["request"], user=officer)
    # then ours lose their bodies, and the others keep theirs
    for event in ours:
        event.refresh_from_db()
        assert event.body == ""
    for event in theirs:
        body = event.body
        event.refresh_from_db()
        assert event.body == body != ""


def test_a_failing_part_rolls_the_whole_erasure_back_and_keeps_the_files(officer, everything, settings, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    # given one app's part fails half-way through the erasure
    from listings.privacy import ShopsData

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ShopsData, "erase", broken)
    receipt = os.path.join(settings.MEDIA_ROOT, everything["manual"].evidence.name)
    # when an officer carries it out
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        privacy.deletion_request_carry_out(request=everything["request"], user=officer)
    # then nothing was erased, in the database or in storage
    assert callbacks == []
    assert os.path.exists(receipt)
    everything["producer"].refresh_from_db()
    everything["request"].refresh_from_db()
    assert everything["producer"].representative == PERSONAL["representative"]
    assert everything["request"].status == DataDeletionRequest.Status.PENDING
    assert BankAccount.objects.get(pk=everything["account"].pk).account_number == ACCOUNT_NUMBER


def test_each_app_contributes_its_own_part_and_the_low_layers_import_no_higher_app():
    import ast
    from pathlib import Path

    from common import privacy as registry

    # every app holding personal data registered its own part (in its AppConfig.ready)
    assert {cls.identifier: cls.__module__ for cls in registry.registered()} == {
        "accounts": "accounts.privacy", "producers": "producers.privacy", "listings": "listings.privacy",
        "payments": "payments.privacy"}
    # and the registry and producers' part reach no app above them
    root = Path(__file__).resolve().parents[2]
    higher = {"common/privacy.py": {"accounts", "producers", "listings", "marketplace", "payments", "dashboard"},
              "producers/privacy.py": {"listings", "marketplace", "payments", "dashboard"},
              "accounts/privacy.py": {"producers", "listings", "marketplace", "payments", "dashboard"}}
    for path, forbidden in higher.items():
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and node.level == 0}
        assert not imported & forbidden, path


def test_a_file_storage_cannot_delete_is_logged_and_the_erasure_stands(officer, everything, monkeypatch, caplog,
                                                                        django_capture_on_commit_callbacks):
    from django.core.files.storage import FileSystemStorage

    def refuse(self, name):
        raise OSError("bucket unreachable")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    receipt = everything["manual"].evidence.name
    with django_capture_on_commit_callbacks(execute=True):
        privacy.deletion_request_carry_out(request=everything["request"], user=officer)
    everything["request"].refresh_from_db()
    assert everything["request"].status == DataDeletionRequest.Status.DONE
    assert not Transaction.objects.filter(evidence=receipt).exists()
    assert any(receipt in record.getMessage() for record in caplog.records)
