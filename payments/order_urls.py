"""Mounted by config/urls.py as path("san/", include("payments.order_urls")): the shops' order
actions keep the addresses they had when order intake lived in the marketplace app."""
from django.urls import path

from . import order_views

app_name = "orders"
urlpatterns = [
    path("gian-hang/<int:pk>/dong-bo-don/", order_views.account_sync, name="account_sync"),
    path("gian-hang/<int:pk>/tao-don-thu/", order_views.sandbox_order, name="sandbox_order"),
]
