"""Listings' part of a producer's personal data: its shops (never their tokens) and listings. On
erasure the shops are disconnected (`revoked`: order polling, token refresh and publishing skip
them) and lose their credentials and name; listings waiting to be sent fail. Live listings keep
their history, which the dashboard counts."""
from django.utils.translation import gettext as _

from common import privacy

from .models import Listing, ListingAttempt, MarketplaceAccount

ACCOUNT_FIELDS = ["id", "marketplace", "shop_id", "shop_name", "status", "status_message", "connected_at",
                  "authorization_expires_at", "last_order_sync_at"]
LISTING_FIELDS = ["id", ("product", lambda listing: listing.product.name),
                  ("shop", lambda listing: listing.account_id), "status", "price_override", "stock_override",
                  "external_id", "url", "live_since", "delisted_at"]
# Calls that carry the shop's identity and credentials (secrets are already masked when recorded).
CREDENTIAL_OPERATIONS = (ListingAttempt.Operation.AUTHORIZE, ListingAttempt.Operation.REFRESH_TOKEN)


class ShopsData(privacy.PersonalData):
    identifier = "listings"

    def export(self):
        producer = self.producer
        return {
            "marketplace_accounts": privacy.rows(MarketplaceAccount.objects.filter(producer=producer),
                                                 ACCOUNT_FIELDS),
            "listings": privacy.rows(Listing.objects.filter(product__producer=producer).select_related("product"),
                                     LISTING_FIELDS),
        }

    def erase(self):
        accounts = MarketplaceAccount.objects.filter(producer=self.producer)
        pks = list(accounts.values_list("pk", flat=True))
        accounts.update(
            status=MarketplaceAccount.Status.REVOKED,
            status_message=_("Đã ngắt kết nối khi xoá dữ liệu cá nhân của chủ thể."),
            shop_name="", access_token="", refresh_token="", credentials_extra="",
            access_expires_at=None, refresh_expires_at=None,
        )
        waiting = Listing.objects.filter(account_id__in=pks, status__in=Listing.IN_FLIGHT)
        for listing in waiting.select_for_update():
            listing.transition(Listing.Status.FAILED, reason=_("Gian hàng đã ngắt kết nối."))
        ListingAttempt.objects.filter(account_id__in=pks, operation__in=CREDENTIAL_OPERATIONS).update(
            url="", request_summary={}, response=None, error="")
        # the audit log labels a shop, and each listing on it, by the shop's name
        for account in MarketplaceAccount.objects.filter(pk__in=pks):
            privacy.scrub_audit_entries(MarketplaceAccount, [account.pk], fields=("shop_name", "status_message"),
                                        object_repr=str(account))
        for listing in Listing.objects.filter(account_id__in=pks).select_related("product", "account"):
            privacy.scrub_audit_entries(Listing, [listing.pk], object_repr=str(listing))
