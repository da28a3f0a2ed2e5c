"""Mounted by config/urls.py as path("webhooks/", include("payments.webhook_urls"))."""
from django.urls import path

from . import webhooks

urlpatterns = [
    path("sepay/", webhooks.sepay, name="webhook-sepay"),
    path("casso/", webhooks.casso, name="webhook-casso"),
]
