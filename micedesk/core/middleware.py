"""HTTP middleware of micedesk: the language of each part of the site, and the Content-Security-Policy
header that Django 5.2 does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """The portal takes its language from the URL (French at /, English at /en/). The workspaces
    (extranet, back-office, admin, API) have no language in their URLs: they follow the language the
    user chose (cookie), then the browser's. Django's own middleware would force French on them."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(settings.WORKSPACE_PATH_PREFIXES):
            translation.activate(translation.get_language_from_request(request, check_path=False))
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
