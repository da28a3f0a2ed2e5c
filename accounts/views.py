"""Django's own login and password views, with our forms, templates and Vietnamese e-mail."""
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from . import throttling
from .forms import LoginForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        throttling.remember_device(self.request, response, form.get_user().get_username())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm


class PasswordResetView(auth_views.PasswordResetView):
    """Answers the same whether or not the address belongs to an account (Django's behaviour)."""

    form_class = PasswordResetForm  # its e-mail: accounts.services.password_reset_send

    def post(self, request, *args, **kwargs):
        if wait := throttling.password_reset_attempt(request):
            return render(request, "registration/password_reset_throttled.html", {"minutes": -(-wait // 60)},
                          status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("password_reset_complete")
