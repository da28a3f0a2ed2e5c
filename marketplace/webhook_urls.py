"""Mounted by config/urls.py as path("webhooks/", include("marketplace.webhook_urls"))."""
from django.urls import path

from . import webhooks

urlpatterns = [
    path("shopee/", webhooks.shopee, name="webhook-shopee"),
    path("lazada/", webhooks.lazada, name="webhook-lazada"),
]
