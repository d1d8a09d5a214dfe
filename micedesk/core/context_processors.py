"""Template context shared by every page: the destination's brand."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict[str, str]:
    return {"BRAND": settings.MICEDESK_BRAND, "SITE_URL": settings.SITE_URL}
