"""micedesk's URLs plus `/bench/bare/`: a view doing nothing, the baseline of the HTTP benchmarks."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("micedesk.urls")),
]
