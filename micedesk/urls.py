"""URL map: the portal (English under /en/), login, the extranet, the back-office, the API, media."""

from __future__ import annotations

import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

from micedesk.portal.sitemaps import SITEMAPS
from micedesk.portal.views import robots_txt

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("extranet/", include("micedesk.extranet.urls")),
    path("backoffice/", include("micedesk.backoffice.urls")),
    path("robots.txt", robots_txt, name="robots"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("api/", include("micedesk.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("micedesk.portal.urls")),
    prefix_default_language=False,
)


def media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded file of MEDIA_ROOT, looked up when asked (so MEDIA_ROOT is read then, not at start).

    `serve` refuses a path that leads out of MEDIA_ROOT with a 400 (logged as suspicious), and a
    directory or a missing file with a 404."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    # Uploaded photos are served by the application itself, so that `make run` and a single-server
    # deployment show them with nothing else to set up (gunicorn has no file serving, whitenoise
    # serves static files only). A larger deployment lets its proxy serve MEDIA_ROOT and sets
    # SERVE_MEDIA=False. Django's `static()` helper is not used: it does nothing when DEBUG is off.
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", media)]
