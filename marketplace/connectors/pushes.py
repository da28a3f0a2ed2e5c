"""Reading the parts every marketplace push shares: times since 1970, a `data` object that
sometimes arrives as a JSON string, and a key made of the whole content."""
from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime


def epoch(value) -> datetime | None:
    """Seconds or milliseconds since 1970 (Lazada's `timestamp` is in ms) as an aware datetime;
    None for anything that is not a time (NaN, infinity, past year 9999, a huge string...)."""
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > 20):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    if number > 10**11:
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, ValueError, OSError):  # past year 9999
        return None


def data_of(payload: dict) -> dict:
    """The push's `data` object; Shopee sends it as a JSON string in some pushes (lost pushes)."""
    data = payload.get("data") or {}
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = {}
    return data if isinstance(data, dict) else {}


def joined_key(*parts) -> str:
    """A de-duplication key from a push's own identifiers (missing ones left empty)."""
    return ":".join(str(p if p is not None else "") for p in parts)[:120]


def content_key(payload: dict) -> str:
    """A de-duplication key for a push without identifiers: the hash of its canonical JSON."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
