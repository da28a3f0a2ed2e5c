"""Voso (Viettel Post): a feed marketplace, see `marketplace.connectors.feed`."""
from django.utils.translation import gettext_lazy

from ..feed import FeedConnector


class VosoConnector(FeedConnector):
    code = "voso"
    name = gettext_lazy("Voso")
    hosts = ("voso.vn",)


__all__ = ["VosoConnector"]
