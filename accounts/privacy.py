"""The people's own accounts: their contact details in the download; on erasure, the account is
closed and anonymised, its API tokens, login records and what the audit log noted about them go."""
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token

from common import privacy

USER_FIELDS = ["username", "full_name", "first_name", "last_name", "email", "phone", "date_joined", "last_login"]


class PeopleData(privacy.PersonalData):
    identifier = "accounts"

    def export(self):
        return {"users": privacy.rows(self.subject.members, USER_FIELDS)}

    def erase(self):
        people = self.subject.people
        usernames = [person.username for person in people]
        for person in people:
            person.username = f"da-xoa-{person.pk}"
            person.full_name = person.first_name = person.last_name = ""
            person.email = person.phone = ""
            person.is_active = False
            person.set_unusable_password()
            person.save()
        Token.objects.filter(user__in=people).delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__in=usernames).delete()
        privacy.scrub_audit_actors(people)
        privacy.scrub_audit_entries(get_user_model(), [person.pk for person in people])  # the admin's log
        _end_sessions({str(person.pk) for person in people})


def _end_sessions(user_pks):
    """Their sessions are already dead (the password hash changed); the rows go too, with whatever
    the session held (messages naming the producer, an invitation)."""
    if not user_pks:
        return
    live = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [s.session_key for s in live.iterator() if str(s.get_decoded().get(SESSION_KEY, "")) in user_pks]
    Session.objects.filter(session_key__in=ended).delete()
