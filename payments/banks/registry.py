"""The bank-notification services named in settings.BANK_NOTIFICATION_SERVICES, by their code.
Adding a service is one module under payments/banks/ and one line there."""
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string


class UnknownService(LookupError):
    pass


@lru_cache(maxsize=8)
def _load(dotted_paths):
    return {cls.code: cls for cls in map(import_string, dotted_paths)}


def _classes():
    return _load(tuple(settings.BANK_NOTIFICATION_SERVICES))


def get_service(code):
    try:
        return _classes()[code]()
    except KeyError:
        raise UnknownService(code) from None


def codes():
    return list(_classes())


def choices():
    """(code, name) pairs, for a model field's or a form's choices."""
    return [(code, cls.name) for code, cls in _classes().items()]
