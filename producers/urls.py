from django.urls import path

from . import views, views_import

app_name = "portal"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("tong-quan/", views.home, name="home"),
    path("dang-ky/", views.signup, name="signup"),
    path("loi-moi/", views.accept_invitation, name="accept_invitation"),
    path("loi-moi/<str:token>/", views.invitation_link, name="invitation_link"),
    path("chu-the/<int:pk>/", views.producer_detail, name="producer"),
    path("chu-the/<int:pk>/thanh-vien/", views.members, name="members"),
    path("chu-the/<int:pk>/thanh-vien/<int:membership_pk>/xoa/", views.member_remove, name="member_remove"),
    path("chu-the/<int:pk>/du-lieu-ca-nhan/", views.personal_data, name="personal_data"),
    path("chu-the/<int:pk>/du-lieu-ca-nhan/tai-ve/", views.personal_data_export, name="personal_data_export"),
    path("san-pham/", views.products, name="products"),
    path("san-pham/them/", views.product_create, name="product_create"),
    path("san-pham/<int:pk>/", views.product_detail, name="product"),
    path("san-pham/<int:pk>/sua/", views.product_edit, name="product_edit"),
    path("san-pham/<int:pk>/xoa/", views.product_delete, name="product_delete"),
    path("san-pham/<int:pk>/anh/<int:photo_pk>/xoa/", views.photo_delete, name="photo_delete"),
    path("can-bo/cho-xac-minh/", views.verification_queue, name="verification_queue"),
    path("can-bo/chu-the/", views.all_producers, name="all_producers"),
    path("can-bo/chu-the/<int:pk>/trang-thai/", views.producer_set_status, name="producer_set_status"),
    path("can-bo/san-pham/", views.all_products, name="all_products"),
    path("can-bo/nhat-ky/", views.audit_log, name="audit_log"),
    path("can-bo/yeu-cau-xoa-du-lieu/", views.deletion_requests, name="deletion_requests"),
    path("can-bo/nhap-danh-sach/", views_import.import_upload, name="import"),
]
