"""The people's own accounts: their contact details in the download; on erasure, the account is
closed and anonymised, its API tokens, login records and what the audit log noted about them go."""
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
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
