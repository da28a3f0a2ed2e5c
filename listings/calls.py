"""Calls on record: every CallRecord a connector kept becomes a ListingAttempt row (secrets
redacted), the history the portal shows for a shop and a listing. Only the shop session
(listings.shops) writes them."""
from common.redaction import redact, redact_url

from .models import ListingAttempt

OPERATION_BY_CALL = [
    ("image", ListingAttempt.Operation.UPLOAD_IMAGES),
    ("find", ListingAttempt.Operation.FIND),
    ("search", ListingAttempt.Operation.FIND),
    ("tracking", ListingAttempt.Operation.FIND),
    ("get_item", ListingAttempt.Operation.FIND),
    ("refresh", ListingAttempt.Operation.REFRESH_TOKEN),
    ("access_token", ListingAttempt.Operation.REFRESH_TOKEN),
    ("auth", ListingAttempt.Operation.AUTHORIZE),
    ("token", ListingAttempt.Operation.AUTHORIZE),
    ("unlist", ListingAttempt.Operation.DELIST),
    ("delist", ListingAttempt.Operation.DELIST),
    ("deactivate", ListingAttempt.Operation.DELIST),
    ("price", ListingAttempt.Operation.UPDATE),
    ("stock", ListingAttempt.Operation.UPDATE),
    ("update", ListingAttempt.Operation.UPDATE),
    ("add", ListingAttempt.Operation.PUBLISH),
    ("create", ListingAttempt.Operation.PUBLISH),
    ("request", ListingAttempt.Operation.PUBLISH),
]


def _operation_for(call_name, default):
    name = (call_name or "").lower()
    for needle, operation in OPERATION_BY_CALL:
        if needle in name:
            return operation
    return default


def record_calls(connector, *, account, listing=None, default_operation=ListingAttempt.Operation.OTHER):
    """Every CallRecord of the connector becomes a ListingAttempt row; the list is then emptied."""
    rows = []
    for call in connector.calls:
        response = call.response
        if isinstance(response, str):
            response = {"text": response[:5000]}
        rows.append(
            ListingAttempt(
                listing=listing,
                account=account,
                operation=_operation_for(call.operation, default_operation),
                call=str(call.operation)[:80],
                method=str(call.method or "")[:10],
                url=redact_url(str(call.url or ""))[:1000],
                request_summary=redact(call.request_summary or {}),
                response=redact(response),
                error=str(call.error or ""),
                status_code=call.status_code,
                duration_ms=max(int(call.duration_ms or 0), 0),
            )
        )
    connector.calls.clear()
    if rows:
        ListingAttempt.objects.bulk_create(rows)
    return rows
