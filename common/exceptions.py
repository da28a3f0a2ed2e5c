"""Errors raised by services. The API and the portal turn them into one shape each."""


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
