from rest_framework.routers import SimpleRouter

from .api import BankAccountViewSet, BankViewSet, InboundEventViewSet, PaymentCodeViewSet, TransactionViewSet

router = SimpleRouter()
router.register("payment-codes", PaymentCodeViewSet, basename="payment-code")
router.register("bank-accounts", BankAccountViewSet, basename="bank-account")
router.register("banks", BankViewSet, basename="bank")
router.register("transactions", TransactionViewSet, basename="transaction")
router.register("inbound-events", InboundEventViewSet, basename="inbound-event")

urlpatterns = router.urls
