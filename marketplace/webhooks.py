"""Marketplace push webhooks (Shopee, Lazada): verify, store, enqueue after commit, answer at once.

Shopee signs `url + "|" + raw body` with the partner key, `url` being the callback address as
registered in its console: SHOPEE_PUSH_URL when set, else PUBLIC_BASE_URL + this path, else the
address the request arrived at (correct only when the proxy passes Host and scheme through).
Lazada signs `app_key + raw body` with the app secret. A forged, tampered or stale push gets 401
and nothing is written; a verified body that is not JSON gets 400. A verified push is stored as an
InboundEvent and answered 200 with an empty body (what Shopee asks for; Lazada wants 200 within
500 ms): the order is fetched and recorded by a task. A push that does not say when it was sent
(`timestamp`) counts as stale; a body over common.jsonbody.MAX_BYTES or nested deeper than
MAX_DEPTH gets 400 before anything parses it; the same push delivered again is counted on its first row.
"""
import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common import jsonbody

from . import services

logger = logging.getLogger(__name__)


def callback_url(request, provider):
    if provider == "shopee" and getattr(settings, "SHOPEE_PUSH_URL", ""):
        return settings.SHOPEE_PUSH_URL
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{request.get_full_path()}" if base else request.build_absolute_uri()


def _push(request, provider):
    if reason := jsonbody.refusal(request.body):
        logger.warning("%s push refused: body %s", provider, reason)
        return HttpResponse(status=400)
    try:
        services.push_accept(provider=provider, body=request.body, headers=request.headers,
                             url=callback_url(request, provider))
    except services.PushRefused as exc:
        logger.warning("%s push refused: %s", provider, exc.reason)
        return HttpResponse(status=exc.status)
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def shopee(request):
    return _push(request, "shopee")


@csrf_exempt
@require_POST
def lazada(request):
    return _push(request, "lazada")
