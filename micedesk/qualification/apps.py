"""Qualification grids: versioned criteria, evaluations by the partners, published levels."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualificationConfig(AppConfig):
    name = "micedesk.qualification"
    verbose_name = _("Qualification")
