"""The invitation link's token leaves the URL at the first request: the page the person reads, the
form they send and every later request (and so access logs, Referer headers, browser history of
that page) carry no token."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from producers.models import Invitation, Membership
from producers.services import invitation_create

pytestmark = pytest.mark.django_db
User = get_user_model()

NEW_STAFF = {"full_name": "Giàng A Sử", "username": "giangasu", "email": "nv@htx.vn",
             "password1": "Nhan-vien-2025!", "password2": "Nhan-vien-2025!"}


def _link(invitation):
    return reverse("portal:invitation_link", args=[invitation.token])


def test_the_link_moves_its_token_into_the_session_and_out_of_the_url(client, owner, producer):
    # given an invitation sent by the owner
    invitation = invitation_create(producer=producer, user=owner, email="nv@htx.vn")
    # when the invited person opens the link
    response = client.get(_link(invitation))
    # then they are sent to a page whose address has no token, and that page knows the invitation
    assert response.status_code == 302 and invitation.token not in response["Location"]
    assert response["Location"] == reverse("portal:accept_invitation")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and producer.name in body and invitation.token not in body
    assert page["Referrer-Policy"] == "no-referrer"


def test_joining_from_the_token_less_page(client, owner, producer):
    invitation = invitation_create(producer=producer, user=owner, email="nv@htx.vn")
    client.get(_link(invitation))
    # when the form is sent to the token-less address
    response = client.post(reverse("portal:accept_invitation"), NEW_STAFF)
    # then the person has joined as staff, and the invitation is used up and gone from the session
    assert response.status_code == 302
    staff = User.objects.get(username="giangasu")
    assert Membership.objects.get(user=staff, producer=producer).role == Membership.Role.STAFF
    invitation.refresh_from_db()
    assert invitation.accepted_by == staff
    assert client.get(_link(invitation), follow=True).status_code == 410


def test_a_logged_in_user_accepts_without_the_token_in_any_url(client, owner, producer, other_owner_and_producer):
    invitation = invitation_create(producer=producer, user=owner, email="b@htx.vn")
    other, _ = other_owner_and_producer
    client.force_login(other)
    client.get(_link(invitation))
    client.post(reverse("portal:accept_invitation"))
    assert Membership.objects.filter(user=other, producer=producer).exists()


def test_without_a_link_opened_there_is_no_invitation(client):
    response = client.get(reverse("portal:accept_invitation"))
    assert response.status_code == 410
    assert client.post(reverse("portal:accept_invitation"), NEW_STAFF).status_code == 410
    assert not User.objects.filter(username="giangasu").exists()


def test_the_link_sent_by_the_owner_is_the_landing_link(client, owner, producer, mailoutbox):
    client.force_login(owner)
    client.post(reverse("portal:members", args=[producer.pk]), {"email": "nv@htx.vn"})
    invitation = Invitation.objects.get(email="nv@htx.vn")
    assert _link(invitation) in mailoutbox[0].body
