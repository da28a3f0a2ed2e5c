"""Keep the summary tables current: every transaction and listing status change is written through
.save()/.create()/.delete(), so these handlers see every write."""
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from listings.models import Listing, ListingStatusChange
from payments.models import Transaction

from . import services


@receiver(pre_save, sender=Transaction, dispatch_uid="dashboard_tx_pre_save")
def _remember_bucket(sender, instance, raw=False, **kwargs):
    """An edit may move a sale to another product or month: remember where it was."""
    instance._dashboard_old_bucket = None
    if instance.pk and not raw:
        old = sender.objects.filter(pk=instance.pk).values_list("product_id", "occurred_at").first()
        if old and old[0] and old[1]:
            instance._dashboard_old_bucket = (old[0], services.month_of(old[1]))


def _buckets(instance):
    buckets = set()
    if instance.product_id and instance.occurred_at:
        buckets.add((instance.product_id, services.month_of(instance.occurred_at)))
    old = getattr(instance, "_dashboard_old_bucket", None)
    if old:
        buckets.add(old)
    return buckets


def _deleted_for_itself(sender, origin):
    """True when the row itself was deleted; False when it goes with a deleted listing, product or
    producer, whose summary rows the same cascade removes (refreshing them would re-create them)."""
    if isinstance(origin, QuerySet):
        return origin.model is sender
    return origin is None or isinstance(origin, sender)


@receiver(post_save, sender=Transaction, dispatch_uid="dashboard_tx_saved")
@receiver(post_delete, sender=Transaction, dispatch_uid="dashboard_tx_deleted")
def _transaction_written(sender, instance, raw=False, **kwargs):
    if raw or "origin" in kwargs and not _deleted_for_itself(sender, kwargs["origin"]):
        return
    for product_id, month in sorted(_buckets(instance)):
        services.sales_bucket_refresh(product_id=product_id, month=month)


@receiver(post_save, sender=ListingStatusChange, dispatch_uid="dashboard_change_saved")
@receiver(post_delete, sender=ListingStatusChange, dispatch_uid="dashboard_change_deleted")
def _status_change_written(sender, instance, raw=False, created=False, **kwargs):
    """Live spans start when a listing goes live and end at its next change: a new row that neither
    enters nor leaves `live` (draft → queued → publishing, failed → queued...) changes no span."""
    if raw or "origin" in kwargs and not _deleted_for_itself(sender, kwargs["origin"]):
        return
    live = Listing.Status.LIVE
    if created and live not in (instance.from_status, instance.to_status):
        return
    services.live_spans_refresh(listing_id=instance.listing_id)


@receiver(post_save, sender=Listing, dispatch_uid="dashboard_listing_saved")
def _listing_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """A listing written live without history (fixtures, old data) still shows as listed. Status
    changes through `transition` are handled by the history row that follows."""
    if raw or instance.live_since is None:
        return
    if not ListingStatusChange.objects.filter(listing_id=instance.pk).exists():
        services.live_spans_refresh(listing_id=instance.pk)
