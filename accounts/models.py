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
