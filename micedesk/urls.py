"""URL map: the portal (English under /en/), login, the extranet, the back-office, the API."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

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
