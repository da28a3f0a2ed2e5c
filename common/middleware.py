import re
import uuid

from auditlog import middleware as auditlog_middleware

from .client_ip import client_ip
from .logging import request_id_var

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Tag every request with an id (the proxy's X-Request-ID, or a new one) for logs and answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class AuditlogMiddleware(auditlog_middleware.AuditlogMiddleware):
    """auditlog's middleware with the client's address as the proxy configuration says
    (`common.client_ip`), not the first X-Forwarded-For entry, which the client writes itself.
    The API's actor is set once DRF has authenticated the request (`common.api.audit_actor`)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None  # X-Forwarded-Port is whatever the client wrote: our proxy does not set it
