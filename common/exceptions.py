"""Errors raised by services. The API and the portal turn them into one shape each."""
import kombu.exceptions
import redis.exceptions
from django.db import utils as db_utils

# Our own infrastructure failing mid-task (Redis, which holds the rate limits and the broker; the
# database): nothing is wrong with the row being processed. Tasks re-raise these and leave the row
# as it was; the periodic sweeps send it again once the infrastructure is back.
INFRASTRUCTURE_ERRORS = (
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, kombu.exceptions.OperationalError,
    db_utils.OperationalError, db_utils.InterfaceError,
)



class DomainError(Exception):
    """A rule of the domain was broken. `code` is stable for API clients; `message` is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message, *, code=None, fields=None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
