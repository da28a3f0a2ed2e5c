"""Runs last (by name): greps everything the test run logged so far for personal data.

Decree 356/2025/NĐ-CP: phone numbers, national ids and bank account numbers never reach the logs.
The fixtures use +84912345678 / 0912345678 (phones), 0071000123456 (a bank account) and 001203004567
(a CCCD); the first test logs them on purpose, through a third-party-style logger."""
import logging

from common.logging import personal_data_in
from tests.conftest import _RunLog

SENTINELS = ["912345678", "0071000123456", "001203004567", "987654321"]


def test_a_log_line_with_personal_data_is_masked_where_it_is_created():
    logging.getLogger("some.library").warning(
        "Khách 0912 345 678 chuyển khoản từ tài khoản %s, CCCD %s", "0071000123456", "001203004567"
    )
    assert any("[số điện thoại]" in line and "***456" in line for line in _RunLog.lines)


def test_no_log_line_of_the_run_holds_a_phone_account_or_id_number():
    leaks = [
        line for line in _RunLog.lines
        if any(sentinel in line for sentinel in SENTINELS) or personal_data_in(line)
    ]
    assert leaks == [], leaks[:5]
    assert len(_RunLog.lines) > 0
