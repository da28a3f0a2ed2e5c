"""What administrators need to see that the service is keeping up: queue depths and what failed.

Every task works on a row (a listing, an inbound event), so "failed tasks" are the rows their tasks
left in a failed state; no Celery result backend is needed. It reads several apps, so it lives in
config, above them all."""
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from kombu import Connection

from listings.models import Listing, MarketplaceAccount
from payments.models import InboundEvent


def queue_names():
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    names |= {route["queue"] for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route}
    return sorted(names)


def queue_depths():
    """{queue: waiting messages}, or None per queue when tasks run eagerly or the broker is down."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return dict.fromkeys(queue_names())
    depths = {}
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            channel = conn.default_channel
            for name in queue_names():
                try:
                    depths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except Exception:  # noqa: BLE001 - a queue nobody declared yet is empty
                    depths[name] = 0
    except Exception:  # noqa: BLE001
        return dict.fromkeys(queue_names())
    return depths


def failures():
    return {
        "listings_by_status": dict(Listing.objects.values_list("status").annotate(n=Count("id")).order_by()),
        "failed_listings": Listing.objects.filter(status=Listing.Status.FAILED)
        .select_related("product", "account").order_by("-status_changed_at")[:20],
        "events_by_state": dict(InboundEvent.objects.values_list("state").annotate(n=Count("id")).order_by()),
        "error_events": InboundEvent.objects.filter(state=InboundEvent.State.ERROR).order_by("-received_at")[:20],
        "expired_accounts": MarketplaceAccount.objects.exclude(status=MarketplaceAccount.Status.CONNECTED)
        .select_related("producer")[:20],
    }


@never_cache
def system_status(request):
    """Administrators: queue depths, failed listings, events in error, shops that lost authorisation."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    return render(request, "system_status.html", {
        "queues": queue_depths(), "eager": settings.CELERY_TASK_ALWAYS_EAGER, **failures(),
    })
