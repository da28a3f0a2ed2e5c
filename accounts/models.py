from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: a producer's member, a department officer or an administrator.

    Department officers are users with the `producers.act_as_officer` permission (the
    "Cán bộ Sở Công Thương" group); producer members are linked through `Membership`.
    """

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        """A new password (change, reset, admin) also revokes the API tokens; the sessions end by
        themselves, their auth hash no longer matching (the view that changed it keeps its own)."""
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()
