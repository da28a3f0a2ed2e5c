"""Postmart (VNPost): a feed marketplace, see `marketplace.connectors.feed`."""
from django.utils.translation import gettext_lazy

from ..feed import FeedConnector


class PostmartConnector(FeedConnector):
    code = "postmart"
    name = gettext_lazy("Postmart")
    hosts = ("postmart.vn",)


__all__ = ["PostmartConnector"]
