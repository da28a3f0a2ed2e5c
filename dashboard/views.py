"""The dashboard pages: an officer sees the province, a producer's member its own products."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from common.exceptions import DomainError
from producers.selectors import is_officer

from . import charts, export, follow_up, selectors
from .periods import period_from_params, today
from .replica import replica_reads


def _request_scope(request):
    """(period, filters, error): a bad parameter shows the message and the default period."""
    try:
        return period_from_params(request.GET), selectors.filters_from_params(request.GET), None
    except DomainError as error:
        return period_from_params({}), selectors.Filters(), error.message


@login_required
def index(request):
    with replica_reads():
        return _index(request)


def _index(request):
    period, filters, error = _request_scope(request)
    summary = selectors.summary(user=request.user, period=period, filters=filters)
    trend = selectors.trend(user=request.user, period=period, filters=filters)
    follow_ups = follow_up.follow_ups(user=request.user, filters=filters)
    breakdowns = [
        {"key": key, "title": title, "rows": summary["breakdowns"][key],
         "chart": charts.bars_chart(summary["breakdowns"][key]) if key in ("group", "stars", "kind", "marketplace")
         and summary["breakdowns"][key] else None}
        for key, title in selectors.DIMENSIONS.items()
    ]
    context = {
        "summary": summary, "trend": trend, "follow_ups": follow_ups, "breakdowns": breakdowns,
        "trend_chart": charts.trend_chart(trend, summary["target_percent"]),
        "channel_totals": selectors.channel_totals(summary["channels"]),
        "definitions": selectors.DEFINITIONS, "period": period, "filters": filters, "error": error,
        "choices": selectors.filter_choices(request.user), "is_officer": is_officer(request.user),
        "query": request.GET.urlencode(), "years": list(range(today().year, today().year - 6, -1)),
        "months": list(range(1, 13)), "quarters": [1, 2, 3, 4],
        "current_quarter": (period.start.month - 1) // 3 + 1,
    }
    return render(request, "dashboard/index.html", context)


@login_required
def export_xlsx(request):
    period, filters, error = _request_scope(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    with replica_reads():
        content = export.workbook_bytes(user=request.user, period=period, filters=filters)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(period)}"'
    return response
