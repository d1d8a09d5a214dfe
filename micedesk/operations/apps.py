"""The bureau's own actions: trade shows, workshops, éductours, webinars, campaigns; costs and ROI."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "micedesk.operations"
    verbose_name = _("Bureau events")
