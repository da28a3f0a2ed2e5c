"""The channels a counted sale can come through, and each one's permanent bit in ProductMonth.mask.

A channel is a marketplace's code (as stored on its transactions) or one of the kinds `bank`,
`manual`, `other`. Its bit is assigned once, on first use, and never moves nor is reused: stored
masks and per-channel rows stay true whatever marketplaces are added to or removed from settings.
The bits of the channels that existed before the table are frozen in `FROZEN_BITS` (the
migration seeds them, and an emptied table gets them back); a new code takes the next bit after
every bit ever assigned."""
from dataclasses import dataclass
from functools import cached_property

from django.db import IntegrityError, transaction
from django.db.models import Max

from .models import Channel

KINDS = ("bank", "manual", "other")
# Frozen: these are the bits of figures already stored. Never change a value here.
FROZEN_BITS = {"sandbox": 0, "shopee": 1, "lazada": 2, "tiki": 3, "postmart": 4, "voso": 5,
               "bank": 6, "manual": 7, "other": 8}
# ProductMonth.mask is a signed 64-bit integer: bits 0 to 62.
MASK_BITS = 63
_ATTEMPTS = 5


class ChannelLimitReached(RuntimeError):
    """Every bit of the mask is taken: the mask needs a wider type before another channel."""


def is_marketplace(code):
    return code not in KINDS


def bits_for(codes):
    """{code: bit} for these channel codes, assigning a bit to each code seen for the first time."""
    codes = set(codes)
    found = dict(Channel.objects.filter(code__in=codes).values_list("code", "bit")) if codes else {}
    for code in sorted(codes - found.keys()):
        found[code] = _assign(code)
    return found


def _assign(code):
    """Inserts the code's channel row; a concurrent writer taking the same code or bit first makes
    the insert fail on a unique constraint, and the next attempt reads what it wrote."""
    for _attempt in range(_ATTEMPTS):
        bit = FROZEN_BITS.get(code)
        if bit is None:
            highest = Channel.objects.aggregate(highest=Max("bit"))["highest"]
            bit = max(max(FROZEN_BITS.values()), -1 if highest is None else highest) + 1
        if bit >= MASK_BITS:
            raise ChannelLimitReached(code)
        try:
            with transaction.atomic():
                return Channel.objects.create(bit=bit, code=code).bit
        except IntegrityError:
            existing = Channel.objects.filter(code=code).values_list("bit", flat=True).first()
            if existing is not None:
                return existing
    raise IntegrityError(f"no bit could be assigned to channel {code!r}")


@dataclass(frozen=True)
class Channels:
    """The channels known when a figure is read: {code: bit}."""

    bits: dict

    @classmethod
    def known(cls):
        return cls(dict(Channel.objects.values_list("code", "bit")))

    @cached_property
    def marketplaces(self):
        """Marketplace codes in the order their bits were assigned."""
        return sorted((code for code in self.bits if is_marketplace(code)), key=self.bits.get)

    def mask(self, *codes):
        return sum(1 << self.bits[code] for code in codes if code in self.bits)

    @cached_property
    def marketplace_mask(self):
        return self.mask(*self.marketplaces)
