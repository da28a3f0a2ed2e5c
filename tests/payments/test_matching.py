"""Finding reference codes in real-looking bank memos, table-driven from tests/data/payments/memos.json."""
import pytest

from payments.matching import find_reference_codes

from .conftest import load

CASES = load("memos.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["bank"] for c in CASES])
def test_codes_are_found_in_mangled_memos(case):
    # given a memo as a bank delivers it / when we look for codes / then exactly the expected ones come out
    assert find_reference_codes(case["memo"]) == case["codes"]


def test_the_table_covers_at_least_twelve_memo_formats():
    assert len([c for c in CASES if c["codes"]]) >= 12
