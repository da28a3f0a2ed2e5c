"""Every portal URL and API route of the producers app for anonymous, owner, staff, another
producer's owner and an officer: the expected status, and never another producer's object."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from producers.models import Membership
from tests.factories import OcopProductFactory, make_member, make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    owner, producer = make_member(username="owner")
    staff, _ = make_member(producer=producer, role=Membership.Role.STAFF, username="staff")
    other, other_producer = make_member(username="other")
    officer = make_officer(username="officer")
    product = OcopProductFactory(producer=producer)
    membership = Membership.objects.get(user=staff)
    return {
        "users": {"anonymous": None, "owner": owner, "staff": staff, "other": other, "officer": officer},
        "producer": producer, "product": product, "membership": membership,
    }


# (url name, args from world, method, expected by role: anonymous, owner, staff, other, officer)
PORTAL = [
    ("portal:home", [], "get", (302, 200, 200, 200, 200)),
    ("portal:products", [], "get", (302, 200, 200, 200, 200)),
    ("portal:producer", ["producer"], "get", (302, 200, 200, 404, 200)),
    ("portal:members", ["producer"], "get", (302, 200, 200, 404, 200)),
    ("portal:product", ["product"], "get", (302, 200, 200, 404, 200)),
    ("portal:product_edit", ["product"], "get", (302, 200, 200, 404, 200)),
    ("portal:verification_queue", [], "get", (302, 403, 403, 403, 200)),
    ("portal:all_producers", [], "get", (302, 403, 403, 403, 200)),
    ("portal:all_products", [], "get", (302, 403, 403, 403, 200)),
    ("portal:audit_log", [], "get", (302, 403, 403, 403, 200)),
    ("portal:deletion_requests", [], "get", (302, 403, 403, 403, 200)),
    ("portal:personal_data", ["producer"], "get", (302, 200, 403, 404, 403)),
    ("portal:personal_data_export", ["producer"], "get", (302, 200, 403, 404, 200)),
    ("portal:producer_set_status", ["producer"], "post", (302, 403, 403, 403, 302)),
    ("portal:product_delete", ["product"], "post", (302, 302, 302, 404, 302)),
]
ROLES = ["anonymous", "owner", "staff", "other", "officer"]


def _args(world, names):
    return [world[name].pk for name in names]


@pytest.mark.parametrize("name, args, method, expected", PORTAL, ids=[p[0] for p in PORTAL])
@pytest.mark.parametrize("role_index", range(5), ids=ROLES)
def test_portal_access(client, world, name, args, method, expected, role_index):
    user = world["users"][ROLES[role_index]]
    if user:
        client.force_login(user)
    url = reverse(name, args=_args(world, args))
    response = getattr(client, method)(url, {"status": "suspended"} if method == "post" else None)
    assert response.status_code == expected[role_index]
    if ROLES[role_index] == "anonymous":
        assert response["Location"].startswith(reverse("login"))


API = [
    ("producer-list", [], "get", (403, 200, 200, 200, 200)),
    ("producer-detail", ["producer"], "get", (403, 200, 200, 404, 200)),
    # the representative is the producer's identity: the owner's only (issue 12, producers.authority)
    ("producer-detail", ["producer"], "patch", (403, 200, 403, 404, 403)),
    ("producer-set-status", ["producer"], "post", (403, 403, 403, 404, 200)),
    ("producer-members", ["producer"], "get", (403, 200, 200, 404, 200)),
    ("producer-invitations", ["producer"], "post", (403, 201, 403, 404, 403)),
    ("product-list", [], "get", (403, 200, 200, 200, 200)),
    ("product-detail", ["product"], "get", (403, 200, 200, 404, 200)),
    ("product-detail", ["product"], "patch", (403, 200, 200, 404, 200)),
    ("product-photos", ["product"], "get", (403, 200, 200, 404, 200)),
    ("commune-list", [], "get", (403, 200, 200, 200, 200)),
    ("product-group-list", [], "get", (403, 200, 200, 200, 200)),
]
BODIES = {
    "producer-detail": {"representative": "Người mới"},
    "producer-set-status": {"status": "suspended"},
    "producer-invitations": {"email": "moi@htx.vn"},
    "product-detail": {"price": 99000},
}


@pytest.mark.parametrize("name, args, method, expected", API, ids=[f"{a[0]}-{a[2]}" for a in API])
@pytest.mark.parametrize("role_index", range(5), ids=ROLES)
def test_api_access(world, name, args, method, expected, role_index):
    client = APIClient()
    user = world["users"][ROLES[role_index]]
    if user:
        client.force_authenticate(user)
    url = reverse(name, args=_args(world, args))
    response = getattr(client, method)(url, BODIES.get(name) if method != "get" else None, format="json")
    assert response.status_code == expected[role_index], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error", "message", "fields"}


def test_api_lists_never_show_another_producers_objects(world):
    client = APIClient()
    client.force_authenticate(world["users"]["other"])
    assert client.get(reverse("producer-list")).json()["results"][0]["id"] != world["producer"].pk
    assert client.get(reverse("product-list")).json()["count"] == 0
