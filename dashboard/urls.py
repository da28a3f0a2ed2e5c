from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("xuat-excel/", views.export_xlsx, name="export"),
]
