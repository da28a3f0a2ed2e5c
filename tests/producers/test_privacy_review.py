"""Erasure, hostile review (issue 12, item 7): the rows the main test's fixture does not make: django-axes'
login log and failure log, the admin's own log of the people's accounts, and the sessions of the erased
people."""
import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse

from .test_privacy import PERSONAL, _personal_strings_in_tables, everything  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_erasure_reaches_login_logs_the_admin_log_and_sessions(client, officer, everything,
                                                                         django_capture_on_commit_callbacks):
    owner, producer = everything["owner"], everything["producer"]
    AccessLog.objects.create(username="lothimy", ip_address="203.0.113.77", user_agent="Mozilla/5.0",
                             http_accept="*/*", path_info="/dang-nhap/", session_hash="x")
    AccessFailureLog.objects.create(username="lothimy", ip_address="203.0.113.77", user_agent="Mozilla/5.0",
                                    http_accept="*/*", path_info="/dang-nhap/", locked_out=False)
    for obj in (owner, producer):
        AdminLogEntry.objects.create(user=officer, content_type=ContentType.objects.get_for_model(obj),
                                     object_id=str(obj.pk), object_repr=f"{obj} {PERSONAL['owner name']}",
                                     action_flag=CHANGE, change_message="[]")
    session = SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["note"] = PERSONAL["owner e-mail"]
    session.create()
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:deletion_requests"), {"request": everything["request"].pk, "action": "carry_out"})
    left = _personal_strings_in_tables()
    assert left == [], left
    assert not Session.objects.filter(session_key=session.session_key).exists()
