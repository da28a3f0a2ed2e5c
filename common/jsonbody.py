"""JSON bodies from outside (webhooks) with a bound on nesting.

Python's json module recurses once per level of nesting: 100,000 `[` in a request body raise
RecursionError (a 500), and a few thousand parse but break whatever walks the result later. No
provider nests more than a handful of levels, so a body deeper than MAX_DEPTH is refused *before*
json.loads runs, by a scan that skips strings (brackets inside a memo do not count). A body over
MAX_BYTES (a webhook's is a few KB) is refused before the scan, which keeps both cheap.
"""
import json
import re
from itertools import accumulate

MAX_DEPTH = 32
MAX_BYTES = 256 * 1024

# Linear in the body's length whatever it holds: escapes go first (so a quote inside a string is
# gone), then strings, then everything that is not a bracket.
_ESCAPE = re.compile(r"\\.", re.S)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = str.maketrans({"[": "\x01", "{": "\x01", "]": "\xff", "}": "\xff"})  # +1 / -1 as signed bytes


class MalformedJson(ValueError):
    """Not UTF-8 JSON, or nested deeper than allowed: the caller answers 400 and writes nothing."""


def too_deep(raw, max_depth=MAX_DEPTH):
    """True when `raw` (bytes or str) nests arrays/objects deeper than `max_depth`. Bytes are read
    one byte per character: in UTF-8 no byte of a multi-byte character is a bracket, a quote or a
    backslash."""
    text = raw.decode("latin-1") if isinstance(raw, (bytes, bytearray)) else raw
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    if len(brackets) <= max_depth:
        return False
    steps = memoryview(brackets.translate(_STEP).encode("latin-1")).cast("b")
    return any(depth > max_depth for depth in accumulate(steps))


def refusal(raw, *, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH):
    """Why a body from outside is refused before anything parses it, or "" when it is not."""
    if len(raw) > max_bytes:
        return "too large"
    if too_deep(raw, max_depth):
        return "nested too deeply"
    return ""


def loads(raw, *, max_depth=MAX_DEPTH, max_bytes=MAX_BYTES):
    """json.loads for a body from outside: UTF-8 only (json would also guess UTF-16/32), nesting
    bounded. Raises MalformedJson (a ValueError)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
    except UnicodeDecodeError as exc:
        raise MalformedJson("not UTF-8") from exc
    reason = refusal(text, max_bytes=max_bytes, max_depth=max_depth)
    if reason:
        raise MalformedJson(reason)
    try:
        return json.loads(text)
    except RecursionError as exc:  # only if MAX_DEPTH were raised near the interpreter's limit
        raise MalformedJson("nested too deeply") from exc
    except ValueError as exc:
        raise MalformedJson(str(exc)) from exc
