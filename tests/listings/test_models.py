from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from common.exceptions import InvalidTransition
from common.redaction import redact, redact_url
from listings.models import Listing, MarketplaceAccount
from listings.services import retry_delay
from marketplace import ratelimit

pytestmark = pytest.mark.django_db
S = Listing.Status


def test_transition_follows_the_pipeline_and_keeps_history(listing):
    # given a draft listing
    # when it goes through the whole happy path
    for status in (S.QUEUED, S.PUBLISHING, S.LIVE):
        listing.transition(status, reason=f"to {status}")

    # then each step is on record and the live time is set
    listing.refresh_from_db()
    assert listing.status == S.LIVE and listing.live_since is not None
    history = list(listing.status_changes.values_list("from_status", "to_status", "reason"))
    assert history == [("draft", "queued", "to queued"), ("queued", "publishing", "to publishing"),
                       ("publishing", "live", "to live")]
    listing.transition(S.DELISTED)
    assert listing.delisted_at is not None


@pytest.mark.parametrize("path, forbidden", [
    ([], S.LIVE),                                  # draft -> live skips the marketplace
    ([], S.PUBLISHING),
    ([S.QUEUED, S.PUBLISHING, S.LIVE], S.QUEUED),  # live -> queued: delist first
    ([S.QUEUED, S.PUBLISHING, S.REJECTED], S.LIVE),
    ([S.QUEUED, S.PUBLISHING, S.LIVE, S.DELISTED], S.LIVE),
])
def test_transition_refuses_what_the_pipeline_does_not_allow(listing, path, forbidden):
    for status in path:
        listing.transition(status)
    before = listing.status_changes.count()
    with pytest.raises(InvalidTransition):
        listing.transition(forbidden)
    listing.refresh_from_db()
    assert listing.status == (path[-1] if path else S.DRAFT)
    assert listing.status_changes.count() == before


def test_tokens_are_encrypted_at_rest(sandbox_account):
    token = sandbox_account.access_token
    assert token.startswith("sandbox-")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token, credentials_extra FROM listings_marketplaceaccount WHERE id = %s",
            [sandbox_account.pk],
        )
        raw_access, raw_refresh, raw_extra = cursor.fetchone()
    assert token not in raw_access and raw_access.startswith("gAAAA")  # a Fernet token
    assert sandbox_account.refresh_token not in raw_refresh
    assert "Gian hàng thử nghiệm" not in raw_extra
    # and they read back as they were
    assert MarketplaceAccount.objects.get(pk=sandbox_account.pk).access_token == token


def test_the_configured_key_is_used_when_set(sandbox_account, settings):
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    account = MarketplaceAccount.objects.get(pk=sandbox_account.pk)
    assert account.access_token == ""  # written with the derived key: this key cannot read it
    account.access_token = "sandbox-new"
    account.save()
    assert MarketplaceAccount.objects.get(pk=sandbox_account.pk).access_token == "sandbox-new"


def test_secrets_are_redacted():
    summary = {"shop_id": 7, "access_token": "abc", "nested": [{"partner_key": "k", "price": 1}], "code": "E901"}
    assert redact(summary) == {"shop_id": 7, "access_token": "***", "nested": [{"partner_key": "***", "price": 1}],
                               "code": "E901"}
    url = redact_url("https://x.test/api?partner_id=1&sign=abc&access_token=t&code=c")
    assert "abc" not in url and "access_token=***" in url and "code=***" in url
    assert "partner_id=1" in url


def test_retry_delay_grows_and_honours_retry_after(settings):
    settings.LISTING_RETRY_BASE_SECONDS = 10
    settings.LISTING_RETRY_MAX_SECONDS = 100
    assert 10 <= retry_delay(0) <= 12.5
    assert 40 <= retry_delay(2) <= 50
    assert 100 <= retry_delay(9) <= 125  # capped, plus jitter
    assert retry_delay(0, retry_after=60) >= 60


def test_rate_limit_is_a_shared_bucket(settings):
    settings.MARKETPLACE_RATE_LIMITS = {"shopee": (2.0, 3)}
    now = 1_000_000.0
    assert [ratelimit.try_acquire("shopee", "shop-rl", now=now) for _ in range(3)] == [0, 0, 0]
    wait = ratelimit.try_acquire("shopee", "shop-rl", now=now)
    assert 0 < wait <= 1.5
    # another shop has its own bucket, and the next window refills
    assert ratelimit.try_acquire("shopee", "other-shop", now=now) == 0
    assert ratelimit.try_acquire("shopee", "shop-rl", now=now + 1.5) == 0


def test_rate_limited_call_raises_when_the_wait_is_long(settings):
    settings.MARKETPLACE_RATE_LIMITS = {"lazada": (0.01, 1)}
    ratelimit.acquire("lazada", "shop-slow", max_wait=0)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.acquire("lazada", "shop-slow", max_wait=0)


def test_expiry_warning_within_seven_days(sandbox_account):
    sandbox_account.authorization_expires_at = timezone.now() + timedelta(days=5)
    assert sandbox_account.expires_within()
    sandbox_account.authorization_expires_at = timezone.now() + timedelta(days=30)
    assert not sandbox_account.expires_within()
