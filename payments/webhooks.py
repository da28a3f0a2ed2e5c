"""The one door for webhooks: `webhook(request, channel)` at /webhooks/<channel>/ (the addresses
registered in the banks' services' and the marketplaces' consoles: /webhooks/sepay/, /casso/,
/shopee/, /lazada/). The channel's kind decides how it is verified and answered
(payments.channels); an unknown channel, or one not enabled, is a 404.

Every kind: verify, store the raw body as an InboundEvent (with the headers common.redaction
keeps), enqueue its processing after commit, answer at once. A request that fails verification
gets 401 and NOTHING is written; a verified body that is not what the channel documents gets 400
and nothing is written either. A second delivery of the same event is answered like the first and
only counted on the first row (`deliveries`). A body over common.jsonbody.MAX_BYTES or nested
deeper than MAX_DEPTH is refused with 400 before anything parses it.

Bank-notification services (payments/banks/: SePay, Casso) answer JSON, `{"success": true}` or
`{"success": false, "message": ...}`.

Marketplaces answer with an empty body: 200 for a push stored (what Shopee asks for; Lazada
wants 200 within 500 ms), 400 / 401 for a refusal. A marketplace signs its push for the callback
address registered in its console (the connector's push_callback_url): PUBLIC_BASE_URL + this
path when set, else the address the request arrived at (correct only when the proxy passes Host
and scheme through). A push that does not say when it was sent counts as stale.
"""
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from common import jsonbody
from common.redaction import kept_headers
from marketplace.connectors.registry import get_connector

from . import channels
from .banks.base import MalformedBody, parse_json_object
from .banks.registry import get_service
from .services import inbound_event_receive
from .services.pushes import PushRefused, push_accept

logger = logging.getLogger(__name__)


@csrf_exempt
def webhook(request, channel):
    kind = channels.kind(channel)
    if kind is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if kind == channels.BANK:
        return _bank_notification(request, get_service(channel))
    return _marketplace_push(request, channel)


def _bank_notification(request, service):
    body = request.body
    if reason := jsonbody.refusal(body):
        logger.warning("%s webhook refused: body %s", service.code, reason)
        return service.refused(400, f"malformed body: {reason}")
    if not service.verify(request.headers, body):
        logger.warning("%s webhook refused: %s", service.code, service.unverified)
        return service.refused(401, "unauthorized")
    try:
        notice = service.parse(parse_json_object(body))
    except MalformedBody as exc:
        return service.refused(400, f"malformed body: {exc}")
    inbound_event_receive(
        provider=service.code, body=body, headers=kept_headers(request.headers), dedup_key=service.dedup_key(notice),
    )
    return service.accepted()


def _arrival_url(request):
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{request.get_full_path()}" if base else request.build_absolute_uri()


def _marketplace_push(request, code):
    if reason := jsonbody.refusal(request.body):
        logger.warning("%s push refused: body %s", code, reason)
        return HttpResponse(status=400)
    try:
        push_accept(connector=get_connector(code), body=request.body, headers=request.headers,
                    url=_arrival_url(request))
    except PushRefused as exc:
        logger.warning("%s push refused: %s", code, exc.reason)
        return HttpResponse(status=exc.status)
    return HttpResponse(status=200)
