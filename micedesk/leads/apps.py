"""Quote requests: intake, qualification, matching, routing exactly once, responses and outcomes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "micedesk.leads"
    verbose_name = _("Quote requests")
