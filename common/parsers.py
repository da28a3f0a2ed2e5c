"""The REST API's JSON parser with the webhooks' bound on nesting (common.jsonbody): DRF's JSONParser
lets json recurse once per level, so 100,000 `[` from any signed-in user were a RecursionError (500)."""
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from . import jsonbody


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or len(raw)
        try:
            return jsonbody.loads(raw, max_bytes=limit)
        except jsonbody.MalformedJson as exc:
            raise ParseError(_("Nội dung JSON không đọc được (sai cú pháp, không phải UTF-8 hoặc lồng quá "
                               "%(depth)d tầng).") % {"depth": jsonbody.MAX_DEPTH}) from exc
