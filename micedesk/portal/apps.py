"""Audience app: the public site."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "micedesk.portal"
    verbose_name = _("Portal")
