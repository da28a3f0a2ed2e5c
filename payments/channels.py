"""Where inbound events come from, by kind: bank-notification services (payments.banks, listed in
settings.BANK_NOTIFICATION_SERVICES) and marketplaces that push order changes (the marketplace
registry, `orders_push`). The webhook door, InboundEvent's choices and the processing ask here;
nothing else lists channels."""
from marketplace.connectors import registry as marketplaces

from .banks import registry as banks

BANK, MARKETPLACE = "bank", "marketplace"


def bank_codes():
    return banks.codes()


def push_codes():
    return marketplaces.codes(orders_push=True)


def kind(code):
    """BANK, MARKETPLACE, or None for a channel that is unknown or not enabled."""
    if code in bank_codes():
        return BANK
    try:
        pushes = marketplaces.connector_class(code).capabilities.orders_push
    except marketplaces.UnknownConnector:
        return None
    return MARKETPLACE if pushes else None


def processable_codes():
    """Channels whose stored events something here processes."""
    return [*bank_codes(), *push_codes()]


def choices():
    """InboundEvent.provider's choices: every bank service and every enabled marketplace (a
    callable, so enabling one needs no migration)."""
    return [*banks.choices(), *marketplaces.choices()]
