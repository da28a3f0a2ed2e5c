"""The only list of marketplaces: the connector classes named in settings.MARKETPLACE_CONNECTORS,
by their code, in settings order. Adding a marketplace is one package under connectors/ plus one
line there; choices, codes by capability and display names all follow."""
from __future__ import annotations

from dataclasses import fields
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Capabilities, Connector

CAPABILITY_NAMES = frozenset(f.name for f in fields(Capabilities))


class UnknownConnector(LookupError):
    pass


@lru_cache(maxsize=8)
def _load(dotted_paths: tuple[str, ...]) -> dict[str, type[Connector]]:
    return {cls.code: cls for cls in map(import_string, dotted_paths)}


def _classes() -> dict[str, type[Connector]]:
    return _load(tuple(settings.MARKETPLACE_CONNECTORS))


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
    """(code, name) pairs for a model field's or a form's choices. Pass the function itself
    (`choices=registry.choices`): Django calls it when the choices are read, never at import,
    and it reads no database. Names stay lazy translations, shown in the reader's language."""
    return [(code, cls.name) for code, cls in _classes().items()]


def codes(**capabilities) -> list[str]:
    """The codes of the marketplaces whose capabilities match, e.g. `codes(auth="feed")`,
    `codes(orders_push=True)`; no filter: every enabled marketplace."""
    unknown = set(capabilities) - CAPABILITY_NAMES
    if unknown:
        raise TypeError(f"unknown capabilities: {', '.join(sorted(unknown))}")
    return [code for code, cls in _classes().items()
            if all(getattr(cls.capabilities, name) == value for name, value in capabilities.items())]


def display_name(code: str) -> str:
    """The marketplace's name, or its code when it is no longer enabled (old rows keep showing)."""
    try:
        return str(connector_class(code).name)
    except UnknownConnector:
        return code
