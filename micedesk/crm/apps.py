"""The CRM of planners and prescribers: contacts, companies, timelines, attribution, consent, GDPR."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "micedesk.crm"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        # leads never imports the CRM: it sends signals, connected here, once its work commits.
        from micedesk.crm import services
        from micedesk.leads import signals

        signals.quote_request_received.connect(
            services.quote_request_received_handler, dispatch_uid="crm.quote_request_received"
        )
        signals.quote_request_outcome_declared.connect(
            services.quote_request_outcome_handler, dispatch_uid="crm.quote_request_outcome"
        )
