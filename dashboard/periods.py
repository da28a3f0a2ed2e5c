"""Reporting periods: a month, a quarter, a year or custom dates (dd/mm/yyyy), in Vietnam time."""
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import DomainError

KINDS = ("month", "quarter", "year", "custom")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
MAX_CUSTOM_DAYS = 3 * 366


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def today():
    return timezone.localdate()


def month_start(day):
    return day.replace(day=1)


def day_start(day):
    """Midnight at the start of `day`, Vietnam time, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def as_of(self):
        """The day a certificate must still be valid on: the period's last day, or today while it runs."""
        return min(self.end, today()) if self.start <= today() else self.end

    @property
    def start_at(self):
        return day_start(self.start)

    @property
    def end_at(self):
        """Exclusive upper bound: midnight after the last day."""
        return day_start(self.end + dt.timedelta(days=1))

    @property
    def label(self):
        if self.kind == "month":
            return _("Tháng %(month)s/%(year)s") % {"month": f"{self.start.month:02d}", "year": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(quarter)s/%(year)s") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "year":
            return _("Năm %(year)s") % {"year": self.start.year}
        return _("Từ %(start)s đến %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"), "end": self.end.strftime("%d/%m/%Y")}

    def full_months(self):
        """First days of the calendar months lying wholly inside the period."""
        first = self.start if self.start.day == 1 else month_start(self.start) + relativedelta(months=1)
        months = []
        while first + relativedelta(months=1) - dt.timedelta(days=1) <= self.end:
            months.append(first)
            first += relativedelta(months=1)
        return months

    def edges(self):
        """The parts of the period outside its full months, as (start_at, end_at) datetimes."""
        months = self.full_months()
        if not months:
            return [(self.start_at, self.end_at)]
        edges = []
        if self.start < months[0]:
            edges.append((self.start_at, day_start(months[0])))
        after = months[-1] + relativedelta(months=1)
        if after <= self.end:
            edges.append((day_start(after), self.end_at))
        return edges

    def trend_months(self, count=12):
        """The `count` months ending with the period's last month (a year shows its twelve)."""
        last = month_start(self.end)
        return [last - relativedelta(months=i) for i in range(count - 1, -1, -1)]

    def as_dict(self):
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "as_of": self.as_of.isoformat(), "label": self.label}


def month_period(year, month):
    start = dt.date(year, month, 1)
    return Period("month", start, start + relativedelta(months=1) - dt.timedelta(days=1))


def quarter_period(year, quarter):
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    return Period("quarter", start, start + relativedelta(months=3) - dt.timedelta(days=1))


def year_period(year):
    return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def parse_date(text, field):
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise DomainError(_("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy."), fields={field: [_("Ngày không hợp lệ.")]})


def _int(params, name, low, high, default):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise DomainError(_("Giá trị không hợp lệ."), fields={name: [_("Giá trị không hợp lệ.")]})
    return value


def period_from_params(params):
    """`period=month&year=2026&month=10`, `period=quarter&quarter=4`, `period=year`, or `from`/`to`.

    With no parameters: the current quarter (the department reports quarterly)."""
    now = today()
    start_text, end_text = params.get("from") or "", params.get("to") or ""
    kind = params.get("period") or ("custom" if start_text or end_text else "quarter")
    if kind not in KINDS:
        raise DomainError(_("Kỳ báo cáo không hợp lệ."), fields={"period": [_("Kỳ báo cáo không hợp lệ.")]})
    year = _int(params, "year", 2000, 2100, now.year)
    if kind == "month":
        return month_period(year, _int(params, "month", 1, 12, now.month))
    if kind == "quarter":
        return quarter_period(year, _int(params, "quarter", 1, 4, (now.month - 1) // 3 + 1))
    if kind == "year":
        return year_period(year)
    if not start_text or not end_text:
        raise DomainError(_("Hãy nhập cả ngày bắt đầu và ngày kết thúc."),
                          fields={"from" if not start_text else "to": [_("Bắt buộc.")]})
    start, end = parse_date(start_text, "from"), parse_date(end_text, "to")
    if end < start:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), fields={"to": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
    if (end - start).days > MAX_CUSTOM_DAYS:
        raise DomainError(_("Kỳ báo cáo tối đa 3 năm."), fields={"to": [_("Kỳ báo cáo tối đa 3 năm.")]})
    return Period("custom", start, end)
