"""URL map: the portal (English under /en/), login, the extranet, the back-office, the API."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("extranet/", include("micedesk.extranet.urls")),
    path("backoffice/", include("micedesk.backoffice.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("micedesk.portal.urls")),
    prefix_default_language=False,
)
