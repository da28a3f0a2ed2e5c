"""The connectors named in settings.MARKETPLACE_CONNECTORS, by their code."""
from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Connector


class UnknownConnector(LookupError):
    pass


def _classes() -> dict[str, type[Connector]]:
    classes = {}
    for dotted in settings.MARKETPLACE_CONNECTORS:
        cls = import_string(dotted)
        classes[cls.code] = cls
    return classes


def connector_class(code: str) -> type[Connector]:
    try:
        return _classes()[code]
    except KeyError:
        raise UnknownConnector(code) from None


def get_connector(code: str) -> Connector:
    """A new instance per call: `connector.calls` then holds the calls of one operation."""
    return connector_class(code)()


def all_connectors() -> list[Connector]:
    return [cls() for cls in _classes().values()]


def choices() -> list[tuple[str, str]]:
    """(code, display name) pairs, for a model field's or a form's choices."""
    return [(cls.code, str(cls.name)) for cls in _classes().values()]
