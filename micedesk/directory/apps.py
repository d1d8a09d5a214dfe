"""Suppliers, their sites and meeting rooms, equipment, labels and themes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "micedesk.directory"
    verbose_name = _("Directory")
