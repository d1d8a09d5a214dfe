"""Region, departments, communes and the territories of institutional partners."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "micedesk.geo"
    verbose_name = _("Geography")
