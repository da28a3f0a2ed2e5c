from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.code_list, name="codes"),
    path("tai-khoan/", views.bank_accounts, name="bank_accounts"),
    path("tai-khoan/<int:pk>/xoa/", views.bank_account_delete, name="bank_account_delete"),
    path("tai-khoan/<int:pk>/mac-dinh/", views.bank_account_make_default, name="bank_account_default"),
    path("tai-khoan/cho-xac-nhan/", views.bank_account_reviews, name="bank_account_reviews"),
    path("tai-khoan/<int:pk>/xac-nhan/", views.bank_account_approve, name="bank_account_approve"),
    path("tai-khoan/<int:pk>/tu-choi/", views.bank_account_reject, name="bank_account_reject"),
    path("san-pham/<int:product_id>/ma-qr/", views.product_code, name="product_code"),
    path("in-nhan/", views.batch_print, name="batch_print"),
    path("ma/<int:pk>/", views.code_detail, name="code"),
    path("ma/<int:pk>/qr.png", views.code_png, name="code_png"),
    path("ma/<int:pk>/qr.svg", views.code_svg, name="code_svg"),
    path("ma/<int:pk>/nhan.pdf", views.code_pdf, name="code_pdf"),
]
urlpatterns += [
    path("giao-dich/", views.transactions, name="transactions"),
    path("giao-dich/them/", views.manual_sale, name="manual_sale"),
    path("giao-dich/<int:pk>/", views.transaction_detail, name="transaction"),
    path("giao-dich/<int:pk>/chung-tu/", views.transaction_evidence, name="transaction_evidence"),
    path("giao-dich/<int:pk>/xac-nhan/", views.confirm_sale, name="confirm_sale"),
    path("giao-dich/<int:pk>/tu-choi/", views.reject_sale, name="reject_sale"),
    path("san-pham/<int:product_id>/doanh-so/", views.product_sales, name="product_sales"),
    path("chuyen-khoan-chua-khop/", views.unmatched, name="unmatched"),
    path("chuyen-khoan-chua-khop/<int:pk>/gan/", views.unmatched_assign, name="unmatched_assign"),
    path("chuyen-khoan-chua-khop/<int:pk>/bo-qua/", views.unmatched_dismiss, name="unmatched_dismiss"),
    path("cho-xac-nhan/", views.confirmations, name="confirmations"),
    path("su-kien/", views.events, name="events"),
    path("su-kien/<int:pk>/", views.event_detail, name="event"),
    path("nhap-don-hang/", views.order_import, name="order_import"),
]
