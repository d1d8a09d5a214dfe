"""Forms of a quote request, step by step: used by the portal (one step per page) and the back-office (all on one page, for a request received by phone or e-mail)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import THEMES, Layout
from micedesk.geo.selectors import departments_of_region
from micedesk.leads.intake import (
    DAYS_MAX,
    HONEYPOT_FIELD,
    PARTICIPANTS_MAX,
    RADIUS_KM_MAX,
    REQUEST_SERVICES,
    SUB_ROOMS_MAX,
    TEXT_MAX_LENGTHS,
)
from micedesk.leads.models import EventKind, OrganisationKind

SESSION_ROWS = 3
BLANK = [("", "—")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class StepForm(forms.Form):
    """One step: its fields as Django fields, and `as_data` turning them into intake's values
    (JSON-friendly: the draft lives in the session between steps)."""

    def as_data(self) -> dict[str, Any]:
        return {name: self._plain(value) for name, value in self.cleaned_data.items()}

    @staticmethod
    def _plain(value: object) -> object:
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if value is None:
            return ""
        return value

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {name: data[name] for name in cls.base_fields if name in data}


class WhoForm(StepForm):
    contact_name = forms.CharField(
        label=_("Your name"), max_length=TEXT_MAX_LENGTHS["contact_name"]
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=TEXT_MAX_LENGTHS["organisation"]
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"), choices=OrganisationKind.choices
    )
    sector = forms.CharField(
        label=_("Sector of activity"), required=False, max_length=TEXT_MAX_LENGTHS["sector"]
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.RegexField(
        label=_("Phone"),
        required=False,
        max_length=30,
        regex=r"^\+?[\d\s.\-()]{6,30}$",
        error_messages={"invalid": _("Enter a phone number: digits, spaces and a leading +.")},
    )
    # A trap for robots: hidden from people (CSS class), filled in by form-filling scripts.
    website_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, autocomplete in (
            ("contact_name", "name"),
            ("organisation", "organization"),
            ("email", "email"),
            ("phone", "tel"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete


class EventForm(StepForm):
    event_kind = forms.ChoiceField(label=_("Kind of event"), choices=BLANK + EventKind.choices)
    start_date = forms.DateField(label=_("First day"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Last day"), required=False, widget=DateInput())
    flexible_dates = forms.BooleanField(label=_("Our dates are flexible"), required=False)
    alternative_dates = forms.CharField(
        label=_("Alternative dates"),
        required=False,
        max_length=TEXT_MAX_LENGTHS["alternative_dates"],
    )
    participants = forms.IntegerField(
        label=_("Number of participants"), min_value=1, max_value=PARTICIPANTS_MAX
    )
    days = forms.IntegerField(
        label=_("Number of days"), required=False, min_value=1, max_value=DAYS_MAX
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if not start and not cleaned.get("flexible_dates") and "start_date" not in self.errors:
            self.add_error(
                "start_date", _("Give the dates of the event, or say that they are flexible.")
            )
        if start and end and end < start:
            self.add_error("end_date", _("The event cannot end before it starts."))
        if end and not start and "start_date" not in self.errors:
            self.add_error("start_date", _("Give the start date too."))
        return cleaned


class NeedsForm(StepForm):
    layout = forms.ChoiceField(
        label=_("Main room layout"), required=False, choices=BLANK + Layout.choices
    )
    sub_rooms = forms.IntegerField(
        label=_("Sub-rooms (break-out rooms)"),
        required=False,
        min_value=0,
        max_value=SUB_ROOMS_MAX,
    )
    bedrooms = forms.IntegerField(
        label=_("Bedrooms per night"),
        required=False,
        min_value=0,
        max_value=PARTICIPANTS_MAX,
        help_text=_("0 or empty if no accommodation is needed."),
    )
    catering = forms.BooleanField(label=_("Catering"), required=False)
    team_building = forms.BooleanField(label=_("Team-building activities"), required=False)
    services = forms.MultipleChoiceField(
        label=_("Services"),
        required=False,
        choices=[(code, label) for code, label in REQUEST_SERVICES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    step_free_access = forms.BooleanField(label=_("Step-free access needed"), required=False)
    accessibility_needs = forms.CharField(
        label=_("Other accessibility needs"),
        required=False,
        max_length=TEXT_MAX_LENGTHS["accessibility_needs"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Meeting rooms per session: a few rows, each a layout and an attendance.
        for row in range(1, SESSION_ROWS + 1):
            self.fields[f"session_{row}_layout"] = forms.ChoiceField(
                label=_("Session %(number)d: layout") % {"number": row},
                required=False,
                choices=BLANK + Layout.choices,
            )
            self.fields[f"session_{row}_attendance"] = forms.IntegerField(
                label=_("Session %(number)d: attendance") % {"number": row},
                required=False,
                min_value=1,
                max_value=PARTICIPANTS_MAX,
            )

    def session_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"session_{row}_layout"], self[f"session_{row}_attendance"])
            for row in range(1, SESSION_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for row in range(1, SESSION_ROWS + 1):
            layout = cleaned.get(f"session_{row}_layout")
            attendance = f"session_{row}_attendance"
            if layout and not cleaned.get(attendance) and attendance not in self.errors:
                self.add_error(attendance, _("Give the attendance of this session."))
        return cleaned

    def as_data(self) -> dict[str, Any]:
        data = {
            name: value
            for name, value in super().as_data().items()
            if not name.startswith("session_")
        }
        data["sessions"] = [
            {
                "layout": self.cleaned_data[f"session_{row}_layout"],
                "attendance": self.cleaned_data[f"session_{row}_attendance"],
            }
            for row in range(1, SESSION_ROWS + 1)
            if self.cleaned_data.get(f"session_{row}_attendance")
        ]
        return data

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        initial = super().initial_from(data)
        for row, session in enumerate(data.get("sessions") or [], start=1):
            initial[f"session_{row}_layout"] = session.get("layout", "")
            initial[f"session_{row}_attendance"] = session.get("attendance")
        return initial


class WhereForm(StepForm):
    departments = forms.MultipleChoiceField(
        label=_("Departments"), required=False, widget=forms.CheckboxSelectMultiple
    )
    commune = forms.CharField(
        label=_("Near the commune (INSEE code)"),
        required=False,
        max_length=5,
        help_text=_("The five-character INSEE code of the commune, such as 14118 for Caen."),
    )
    radius_km = forms.IntegerField(
        label=_("Within (km)"), required=False, min_value=1, max_value=RADIUS_KM_MAX
    )
    near_station = forms.BooleanField(label=_("Near a railway station"), required=False)
    themes = forms.MultipleChoiceField(
        label=_("Setting"),
        required=False,
        choices=[(flag.code, flag.label) for flag in THEMES],
        widget=forms.CheckboxSelectMultiple,
    )
    budget_min = forms.DecimalField(
        label=_("Budget from (€)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    budget_max = forms.DecimalField(
        label=_("Budget up to (€)"), required=False, min_value=0, max_digits=10, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = [
            (department.code, f"{department.name} ({department.code})")
            for department in departments_of_region()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("radius_km") and not cleaned.get("commune"):
            self.add_error("radius_km", _("A radius needs a commune to measure from."))
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The budget's upper bound is below its lower bound."))
        return cleaned

    def as_data(self) -> dict[str, Any]:
        data = super().as_data()
        for name in ("budget_min", "budget_max"):
            data[name] = str(self.cleaned_data[name]) if self.cleaned_data[name] is not None else ""
        return data


class SendForm(StepForm):
    message = forms.CharField(
        label=_("Anything else suppliers should know"),
        required=False,
        max_length=TEXT_MAX_LENGTHS["message"],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    heard_from = forms.CharField(
        label=_("How did you hear of us?"),
        required=False,
        max_length=TEXT_MAX_LENGTHS["heard_from"],
    )
    consent_share = forms.BooleanField(
        label=_(
            "I agree that my name, organisation, e-mail and phone are shared with the suppliers "
            "this request is sent to, so that they can answer me."
        ),
        required=False,
        help_text=_(
            "Without this agreement, suppliers see your request without your details and "
            "answer through us."
        ),
    )


class OutcomeForm(forms.Form):
    """What the planner says happened: a supplier chosen (or none), and the final figures."""

    NONE = "none"

    supplier = forms.ChoiceField(label=_("Supplier chosen"))
    participants = forms.IntegerField(
        label=_("Final number of participants"),
        required=False,
        min_value=1,
        max_value=PARTICIPANTS_MAX,
    )
    days = forms.IntegerField(
        label=_("Final number of days"), required=False, min_value=1, max_value=DAYS_MAX
    )
    budget = forms.DecimalField(
        label=_("Final budget (€)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args: Any, suppliers: list[Supplier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suppliers = {str(supplier.pk): supplier for supplier in suppliers}
        self.fields["supplier"].choices = [
            *[(pk, supplier.name) for pk, supplier in self.suppliers.items()],
            (self.NONE, _("None of them: the event did not happen or went elsewhere")),
        ]

    def chosen(self) -> Supplier | None:
        return self.suppliers.get(self.cleaned_data["supplier"])


STEPS: list[tuple[str, Any, Any]] = [
    ("who", _("Who you are"), WhoForm),
    ("event", _("The event"), EventForm),
    ("needs", _("What it needs"), NeedsForm),
    ("where", _("Where and budget"), WhereForm),
    ("send", _("Consent and send"), SendForm),
]
STEP_OF_FIELD = {
    name: code for code, _title, form_class in STEPS for name in form_class.base_fields
} | {"sessions": "needs", "supplier_ids": "where", HONEYPOT_FIELD: "who"}
