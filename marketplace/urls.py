from django.urls import path

from . import views

app_name = "marketplace"
urlpatterns = [
    path("sandbox/anh/<str:image_id>/", views.sandbox_image, name="sandbox_image"),
    path("sandbox/<str:external_id>/", views.sandbox_item, name="sandbox_item"),
    path("gian-hang/<int:pk>/dong-bo-don/", views.account_sync, name="account_sync"),
    path("gian-hang/<int:pk>/tao-don-thu/", views.sandbox_order, name="sandbox_order"),
]
