from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from kombu import Connection


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return f"error: {exc.__class__.__name__}"


def _broker_state():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


@never_cache
def healthz(request):
    """For load balancers: 200 when the database (and the broker, if any) answer, else 503."""
    database, broker = _database_state(), _broker_state()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


def _wants_json(request):
    return request.path.startswith(("/api/", "/webhooks/"))


def not_found(request, exception=None):
    """API clients get the JSON error shape even for URLs no route matches; people get the page."""
    if _wants_json(request):
        return JsonResponse({"error": "not_found", "message": "Không tìm thấy.", "fields": {}}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"error": "server_error", "message": "Lỗi máy chủ. Vui lòng thử lại sau.", "fields": {}},
                            status=500)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)


@never_cache
def system_status(request):
    """Administrators: queue depths, failed listings, events in error, shops that lost authorisation."""
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import render

    from .status import failures, queue_depths

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    return render(request, "system_status.html", {
        "queues": queue_depths(), "eager": settings.CELERY_TASK_ALWAYS_EAGER, **failures(),
    })


def run_and_report(request, call, done, *to, **to_kwargs):
    """A portal button: run the service `call`; show its Vietnamese error, or `done`; then go to
    `redirect(*to, **to_kwargs)`."""
    from common.exceptions import DomainError

    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(*to, **to_kwargs)
