"""The REST API's JSON parser with the webhooks' bound on nesting (common.jsonbody): DRF's JSONParser
lets json recurse once per level, so 100,000 `[` from any signed-in user were a RecursionError (500).
Numbers with a decimal point keep how they were written (common.money.WrittenNumber): `150.000`
sent as a JSON number for a price is refused, not read as 150 ₫."""
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from . import jsonbody
from .money import WrittenNumber


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or len(raw)
        try:
            text = raw.decode("utf-8")
            if jsonbody.refusal(text, max_bytes=limit):
                raise ValueError("too large or nested too deeply")
            return json.loads(text, parse_float=WrittenNumber, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ParseError(_("Nội dung JSON không đọc được (sai cú pháp, không phải UTF-8 hoặc lồng quá "
                               "%(depth)d tầng).") % {"depth": jsonbody.MAX_DEPTH}) from exc


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: DRF's strict mode refuses them too
