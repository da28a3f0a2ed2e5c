"""The nesting bound on bodies from outside: exact at the limit, blind to brackets inside strings,
and linear whatever the body holds (a regex that backtracks on `"\"` runs would not be)."""
import json
import time

import pytest

from common import jsonbody


def _alternating(depth):
    """{"k":[{"k":[ ... 1 ... ]}]} nested `depth` levels."""
    opening = "".join("[" if i % 2 else '{"k":' for i in range(depth))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(depth)))
    return opening + "1" + closing


@pytest.mark.parametrize("depth", [1, 31, 32, 33, 64, 100_000])
def test_depth_is_counted_exactly(depth):
    body = _alternating(depth)
    assert jsonbody.too_deep(body) is (depth > jsonbody.MAX_DEPTH)
    assert jsonbody.too_deep(body.encode()) is (depth > jsonbody.MAX_DEPTH)


def test_brackets_and_escaped_quotes_inside_strings_do_not_count():
    assert not jsonbody.too_deep('{"memo": "' + "[" * 100 + '"}')
    assert not jsonbody.too_deep('{"memo": "\\"' + "{" * 100 + '\\\\"}')
    assert jsonbody.too_deep('["\\\\"' + ",[" * 40 + "]" * 40 + "]")  # the string ended: these count


def test_loads_refuses_what_is_not_utf8_json_or_too_deep():
    assert jsonbody.loads(b'{"a": [1, {"b": "\xc3\xa2"}]}') == {"a": [1, {"b": "â"}]}
    for raw in (b'{"a": 1', '{"a": "caf\u00e9"}'.encode("utf-16"), _alternating(40).encode()):
        with pytest.raises(jsonbody.MalformedJson):
            jsonbody.loads(raw)


@pytest.mark.parametrize("raw", [
    b'"\\' * 100_000, b'"' * 200_000, b"[" * 200_000, b"[" + b"[]," * 80_000 + b"[]]", b'"' + b"a" * 250_000,
])
def test_the_scan_of_a_body_under_the_size_cap_is_fast(raw):
    assert len(raw) <= jsonbody.MAX_BYTES
    started = time.process_time()
    jsonbody.refusal(raw)
    assert time.process_time() - started < 0.5


def test_a_real_notification_passes():
    assert jsonbody.refusal(json.dumps({"error": 0, "data": {"id": 1, "description": "OCOP K7P2QX [x]"}})) == ""
