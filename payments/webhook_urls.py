"""Mounted by config/urls.py as path("webhooks/", include("payments.webhook_urls")): one door for
every channel, at the addresses the banks' services and the marketplaces already know."""
from django.urls import path

from . import webhooks

urlpatterns = [
    path("<slug:channel>/", webhooks.webhook, name="webhook"),
]
