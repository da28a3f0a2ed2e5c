"""Views every app shares: the JSON-or-page error handlers and the portal buttons' helper."""
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect


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
