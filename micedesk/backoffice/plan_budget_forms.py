"""Form of the budget planner: the year, the caps (budget in euros, full-time equivalents) and which
of the plan's estimates to count. It checks what staff typed; the planner refuses the rest (caps
below what is already committed) and its messages land on the same fields."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.plan.models import Plan

BASIS_CHOICES = [
    ("high", _("High estimates (prudent)")),
    ("mid", _("Middle of each range")),
    ("low", _("Low estimates")),
]


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


class BudgetForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    budget = forms.DecimalField(
        label=_("Budget (€)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        error_messages={"min_value": _("A budget cannot be negative.")},
    )
    fte = forms.DecimalField(
        label=_("Staff (full-time equivalents)"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        localize=True,
        help_text=_("Each full-time equivalent gives 12 months of staff time."),
        error_messages={"min_value": _("Staff time cannot be negative.")},
    )
    basis = forms.ChoiceField(label=_("Count the plan's costs at"), choices=BASIS_CHOICES)

    def __init__(self, *args: object, plan: Plan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in plan.years]

    @classmethod
    def for_request(cls, plan: Plan, query: dict) -> BudgetForm:
        """Bound to the query, the plan's own figures (its stated budget and staff, the current
        year) filling what it leaves out, so that `?year=2024` opens on an answer; unbound when
        the plan states no figures and the query gives none."""
        data = cls.defaults(plan)
        data.update({name: query[name] for name in cls.base_fields if name in query})
        if not any(name in query for name in cls.base_fields) and not (
            data["budget"] and data["fte"]
        ):
            return cls(initial=data, plan=plan)
        return cls(data, plan=plan)

    @staticmethod
    def defaults(plan: Plan) -> dict[str, object]:
        today = timezone.localdate().year
        return {
            "year": today if today in plan.years else plan.first_year,
            "budget": _text(plan.stated_min_budget),
            "fte": _text(plan.stated_fte),
            "basis": "high",
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """The planner's refusals on the fields they concern, or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, texts in error.message_dict.items():
            self.add_error(name if name in self.fields else None, texts)
