import pytest

from listings import services
from listings.models import Listing, ListingAttempt, MarketplaceAccount
from marketplace.models import SandboxItem

pytestmark = pytest.mark.django_db


def test_sandbox_shop_connects_at_once(sandbox_account):
    assert sandbox_account.status == MarketplaceAccount.Status.CONNECTED
    assert sandbox_account.access_token.startswith("sandbox-")
    assert sandbox_account.attempts.filter(operation=ListingAttempt.Operation.AUTHORIZE).exists()


def test_publish_through_the_sandbox_ends_live(listing, owner, django_capture_on_commit_callbacks):
    # given a draft listing on a sandbox shop
    # when the owner publishes it (tasks run eagerly once the transaction commits)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.listing_publish(listing=listing, user=owner)

    # then it is live, with the sandbox's id and page, and the call is on record
    assert len(callbacks) == 1
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE
    item = SandboxItem.objects.get(sku=listing.product.sku)
    assert listing.external_id == item.external_id
    assert listing.url.endswith(f"/{item.external_id}/")
    assert listing.live_since is not None
    assert list(listing.status_changes.values_list("to_status", flat=True)) == ["queued", "publishing", "live"]
    assert listing.attempts.filter(operation=ListingAttempt.Operation.PUBLISH, error="").exists()


def test_sandbox_rejection_shows_the_reason(listing, owner, django_capture_on_commit_callbacks):
    listing.attributes = {"sandbox_outcome": "reject"}
    listing.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.REJECTED
    assert "vi phạm chính sách" in listing.status_message


def test_transient_errors_end_failed_after_bounded_retries(listing, owner, django_capture_on_commit_callbacks):
    listing.attributes = {"sandbox_outcome": "transient"}
    listing.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.FAILED
    assert "6 lần thử" in listing.status_message
    assert listing.status_changes.filter(to_status=Listing.Status.PUBLISHING).count() == 6


def test_the_worker_writes_history_rows_and_the_audit_log_keeps_the_persons_click(
        listing, owner, django_capture_on_commit_callbacks):
    from auditlog.models import LogEntry

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.LIVE
    # the history has every step, with its reason
    assert [(c.from_status, c.to_status) for c in listing.status_changes.order_by("at", "id")] == [
        ("draft", "queued"), ("queued", "publishing"), ("publishing", "live")]
    # the audit log has the owner's action (queued) and not the worker's steps again
    entries = LogEntry.objects.get_for_object(listing).filter(action=LogEntry.Action.UPDATE)
    statuses = [entry.changes_dict.get("status") for entry in entries]
    assert statuses == [["draft", "queued"]], statuses


def test_live_spans_are_refreshed_only_by_changes_into_or_out_of_live(
        listing, owner, django_capture_on_commit_callbacks, monkeypatch):
    from dashboard import services as dashboard_services
    from dashboard.models import LiveSpan

    refreshed = []
    real_refresh = dashboard_services.live_spans_refresh
    monkeypatch.setattr(dashboard_services, "live_spans_refresh",
                        lambda *, listing_id: refreshed.append(listing_id) or real_refresh(listing_id=listing_id))
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_publish(listing=listing, user=owner)
    # draft → queued → publishing changed no span; publishing → live opened one
    assert refreshed == [listing.pk]
    span = LiveSpan.objects.get(listing=listing)
    assert span.ended_at is None and span.started_at == listing.status_changes.get(to_status="live").at
    # leaving live closes it
    listing.refresh_from_db()
    listing.transition(Listing.Status.DELISTED, reason="test")
    assert refreshed == [listing.pk, listing.pk]
    span = LiveSpan.objects.get(listing=listing)  # spans are rewritten from the history
    assert span.ended_at == listing.status_changes.get(to_status="delisted").at
