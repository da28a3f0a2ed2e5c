from django.urls import path

from . import views

app_name = "marketplace"
urlpatterns = [
    path("sandbox/anh/<str:image_id>/", views.sandbox_image, name="sandbox_image"),
    path("sandbox/<str:external_id>/", views.sandbox_item, name="sandbox_item"),
]
