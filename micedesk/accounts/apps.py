"""Users, the organisations they act for, their roles and API keys."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "micedesk.accounts"
    verbose_name = _("Accounts")
