from rest_framework.routers import SimpleRouter

from .api import BankAccountViewSet, BankViewSet, PaymentCodeViewSet

router = SimpleRouter()
router.register("payment-codes", PaymentCodeViewSet, basename="payment-code")
router.register("bank-accounts", BankAccountViewSet, basename="bank-account")
router.register("banks", BankViewSet, basename="bank")

urlpatterns = router.urls
