import datetime as dt

import pytest

from common.exceptions import DomainError
from dashboard.periods import Period, period_from_params


def test_month_quarter_year_and_custom_periods():
    assert period_from_params({"period": "month", "year": "2026", "month": "2"}) == Period(
        "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert period_from_params({"period": "quarter", "year": "2026", "quarter": "4"}) == Period(
        "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_from_params({"period": "year", "year": "2025"}).end == dt.date(2025, 12, 31)
    custom = period_from_params({"from": "15/03/2026", "to": "2026-05-20"})
    assert (custom.kind, custom.start, custom.end) == ("custom", dt.date(2026, 3, 15), dt.date(2026, 5, 20))
    assert custom.label == "Từ 15/03/2026 đến 20/05/2026"


def test_full_months_and_edges_split_a_custom_period():
    period = Period("custom", dt.date(2026, 3, 15), dt.date(2026, 5, 20))
    assert period.full_months() == [dt.date(2026, 4, 1)]
    (first_start, first_end), (last_start, last_end) = period.edges()
    assert (first_start.date(), first_end.date(), last_start.date(), last_end.date()) == (
        dt.date(2026, 3, 15), dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 5, 21))
    assert first_start.utcoffset() == dt.timedelta(hours=7)
    quarter = Period("quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert len(quarter.full_months()) == 3 and quarter.edges() == []
    inside = Period("custom", dt.date(2026, 7, 3), dt.date(2026, 7, 9))
    assert inside.full_months() == [] and len(inside.edges()) == 1


@pytest.mark.parametrize("params, field", [
    ({"period": "week"}, "period"), ({"period": "month", "month": "13"}, "month"),
    ({"from": "31/02/2026", "to": "01/03/2026"}, "from"), ({"from": "01/03/2026"}, "to"),
    ({"from": "02/03/2026", "to": "01/03/2026"}, "to"), ({"from": "01/01/2020", "to": "01/03/2026"}, "to"),
])
def test_invalid_periods_name_the_field(params, field):
    with pytest.raises(DomainError) as error:
        period_from_params(params)
    assert field in error.value.fields
