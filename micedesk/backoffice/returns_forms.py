"""Forms of the returns screens of the back-office: the year picked, the attribution settings and the
spend parameters. They check what the staff typed; writes go through micedesk.operations.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.leads.models import EventKind
from micedesk.operations.models import AttributionRule, ReturnsSettings, SpendParameter

FIRST_YEAR = 2000
LAST_YEAR = 2100
# What each attribution rule means for a request, in words the staff can check on a real case.
RULE_HELP = {
    AttributionRule.FIRST_TOUCH: _(
        "A contact met at a trade show in 2023 and at a workshop in 2024, who then holds a "
        "seminar in Normandy: the trade show alone gets the seminar."
    ),
    AttributionRule.LAST_TOUCH: _(
        "The same contact: the workshop alone gets the seminar, being the last action before "
        "the request."
    ),
    AttributionRule.SHARED: _(
        "The same contact: the trade show and the workshop each get half of the seminar, so "
        "useful contacts and events won can be fractions."
    ),
}


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on the form's fields, or above the form for the others."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


class YearForm(forms.Form):
    """The year a dashboard shows: this year when none is given."""

    year = forms.IntegerField(
        label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )

    def clean_year(self) -> int:
        return self.cleaned_data["year"] or timezone.localdate().year


class ReturnsSettingsForm(forms.Form):
    window_months = forms.IntegerField(
        label=_("Attribution window (months)"),
        min_value=1,
        max_value=120,
        help_text=_(
            "How long after an event a request may still count for it: an order may come two or "
            "three years later."
        ),
    )
    rule = forms.ChoiceField(
        label=_("Attribution rule"),
        choices=AttributionRule.choices,
        widget=forms.RadioSelect,
        help_text=_("When a contact was met at several actions before its request."),
    )
    min_useful_contacts = forms.IntegerField(
        label=_("Fewest useful contacts to conclude"),
        min_value=0,
        max_value=1000,
        help_text=_("Below this, the ranking says the figures are too small to conclude."),
    )

    @classmethod
    def for_settings(cls, settings: ReturnsSettings, data: object = None) -> ReturnsSettingsForm:
        initial = {
            "window_months": settings.window_months,
            "rule": settings.rule,
            "min_useful_contacts": settings.min_useful_contacts,
        }
        return cls(data, initial=initial)

    def add_service_errors(self, error: ValidationError) -> None:
        _add_errors(self, error)


def _event_kind_choices() -> list[tuple[str, object]]:
    return [("", _("Any kind (default)")), *EventKind.choices]


class SpendParameterForm(forms.Form):
    event_kind = forms.ChoiceField(
        label=_("Kind of event held"),
        required=False,
        choices=_event_kind_choices,
        help_text=_("The kind of the won request; the default applies to the other kinds."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    spend_per_delegate_day = forms.DecimalField(
        label=_("Spend per delegate-day (€)"),
        min_value=0,
        max_digits=8,
        decimal_places=2,
        # Typed as in the staff's language: 280,50 in French.
        localize=True,
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=250,
        help_text=_("The study or survey the figure comes from, with its year."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    @classmethod
    def for_parameter(
        cls, parameter: SpendParameter | None, data: object = None
    ) -> SpendParameterForm:
        if parameter is None:
            return cls(data, initial={"year": timezone.localdate().year})
        initial = {name: getattr(parameter, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def add_service_errors(self, error: ValidationError) -> None:
        _add_errors(self, error)
