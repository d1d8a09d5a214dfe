"""The action plan: objectives, actions, cost estimates, yearly follow-up, KPIs, budget planner."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "micedesk.plan"
    verbose_name = _("Action plan")
