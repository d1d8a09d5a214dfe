"""URLs of the JSON API, mounted under /api/: the endpoints, /api/openapi.json and /api/docs."""

from __future__ import annotations

from django.urls import path, re_path

from micedesk.api.api import api, not_found

urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
