"""Audience app: the JSON API."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "micedesk.api"
    verbose_name = _("API")
