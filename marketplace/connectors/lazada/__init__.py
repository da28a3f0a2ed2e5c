"""Lazada: `connector` (the class), `api` (signed calls), `webhooks` (pushes), `signing`, `constants`."""
from .connector import LazadaConnector

__all__ = ["LazadaConnector"]
