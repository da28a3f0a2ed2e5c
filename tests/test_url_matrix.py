"""Every route of the service, walked from the URL resolver, for an anonymous caller and for the
owner of ANOTHER producer: nothing is public by accident, and no object of one producer is ever
returned or changed for another. A new route must be added to ROUTE_OBJECTS (or PUBLIC) to pass."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from listings.models import Listing
from listings.services import account_connect, listing_create
from payments.models import Bank, InboundEvent
from payments.services import bank_account_create, manual_sale_create, payment_code_create
from producers.models import Membership
from producers.services import photo_add
from tests.factories import OcopProductFactory, jpeg_bytes, make_member

pytestmark = pytest.mark.django_db

# Reachable without logging in, on purpose.
PUBLIC = {
    "healthz", "set_language", "schema", "swagger-ui", "redoc", "login", "logout", "portal:landing",
    "portal:signup", "portal:accept_invitation", "portal:invitation_link", "marketplace:sandbox_item", "marketplace:sandbox_image",
    "webhook",
    "system_status",  # staff only: its own test in tests/test_health_and_docs.py
    "listings:account_callback",  # the marketplace sends the seller back here; it checks a signed state
    "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
}
# Reference data every logged-in user may read.
SHARED_READ = {"commune-list", "commune-detail", "product-group-list", "product-group-detail", "bank-list",
               "bank-detail", "api-root"}


@pytest.fixture
def world(db):
    owner, producer = make_member(username="chu-a")
    product = OcopProductFactory(producer=producer)
    photo = photo_add(product=product, user=owner, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    account = account_connect(producer=producer, user=owner, marketplace="sandbox", shop_name="Gian hàng A")
    account = account[0] if isinstance(account, tuple) else account
    listing = listing_create(product=product, account=account, user=owner)
    bank_account = bank_account_create(user=owner, producer=producer, bank=Bank.objects.get(bin="970436"),
                                       account_number="0071000123456", holder_name=producer.representative)
    code = payment_code_create(user=owner, product=product)
    sale = manual_sale_create(user=owner, product=product, quantity=1, amount=150000,
                              occurred_at=timezone.now() - timedelta(days=1))
    event = InboundEvent.objects.create(provider="sepay", body="{}", state=InboundEvent.State.NO_MATCH,
                                        producer=producer, bank_account=bank_account, amount=150000)
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, username="nv-a")
    other, _ = make_member(username="chu-b")
    return {
        "producer": producer, "product": product, "photo": photo, "account": account, "listing": listing,
        "bank_account": bank_account, "code": code, "sale": sale, "event": event,
        "membership": Membership.objects.get(user=staff), "other": other,
    }


def _pk(name):
    return lambda w: w[name].pk


# url name -> {kwarg: how to get it from the world}
ROUTE_OBJECTS = {
    "producer-detail": {"pk": _pk("producer")}, "producer-invitations": {"pk": _pk("producer")},
    "producer-members": {"pk": _pk("producer")}, "producer-set-status": {"pk": _pk("producer")},
    "product-detail": {"pk": _pk("product")}, "product-photos": {"product_pk": _pk("product")},
    "product-photo": {"product_pk": _pk("product"), "pk": _pk("photo")},
    "marketplace-account-detail": {"pk": _pk("account")},
    "listing-detail": {"pk": _pk("listing")}, "listing-attempts": {"pk": _pk("listing")},
    "listing-delist": {"pk": _pk("listing")}, "listing-publish": {"pk": _pk("listing")},
    "payment-code-detail": {"pk": _pk("code")}, "payment-code-pdf": {"pk": _pk("code")},
    "payment-code-png": {"pk": _pk("code")}, "payment-code-svg": {"pk": _pk("code")},
    "bank-account-detail": {"pk": _pk("bank_account")}, "bank-account-default": {"pk": _pk("bank_account")},
    "bank-account-approve": {"pk": _pk("bank_account")}, "bank-account-reject": {"pk": _pk("bank_account")},
    "transaction-detail": {"pk": _pk("sale")}, "transaction-confirm": {"pk": _pk("sale")},
    "transaction-reject": {"pk": _pk("sale")},
    "inbound-event-detail": {"pk": _pk("event")}, "inbound-event-assign": {"pk": _pk("event")},
    "inbound-event-dismiss": {"pk": _pk("event")},
    "portal:producer": {"pk": _pk("producer")}, "portal:members": {"pk": _pk("producer")},
    "portal:member_remove": {"pk": _pk("producer"), "membership_pk": _pk("membership")},
    "portal:personal_data": {"pk": _pk("producer")}, "portal:personal_data_export": {"pk": _pk("producer")},
    "portal:product": {"pk": _pk("product")}, "portal:product_edit": {"pk": _pk("product")},
    "portal:product_delete": {"pk": _pk("product")},
    "portal:photo_delete": {"pk": _pk("product"), "photo_pk": _pk("photo")},
    "portal:producer_set_status": {"pk": _pk("producer")},
    "listings:detail": {"pk": _pk("listing")}, "listings:price_stock": {"pk": _pk("listing")},
    "listings:mark_live": {"pk": _pk("listing")},
    "listings:action": {"pk": _pk("listing"), "action": lambda w: "delist"},
    "listings:account_disconnect": {"pk": _pk("account")}, "listings:feed_download": {"pk": _pk("account")},
    "orders:account_sync": {"pk": _pk("account")}, "orders:sandbox_order": {"pk": _pk("account")},
    "payments:bank_account_delete": {"pk": _pk("bank_account")},
    "payments:bank_account_default": {"pk": _pk("bank_account")},
    "payments:bank_account_approve": {"pk": _pk("bank_account")},
    "payments:bank_account_reject": {"pk": _pk("bank_account")},
    "payments:product_code": {"product_id": _pk("product")}, "payments:product_sales": {"product_id": _pk("product")},
    "payments:code": {"pk": _pk("code")}, "payments:code_png": {"pk": _pk("code")},
    "payments:code_svg": {"pk": _pk("code")}, "payments:code_pdf": {"pk": _pk("code")},
    "payments:transaction": {"pk": _pk("sale")}, "payments:transaction_evidence": {"pk": _pk("sale")},
    "payments:confirm_sale": {"pk": _pk("sale")}, "payments:reject_sale": {"pk": _pk("sale")},
    "payments:event": {"pk": _pk("event")}, "payments:unmatched_assign": {"pk": _pk("event")},
    "payments:unmatched_dismiss": {"pk": _pk("event")},
}
PUBLIC_KWARGS = {
    "webhook": {"channel": "sepay"}, "portal:invitation_link": {"token": "x"}, "marketplace:sandbox_item": {"external_id": "x"},
    "marketplace:sandbox_image": {"image_id": "x"}, "listings:account_callback": {"marketplace": "shopee"},
    "password_reset_confirm": {"uidb64": "x", "token": "x"},
    "commune-detail": {"code": 1}, "product-group-detail": {"pk": "x"}, "bank-detail": {"bin": "970436"},
}


def _routes(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            space = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, space)
        elif pattern.name and "format" not in pattern.pattern.regex.groupindex:
            yield f"{namespace}{pattern.name}", pattern


def _all_names():
    return sorted({name for name, _ in _routes()})


def _url(name, world):
    if name in ROUTE_OBJECTS:
        return reverse(name, kwargs={key: get(world) for key, get in ROUTE_OBJECTS[name].items()})
    return reverse(name, kwargs=PUBLIC_KWARGS.get(name, {}))


def test_every_route_is_classified():
    known = PUBLIC | SHARED_READ | set(ROUTE_OBJECTS) | set(PUBLIC_KWARGS)
    unclassified = []
    for name in _all_names():
        if name in known:
            continue
        try:
            reverse(name)
        except Exception:  # noqa: BLE001 - it needs arguments nobody described
            unclassified.append(name)
    assert unclassified == [], "add these routes to ROUTE_OBJECTS or PUBLIC_KWARGS"


@pytest.mark.parametrize("name", _all_names())
def test_anonymous_gets_nothing_that_is_not_public(world, name):
    if name in PUBLIC:
        return
    url = _url(name, world)
    client = APIClient()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403, 405), (method, url, response.status_code)
        else:
            assert response.status_code in (302, 403, 405), (method, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), (method, url)


@pytest.mark.parametrize("name", sorted(ROUTE_OBJECTS))
def test_another_producers_owner_never_reaches_an_object(world, name):
    url = _url(name, world)
    client = APIClient()
    client.force_login(world["other"])
    before = (Listing.objects.get(pk=world["listing"].pk).status, world["product"].__class__.objects.count())
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)(url, {}, format="json") if url.startswith("/api/") else getattr(client, method)(url)
        assert response.status_code in (403, 404, 405), (method, url, response.status_code)
    after = (Listing.objects.get(pk=world["listing"].pk).status, world["product"].__class__.objects.count())
    assert before == after
