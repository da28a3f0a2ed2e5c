"""The browser's address, as the documented proxy passes it on.

Behind `TRUSTED_PROXY_COUNT` proxies of ours, REMOTE_ADDR is the innermost proxy's and each proxy
appended the address it saw to X-Forwarded-For; the entry the outermost one appended is the client.
Entries further left were written by the client itself and are never trusted. With no proxy
configured the header is ignored altogether.
"""
from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
