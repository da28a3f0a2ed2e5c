"""The API's authentication: DRF's session and token classes, which also name the audit log's actor.

Kept apart from common.api: DRF imports these while it builds `rest_framework.views`."""
from rest_framework import authentication

from .client_ip import client_ip


def audit_actor(request, user):
    """Name `user` as the actor of whatever this request changes, with the client's address.

    auditlog's middleware runs before DRF authenticates a token, so it saw an anonymous request;
    its context for this request is completed here (a second, nested context would leave a signal
    receiver behind in auditlog 3.x)."""
    from auditlog.context import auditlog_value

    context = auditlog_value.get(None)
    if context is not None and user is not None and user.is_authenticated:
        context["actor"] = user
        context["remote_addr"] = client_ip(getattr(request, "_request", request))


class AuditActorMixin:
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            audit_actor(request, result[0])
        return result


class SessionAuthentication(AuditActorMixin, authentication.SessionAuthentication):
    pass


class TokenAuthentication(AuditActorMixin, authentication.TokenAuthentication):
    pass
