"""API authentication: `Authorization: Bearer KEY` acts as the key's user; no header is the public."""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from micedesk.accounts.models import ApiKey, User
from micedesk.accounts.services import api_key_authenticate

# The shape `api_key_create` gives keys; anything else is refused before the database is asked.
KEY_SHAPE = re.compile(r"mk_[0-9a-f]{1,12}_[A-Za-z0-9_-]{1,200}")


class Anonymous:
    """Who calls without an `Authorization` header: sees what the public portal shows."""

    def __bool__(self) -> bool:
        return True  # ninja treats a falsy result as a failed authentication

    def __repr__(self) -> str:
        return "Anonymous"


ANONYMOUS = Anonymous()


class ApiKeyRefused(AuthenticationError):
    """A key was sent but it is malformed, unknown, revoked, or its user is inactive."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=401, message=message)


class ApiKeyBearer(HttpBearer):
    """Bearer API keys, optional: without the header the caller is anonymous.

    Cookies never authenticate here: the API reads no session, so it needs no CSRF protection.
    """

    openapi_bearerFormat = "mk_<prefix>_<secret>"
    openapi_description = (
        "An API key, created with `python manage.py create_api_key --user EMAIL`. "
        "Without it, only published listings are visible."
    )

    def __call__(self, request: HttpRequest) -> User | Anonymous:
        value = request.headers.get(self.header)
        if value is None:
            return ANONYMOUS
        scheme, _space, token = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            raise ApiKeyRefused(str(_("Send the API key as 'Authorization: Bearer KEY'.")))
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_key_authenticate(secret=token) if KEY_SHAPE.fullmatch(token) else None
        if user is None:
            raise ApiKeyRefused(str(_("This API key is invalid or was revoked.")))
        # Which key called, for the rate limits that each key has of its own.
        request.api_key_id = (
            ApiKey.objects.filter(prefix=token.split("_")[1], revoked_at=None)
            .values_list("pk", flat=True)
            .first()
        )
        return user


def caller(request: HttpRequest) -> User | None:
    """The user an authenticated request acts as, or None for the public."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else None


def caller_key_id(request: HttpRequest) -> int | None:
    """The id of the API key the request was authenticated with, or None."""
    return getattr(request, "api_key_id", None)
