"""Forms of the segments screens: a custom filter, a workshop invitation list, an e-mailing by topic.

Each form turns its fields into the segment's `rules` and has them checked by the crm domain
(`rules_clean`), so that a segment saved here and one built in code obey the same rules.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from micedesk.crm.models import (
    ActionKind,
    BureauAction,
    CompanyKind,
    ContactKind,
    Purpose,
    SegmentKind,
    Topic,
)
from micedesk.crm.segments import DEFAULT_K, DEFAULT_M, MAX_LIMIT, MAX_M, rules_clean

PLACE_CHOICES = [
    ("region", _("From the workshop's region")),
    ("department", _("From the workshop's department")),
    ("none", _("From anywhere")),
]


def _codes(text: str) -> list[str]:
    """Codes typed in one field, separated by commas or spaces."""
    return [part for part in text.replace(",", " ").split() if part]


def _topic_choices() -> list[tuple[str, str]]:
    return [(topic.code, topic.name) for topic in Topic.objects.all()]


def _action_choices(kind: str | None = None) -> list[tuple[str, str]]:
    actions = BureauAction.objects.all()
    if kind:
        actions = actions.filter(kind=kind)
    return [
        (str(action.pk), f"{action.name} ({action.starts_on or '–'})")
        for action in actions.order_by("-starts_on", "name")
    ]


class SegmentForm(forms.Form):
    """The name, and the rules checked by the domain; `rules` holds them once valid."""

    kind: str = ""
    name = forms.CharField(label=_("Name of the segment"), max_length=150)

    def build_rules(self, data: dict) -> dict:
        raise NotImplementedError

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.rules = rules_clean(kind=self.kind, rules=self.build_rules(data))
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return data

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        return dict(rules)


class CustomSegmentForm(SegmentForm):
    kind = SegmentKind.CUSTOM
    kinds = forms.MultipleChoiceField(
        label=_("Kind of contact"),
        choices=ContactKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.MultipleChoiceField(
        label=_("Interested in any of these topics"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    departments = forms.CharField(
        label=_("Departments of origin"),
        required=False,
        max_length=300,
        help_text=_("Codes separated by commas, e.g. 14, 75, 92."),
    )
    regions = forms.CharField(
        label=_("Regions of origin"),
        required=False,
        max_length=300,
        help_text=_("Names separated by commas, as written on the contacts."),
    )
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        max_length=100,
        help_text=_("Two-letter codes separated by commas, e.g. FR, BE."),
    )
    company_kinds = forms.MultipleChoiceField(
        label=_("Kind of organisation"),
        choices=CompanyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    naf_prefixes = forms.CharField(
        label=_("Sector: NAF codes starting with"),
        required=False,
        max_length=100,
        help_text=_("E.g. 70.2 for management consultancy; several separated by commas."),
    )
    source_actions = forms.MultipleChoiceField(
        label=_("First touch (the action that brought them)"), required=False
    )
    met_at = forms.MultipleChoiceField(label=_("Met at or attended"), required=False)
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=50,
        help_text=_("Two-letter codes, e.g. fr, en."),
    )
    last_interaction_since = forms.DateField(
        label=_("Last interaction on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    consent_purpose = forms.ChoiceField(
        label=_("With a legal basis in force for"),
        choices=[("", _("No condition")), *Purpose.choices],
        required=False,
    )

    TEXT_LISTS = ("departments", "regions", "countries", "naf_prefixes", "languages")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = _topic_choices()
        actions = _action_choices()
        self.fields["source_actions"].choices = actions
        self.fields["met_at"].choices = actions

    def build_rules(self, data: dict) -> dict:
        rules: dict[str, object] = {}
        for name in ("kinds", "topics", "company_kinds"):
            rules[name] = data.get(name) or []
        for name in ("source_actions", "met_at"):
            rules[name] = [int(pk) for pk in data.get(name) or []]
        for name in self.TEXT_LISTS:
            if name == "regions":
                rules[name] = [part.strip() for part in data.get(name, "").split(",")]
            else:
                rules[name] = _codes(data.get(name) or "")
        since = data.get("last_interaction_since")
        rules["last_interaction_since"] = since.isoformat() if since else None
        rules["consent_purpose"] = data.get("consent_purpose") or None
        return rules

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        initial = dict(rules)
        for name in cls.TEXT_LISTS:
            if name in initial:
                initial[name] = ", ".join(initial[name])
        for name in ("source_actions", "met_at"):
            if name in initial:
                initial[name] = [str(pk) for pk in initial[name]]
        return initial


class WorkshopSegmentForm(SegmentForm):
    kind = SegmentKind.WORKSHOP_INVITATION
    workshop = forms.ChoiceField(
        label=_("Workshop"),
        required=False,
        help_text=_("Its themes and place are used unless you choose them below."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to take the workshop's themes."),
    )
    department = forms.CharField(
        label=_("Department where it takes place"),
        required=False,
        max_length=3,
        help_text=_("Leave empty to take the workshop's department."),
    )
    place = forms.ChoiceField(label=_("Guests"), choices=PLACE_CHOICES, initial="region")
    k = forms.IntegerField(
        label=_("Leave out those invited to at least (k)"),
        min_value=1,
        max_value=MAX_M,
        initial=DEFAULT_K,
    )
    m = forms.IntegerField(
        label=_("of the last workshops (m)"), min_value=1, max_value=MAX_M, initial=DEFAULT_M
    )
    limit = forms.IntegerField(
        label=_("Size of the list"),
        min_value=1,
        max_value=MAX_LIMIT,
        required=False,
        help_text=_("Leave empty to keep everyone."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workshop"].choices = [
            ("", _("None: theme and place by hand")),
            *_action_choices(ActionKind.WORKSHOP),
        ]
        self.fields["topics"].choices = _topic_choices()

    def build_rules(self, data: dict) -> dict:
        return {
            "workshop": int(data["workshop"]) if data.get("workshop") else None,
            "topics": data.get("topics") or [],
            "department": data.get("department") or "",
            "place": data.get("place") or "region",
            "k": data.get("k"),
            "m": data.get("m"),
            "limit": data.get("limit"),
        }

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        initial = dict(rules)
        if initial.get("workshop"):
            initial["workshop"] = str(initial["workshop"])
        return initial


class TopicMailingForm(SegmentForm):
    kind = SegmentKind.TOPIC_MAILING
    topics = forms.MultipleChoiceField(
        label=_("Topics of the e-mailing"), widget=forms.CheckboxSelectMultiple
    )
    legitimate_interest_clients = forms.BooleanField(
        label=_("Include B2B clients with nothing recorded, on legitimate interest"),
        required=False,
        initial=True,
        help_text=_(
            "Clients (an organisation and a quote request or an event held) may be mailed on a "
            "topic related to their work as long as they can object; a withdrawal always "
            "excludes."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = _topic_choices()

    def build_rules(self, data: dict) -> dict:
        return {
            "topics": data.get("topics") or [],
            "legitimate_interest_clients": bool(data.get("legitimate_interest_clients")),
        }


FORMS: dict[str, type[SegmentForm]] = {
    SegmentKind.CUSTOM: CustomSegmentForm,
    SegmentKind.WORKSHOP_INVITATION: WorkshopSegmentForm,
    SegmentKind.TOPIC_MAILING: TopicMailingForm,
}


class InviteForm(forms.Form):
    action = forms.ChoiceField(label=_("Workshop the invitations are for"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _action_choices(ActionKind.WORKSHOP)

    def clean_action(self) -> BureauAction:
        return BureauAction.objects.get(pk=int(self.cleaned_data["action"]))
