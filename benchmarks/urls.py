"""The project's URLs plus `/bench/floor`: a bare Django view that only answers 200, the floor the
webhook and portal figures are measured against (same server, same middleware)."""
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def floor(request):
    return HttpResponse(b"", status=200)


urlpatterns = [
    path("bench/floor", floor, name="bench-floor"),
    path("", include("config.urls")),
]
