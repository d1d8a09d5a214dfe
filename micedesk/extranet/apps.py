"""Audience app: suppliers and institutional partners."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtranetConfig(AppConfig):
    name = "micedesk.extranet"
    verbose_name = _("Extranet")
