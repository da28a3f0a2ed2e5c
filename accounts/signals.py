from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import throttling


@receiver(user_login_failed, dispatch_uid="accounts.count_login_failure")
def count_login_failure(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # refused by the (username, address) lock: no password was checked
    throttling.record_failure(credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="accounts.end_login_slowdown")
def end_login_slowdown(sender, user, request=None, **kwargs):
    throttling.reset(user.get_username())
