"""Reads on users and API keys, scoped to what the acting user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from micedesk.accounts.models import ApiKey, User


def api_keys_for(*, user: User) -> QuerySet[ApiKey]:
    """Every API key, newest first, for bureau staff; none for anyone else (a key's owner and
    issuer are staff business)."""
    if not user.is_authenticated or not user.is_bureau_staff:
        return ApiKey.objects.none()
    return ApiKey.objects.select_related("user", "created_by").order_by("-created_at", "-pk")
