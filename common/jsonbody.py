"""JSON bodies from outside (webhooks) with a bound on nesting.

Python's json module recurses once per level of nesting: 100,000 `[` in a request body raise
RecursionError (a 500), and a few thousand parse but break whatever walks the result later. No
provider nests more than a handful of levels, so a body deeper than MAX_DEPTH is refused *before*
json.loads runs, by a scan that skips strings (brackets inside a memo do not count).
"""
import json
import re

MAX_DEPTH = 32

# A JSON string, escapes included; linear, with no backtracking between its two parts.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


class MalformedJson(ValueError):
    """Not UTF-8 JSON, or nested deeper than allowed: the caller answers 400 and writes nothing."""


def too_deep(raw, max_depth=MAX_DEPTH):
    """True when `raw` (bytes or str) nests arrays/objects deeper than `max_depth`. Bytes are read
    one byte per character: in UTF-8 no byte of a multi-byte character is a bracket or a quote."""
    text = raw.decode("latin-1") if isinstance(raw, (bytes, bytearray)) else raw
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def loads(raw, *, max_depth=MAX_DEPTH):
    """json.loads for a body from outside: UTF-8 only (json would also guess UTF-16/32), nesting
    bounded. Raises MalformedJson (a ValueError)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
    except UnicodeDecodeError as exc:
        raise MalformedJson("not UTF-8") from exc
    if too_deep(text, max_depth):
        raise MalformedJson("nested too deeply")
    try:
        return json.loads(text)
    except RecursionError as exc:  # only if MAX_DEPTH were raised near the interpreter's limit
        raise MalformedJson("nested too deeply") from exc
    except ValueError as exc:
        raise MalformedJson(str(exc)) from exc
