from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("producers", api.ProducerViewSet, basename="producer")
router.register("products", api.OcopProductViewSet, basename="product")
router.register("communes", api.CommuneViewSet, basename="commune")
router.register("product-groups", api.ProductGroupViewSet, basename="product-group")

photo_list = api.ProductPhotoViewSet.as_view({"get": "list", "post": "create"})
photo_detail = api.ProductPhotoViewSet.as_view({"delete": "destroy"})

urlpatterns = [
    path("", include(router.urls)),
    path("products/<int:product_pk>/photos/", photo_list, name="product-photos"),
    path("products/<int:product_pk>/photos/<int:pk>/", photo_detail, name="product-photo"),
]
