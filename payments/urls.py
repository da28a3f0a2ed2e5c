from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.code_list, name="codes"),
    path("tai-khoan/", views.bank_accounts, name="bank_accounts"),
    path("tai-khoan/<int:pk>/xoa/", views.bank_account_delete, name="bank_account_delete"),
    path("tai-khoan/<int:pk>/mac-dinh/", views.bank_account_make_default, name="bank_account_default"),
    path("san-pham/<int:product_id>/ma-qr/", views.product_code, name="product_code"),
    path("in-nhan/", views.batch_print, name="batch_print"),
    path("ma/<int:pk>/", views.code_detail, name="code"),
    path("ma/<int:pk>/qr.png", views.code_png, name="code_png"),
    path("ma/<int:pk>/qr.svg", views.code_svg, name="code_svg"),
    path("ma/<int:pk>/nhan.pdf", views.code_pdf, name="code_pdf"),
]
