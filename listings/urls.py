from django.urls import path

from . import views

app_name = "listings"
urlpatterns = [
    path("", views.listing_list, name="list"),
    path("dang-ban/", views.publish, name="publish"),
    path("<int:pk>/", views.listing_detail, name="detail"),
    path("<int:pk>/gia-ton-kho/", views.listing_price_stock, name="price_stock"),
    path("<int:pk>/dang-ban-thu-cong/", views.listing_mark_live, name="mark_live"),
    path("<int:pk>/<slug:action>/", views.listing_action, name="action"),
    path("gian-hang/", views.accounts, name="accounts"),
    path("gian-hang/ket-noi/", views.account_connect, name="account_connect"),
    path("gian-hang/uy-quyen/<slug:marketplace>/", views.account_callback, name="account_callback"),
    path("gian-hang/<int:pk>/ngat-ket-noi/", views.account_disconnect, name="account_disconnect"),
    path("gian-hang/<int:pk>/tep-danh-sach.xlsx", views.feed_download, name="feed_download"),
]
