"""The CRM of planners and prescribers: contacts, companies, timelines, attribution, consent, GDPR."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "micedesk.crm"
    verbose_name = _("Contacts")
