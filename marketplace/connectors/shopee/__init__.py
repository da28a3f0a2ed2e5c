"""Shopee: `connector` (the class), `api` (signed calls), `webhooks` (pushes), `signing`, `constants`."""
from .connector import ShopeeConnector

__all__ = ["ShopeeConnector"]
