"""Login and password forms in the portal's words; the login form waits out the username slowdown."""
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services, throttling

PASSWORD_MISMATCH = _("Hai mật khẩu không khớp.")


class ThrottledLoginMixin:
    """Before any password is checked: is this username being slowed down for this browser?"""

    retry_after = 0

    def clean(self):
        self.retry_after = throttling.wait_seconds(self.cleaned_data.get("username"), self.request)
        if self.retry_after:
            raise ValidationError(
                _("Tài khoản này vừa bị nhập sai mật khẩu nhiều lần. Hãy thử lại sau %(seconds)d giây."),
                code="throttled", params={"seconds": self.retry_after},
            )
        return super().clean()


class LoginForm(ThrottledLoginMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khoá."),
    }


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class NewPasswordMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, "password_mismatch": PASSWORD_MISMATCH}
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password1"].help_text = _(
            "Ít nhất 8 ký tự; không dùng mật khẩu dễ đoán (như ocop2025, matkhau123), số điện thoại hay "
            "tên đăng nhập của bạn. Một câu ngắn dễ nhớ là mật khẩu tốt."
        )


class SetPasswordForm(NewPasswordMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(NewPasswordMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages,
                               "password_incorrect": _("Mật khẩu cũ không đúng. Hãy nhập lại.")}
        self.fields["old_password"].label = _("Mật khẩu hiện tại")


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(label=_("Email của tài khoản"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        """Django's form sends the e-mail inside the request; ours hands it to a task."""
        services.password_reset_request(
            users=list(self.get_users(self.cleaned_data["email"])),
            domain=domain_override or get_current_site(request).domain, protocol="https" if use_https else "http",
        )
