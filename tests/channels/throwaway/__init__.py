"""A throw-away marketplace, written the way a new one is added: this one package plus one line in
settings.MARKETPLACE_CONNECTORS (`tests.channels.throwaway.ThrowawayConnector`). Its shop lives in
memory (`SHOPS`); its pushes are signed with HMAC-SHA256 of the raw body under `SECRET`."""
from .connector import SECRET, SHOPS, ThrowawayConnector, sign

__all__ = ["SECRET", "SHOPS", "ThrowawayConnector", "sign"]
