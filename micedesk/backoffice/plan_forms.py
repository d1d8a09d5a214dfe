"""Forms of the action plan screens of the back-office: an action, a cost estimate, an action's
year (status, priority, spend entered by hand, planned quantities) and an indicator. They check
what staff typed; the plan's rules (ranges, quantities within their maximum, measured indicators)
are checked by micedesk.plan.services, whose messages the views put back on these forms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from micedesk.accounts.models import Role, User
from micedesk.operations.models import EVENT_KINDS
from micedesk.plan.models import Action, ActionStatus, ActionYear, CostItem, Kpi, Plan, Timing

# What each priority means to the budget planner, in the words staff choose from.
PRIORITY_CHOICES = [
    (0, _("0 · not wanted")),
    (1, _("1 · low")),
    (2, _("2 · useful")),
    (3, _("3 · important")),
    (4, _("4 · very important")),
    (5, _("5 · essential")),
]
MONEY = {"max_digits": 12, "decimal_places": 2, "localize": True, "required": False}
NUMBER = {"max_digits": 14, "decimal_places": 2, "localize": True, "required": False}
TEXTAREA = forms.Textarea(attrs={"rows": 3})
# Spaces between thousands, as typed or pasted (with no-break and narrow no-break spaces).
SPACES = str.maketrans("", "", " \u00a0\u202f")


class NumberField(forms.DecimalField):
    """A decimal typed as staff write it: "1 500,50" in French, "1500.50" in English."""

    def to_python(self, value: object) -> Decimal | None:
        if isinstance(value, str):
            value = value.translate(SPACES)
        return super().to_python(value)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on the form's fields, or above the form for the others."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


class ActionForm(forms.Form):
    objective = forms.ModelChoiceField(label=_("Objective"), queryset=None)
    also_objectives = forms.ModelMultipleChoiceField(
        label=_("Also listed under"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Objectives whose synthesis also lists this action (counted once overall)."),
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    summary = forms.CharField(label=_("Summary"), required=False, widget=TEXTAREA)
    timing = forms.ChoiceField(label=_("Timing"), choices=Timing.choices, widget=forms.RadioSelect)
    start_year = forms.TypedChoiceField(
        label=_("Start year"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For an action to start in a given year."),
    )
    lead = forms.CharField(
        label=_("Carried by"),
        max_length=200,
        required=False,
        help_text=_("Who carries the action according to the plan (Region, convention bureaux…)."),
    )
    owner = forms.ModelChoiceField(label=_("Followed by"), queryset=None, required=False)
    returns_method = forms.CharField(
        label=_("How its returns are computed"), required=False, widget=TEXTAREA
    )
    event_kind = forms.ChoiceField(
        label=_("Kind of bureau event"),
        required=False,
        choices=[("", _("None")), *EVENT_KINDS],
        help_text=_("The year's events of this kind give the action's committed and actual spend."),
    )

    def __init__(self, *args: object, plan: Plan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        objectives = plan.objectives.order_by("number")
        self.fields["objective"].queryset = objectives
        self.fields["also_objectives"].queryset = objectives
        self.fields["start_year"].choices = [("", "–")] + [(y, y) for y in plan.years]
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.STAFF, Role.ADMIN]
        ).order_by("full_name", "email")

    @classmethod
    def for_action(
        cls, action: Action | None, *, plan: Plan, data: object = None, objective: int | None = None
    ) -> ActionForm:
        if action is None:
            initial = {"timing": Timing.PROGRESSIVE}
            if objective:
                initial["objective"] = plan.objectives.filter(number=objective).first()
            return cls(data, plan=plan, initial=initial)
        initial = {
            "objective": action.objective,
            "also_objectives": list(action.also_objectives.all()),
            "title": action.title,
            "summary": action.summary,
            "timing": action.timing,
            "start_year": action.start_year,
            "lead": action.lead,
            "owner": action.owner,
            "returns_method": action.returns_method,
            "event_kind": action.event_kind,
        }
        return cls(data, plan=plan, initial=initial)


class CostItemForm(forms.Form):
    """Amounts are checked by the service: both or neither, never negative, low below high."""

    label = forms.CharField(label=_("Label"), max_length=250)
    amount_low = NumberField(
        label=_("Low estimate (€)"),
        help_text=_("Leave both amounts empty when the plan gives no figure; 0 is « Néant »."),
        **MONEY,
    )
    amount_high = NumberField(label=_("High estimate (€)"), **MONEY)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=60,
        required=False,
        help_text=_("What is counted (éductour, establishment, video…); empty for a lump sum."),
    )
    for_quantity = forms.IntegerField(
        label=_("For how many units"),
        initial=1,
        help_text=_("The amounts cover this many units."),
    )
    staff_months = NumberField(
        label=_("Staff time (months)"),
        max_digits=6,
        decimal_places=2,
        localize=True,
        required=False,
        help_text=_("Staff time the estimate covers, in months of one full-time post."),
    )
    wording = forms.CharField(label=_("The plan's words"), required=False, widget=TEXTAREA)

    @classmethod
    def for_item(cls, item: CostItem | None, data: object = None) -> CostItemForm:
        if item is None:
            return cls(data)
        initial = {name: getattr(item, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class ActionYearForm(forms.Form):
    """The year's follow-up, and one pair of inputs per cost estimate: `q-<item id>` (planned)
    and `max-<item id>` (the most the budget planner may choose)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=ActionStatus.choices,
        error_messages={"invalid_choice": _("Unknown status.")},
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=PRIORITY_CHOICES,
        coerce=int,
        error_messages={"invalid_choice": _("The priority goes from 0 to 5.")},
        help_text=_("The value the budget planner gives the action."),
    )
    planned_amount = NumberField(
        label=_("Planned budget (€)"),
        help_text=_("Empty: the plan's estimate for the planned quantities."),
        **MONEY,
    )
    committed_amount = NumberField(
        label=_("Other commitments (€)"),
        help_text=_("Orders and grants signed that no bureau event records; empty is none."),
        **MONEY,
    )
    actual_amount = NumberField(
        label=_("Other actual spend (€)"),
        help_text=_("Spend that no bureau event records; empty is none."),
        **MONEY,
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=TEXTAREA)

    def __init__(self, *args: object, action_year: ActionYear, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(action_year.quantities.all())
        for row in self.rows:
            item = row.item
            self.fields[f"q-{item.pk}"] = forms.IntegerField(
                label=_("%(item)s: planned") % {"item": item.label}, initial=row.quantity
            )
            self.fields[f"max-{item.pk}"] = forms.IntegerField(
                label=_("%(item)s: at most") % {"item": item.label}, initial=row.max_quantity
            )

    @classmethod
    def for_action_year(cls, action_year: ActionYear, data: object = None) -> ActionYearForm:
        initial = {
            "status": action_year.status,
            "priority": action_year.priority,
            "planned_amount": action_year.planned_amount,
            "committed_amount": action_year.committed_amount,
            "actual_amount": action_year.actual_amount,
            "notes": action_year.notes,
        }
        return cls(data, action_year=action_year, initial=initial)

    def quantity_fields(self) -> list[tuple[object, forms.BoundField, forms.BoundField]]:
        """(cost estimate, its planned input, its maximum input) for the template's table."""
        return [
            (row.item, self[f"q-{row.item.pk}"], self[f"max-{row.item.pk}"]) for row in self.rows
        ]

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ActionYearForm.base_fields}
        for name in ("committed_amount", "actual_amount"):
            if data[name] is None:
                data[name] = Decimal(0)
        return data

    def quantities(self) -> dict[int, tuple[int, int]]:
        return {
            row.item.pk: (
                self.cleaned_data[f"q-{row.item.pk}"],
                self.cleaned_data[f"max-{row.item.pk}"],
            )
            for row in self.rows
        }


def _measure_choices() -> list[tuple[str, str]]:
    # Written alongside this form by another part: read when the form is built, not imported.
    from micedesk.plan import measures

    return measures.choices()


class KpiForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    measure = forms.ChoiceField(
        label=_("Measured by micedesk"),
        choices=_measure_choices,
        required=False,
        error_messages={"invalid_choice": _("Unknown measure: %(value)s.")},
        help_text=_("The figure micedesk computes from its own data; none: entered by hand."),
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    target = NumberField(label=_("Target"), **NUMBER)
    manual_value = NumberField(
        label=_("Value entered by hand"),
        help_text=_("Only for an indicator micedesk does not measure."),
        **NUMBER,
    )
    manual_source = forms.CharField(
        label=_("Source of the value"),
        max_length=250,
        required=False,
        help_text=_("Who gave the figure, and from what (survey, partner report…)."),
    )

    @classmethod
    def for_kpi(cls, kpi: Kpi | None, data: object = None) -> KpiForm:
        if kpi is None:
            return cls(data)
        initial = {name: getattr(kpi, name) for name in cls.base_fields}
        return cls(data, initial=initial)
