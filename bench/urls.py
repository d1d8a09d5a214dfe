"""micedesk's URLs plus `/bench/bare/`: a view doing nothing, the baseline of the HTTP benchmarks."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from micedesk.urls import urlpatterns as micedesk_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *micedesk_urlpatterns]
