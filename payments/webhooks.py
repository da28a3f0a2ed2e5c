"""Bank-transfer notification webhooks (SePay, Casso): verify, store, enqueue after commit, answer.

A request that fails verification (no or wrong key, forged or stale signature) gets 401 and NOTHING
is written; a verified but malformed body gets 400 and nothing is written either. Everything else
is stored raw as an InboundEvent and answered at once; the matching runs in a task. A second
delivery of the same transaction is answered 200 like the first and only counted on the first row
(`deliveries`). A body over common.jsonbody.MAX_BYTES or nested deeper than MAX_DEPTH is refused
with 400 before anything parses it.
See payments/banknotify.py for what is confirmed of each provider's scheme.
"""
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common import jsonbody
from common.redaction import kept_headers

from . import banknotify, services

logger = logging.getLogger(__name__)

def _refused(status, message):
    return JsonResponse({"success": False, "message": message}, status=status)


def _unreadable(body):
    """A body refused before parsing (too large, nested too deeply): why, or ""."""
    reason = jsonbody.refusal(body)
    if reason:
        logger.warning("bank webhook refused: body %s", reason)
    return reason


@csrf_exempt
@require_POST
def sepay(request):
    body = request.body
    if reason := _unreadable(body):
        return _refused(400, f"malformed body: {reason}")
    if not banknotify.verify_sepay(request.headers, body):
        logger.warning("sepay webhook refused: bad credentials or signature")
        return _refused(401, "unauthorized")
    try:
        data = banknotify.parse_json_object(body)
        notice = banknotify.parse_sepay(data)
    except banknotify.MalformedBody as exc:
        return _refused(400, f"malformed body: {exc}")
    services.inbound_event_receive(
        provider="sepay", body=body, headers=kept_headers(request.headers), dedup_key=notice.external_id,
    )
    return JsonResponse({"success": True}, status=200)


@csrf_exempt
@require_POST
def casso(request):
    body = request.body
    if reason := _unreadable(body):
        return _refused(400, f"malformed body: {reason}")
    try:
        data = banknotify.parse_json_object(body)
    except banknotify.MalformedBody:
        data = None
    if data is None or not banknotify.verify_casso(request.headers, data):
        logger.warning("casso webhook refused: bad signature, stale timestamp or unreadable body")
        return _refused(401, "unauthorized")
    try:
        notice = banknotify.parse_casso(data)
    except banknotify.MalformedBody as exc:
        return _refused(400, f"malformed body: {exc}")
    services.inbound_event_receive(
        provider="casso", body=body, headers=kept_headers(request.headers), dedup_key=notice.external_id,
    )
    return JsonResponse({"success": True}, status=200)
