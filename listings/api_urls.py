from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("marketplace-accounts", api.MarketplaceAccountViewSet, basename="marketplace-account")
router.register("listings", api.ListingViewSet, basename="listing")

urlpatterns = router.urls
