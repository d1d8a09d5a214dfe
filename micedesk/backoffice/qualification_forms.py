"""Forms of the qualification screens of the back-office: criteria, levels, comparisons,
assignments, reviews and contests. They check the shape of what staff type; the rules of the
grids and evaluations are the qualification services'."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.accounts.models import User
from micedesk.directory.models import Supplier
from micedesk.directory.vocab import Kind, QualificationLevel
from micedesk.geo.models import Department
from micedesk.qualification.measures import measure_choices
from micedesk.qualification.models import Criterion, GridVersion

LEVELS = [level for level in QualificationLevel if level != QualificationLevel.NONE]
CRITERION_FIELDS = [
    "code",
    "position",
    "section_fr",
    "section_en",
    "label_fr",
    "label_en",
    "help_fr",
    "help_en",
    "answer_type",
    "unit",
    "comparison",
    "target",
    "measure",
    "mandatory",
    "verifiable",
    "evidence",
    "weight",
]

# The form reads in the order one thinks of a criterion: what it asks, then how it is met.
FORM_ORDER = [
    *CRITERION_FIELDS[: CRITERION_FIELDS.index("unit")],
    "choices",
    "met_choices",
    *CRITERION_FIELDS[CRITERION_FIELDS.index("unit") :],
]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form: on the fields it names, above the form for the rest."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


def refusal_form(error: ValidationError) -> forms.Form:
    """A bound empty form carrying a service's refusal, for pages whose action has no fields."""
    form = forms.Form(data={})
    form.is_valid()
    add_service_errors(form, error)
    return form


class CriterionForm(forms.ModelForm):
    """A criterion of a draft. Choices are typed one a line, `code | French label | English label`."""

    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice: one a line, code | French label | English label."),
    )
    met_choices = forms.CharField(
        label=_("Choices that meet it"),
        required=False,
        max_length=500,
        help_text=_("Their codes, separated by commas."),
    )

    class Meta:
        model = Criterion
        fields = CRITERION_FIELDS
        widgets = {
            "help_fr": forms.Textarea(attrs={"rows": 3}),
            "help_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A new criterion goes last unless an order is given.
        self.fields["position"].required = False
        if not self.instance.pk:
            self.fields["position"].initial = None
        self.order_fields(FORM_ORDER)
        self.fields["measure"].widget = forms.Select(choices=[("", _("None")), *measure_choices()])
        if self.instance.pk and not self.is_bound:
            self.initial["choices"] = "\n".join(
                " | ".join([c.get("code", ""), c.get("label_fr", ""), c.get("label_en", "")])
                for c in self.instance.choices or []
            )
            self.initial["met_choices"] = ", ".join(self.instance.met_choices or [])

    def clean_choices(self) -> list[dict[str, str]]:
        choices = []
        for number, line in enumerate(self.cleaned_data["choices"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if not parts[0] or len(parts) > 3:
                raise ValidationError(
                    _("Line %(number)d: write code | French label | English label."),
                    code="choice_line",
                    params={"number": number},
                )
            parts += [""] * (3 - len(parts))
            choices.append(
                {"code": parts[0], "label_fr": parts[1] or parts[0], "label_en": parts[2]}
            )
        return choices

    def clean_met_choices(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["met_choices"].split(",") if c.strip()]

    def clean(self) -> dict:
        data = super().clean()
        choices = data.get("choices") or []
        unknown = set(data.get("met_choices") or []) - {c["code"] for c in choices}
        if unknown:
            self.add_error(
                "met_choices",
                ValidationError(
                    _("Not among the choices: %(codes)s."),
                    code="unknown_choice",
                    params={"codes": ", ".join(sorted(unknown))},
                ),
            )
        return data

    def service_data(self) -> dict[str, object]:
        """What `criterion_save` takes: the model's fields by name."""
        data = {name: self.cleaned_data.get(name) for name in CRITERION_FIELDS}
        if data["position"] is None:
            del data["position"]
        data["choices"] = self.cleaned_data.get("choices") or []
        data["met_choices"] = self.cleaned_data.get("met_choices") or []
        return data

    def _post_clean(self) -> None:
        # The model's own checks run in the service, on the saved criterion, not on this copy.
        pass


class LevelsForm(forms.Form):
    """The three levels of a draft: minimum score and whether all mandatory criteria are needed."""

    def __init__(self, *args: object, version: GridVersion, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        current = {item.level: item for item in version.levels.all()}
        for level in LEVELS:
            existing = current.get(level)
            self.fields[f"min_score_{level}"] = forms.DecimalField(
                label=_("%(level)s: minimum score (%%)") % {"level": level.label},
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
                initial=existing.min_score if existing else None,
            )
            self.fields[f"requires_mandatory_{level}"] = forms.BooleanField(
                label=_("%(level)s: all mandatory criteria met") % {"level": level.label},
                required=False,
                initial=existing.requires_mandatory if existing else True,
            )

    def clean(self) -> dict:
        data = super().clean()
        scores = [data.get(f"min_score_{level}") for level in LEVELS]
        if None not in scores and scores != sorted(scores):
            raise ValidationError(
                _("A higher level cannot ask for a lower score than the level below it."),
                code="order",
            )
        return data

    def levels(self) -> list[tuple[int, Decimal, bool]]:
        data = self.cleaned_data
        return [
            (int(level), data[f"min_score_{level}"], data[f"requires_mandatory_{level}"])
            for level in LEVELS
        ]


class CompareForm(forms.Form):
    old = forms.ModelChoiceField(label=_("Version"), queryset=GridVersion.objects.none())
    new = forms.ModelChoiceField(label=_("compared with"), queryset=GridVersion.objects.none())

    def __init__(self, *args: object, versions: QuerySet[GridVersion], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old"].queryset = versions
        self.fields["new"].queryset = versions
        self.fields["old"].label_from_instance = _version_label
        self.fields["new"].label_from_instance = _version_label

    def clean(self) -> dict:
        data = super().clean()
        if data.get("old") and data.get("old") == data.get("new"):
            raise ValidationError(_("Pick two different versions."), code="same")
        return data


def _version_label(version: GridVersion) -> str:
    return f"v{version.number} · {version.get_status_display()}"


class AssignFilterForm(forms.Form):
    NEVER = "never"
    EXPIRING = "expiring"
    WHICH = [
        ("", _("Every supplier without an open evaluation")),
        (NEVER, _("Never evaluated")),
        (EXPIRING, _("Expired or expiring within 90 days")),
    ]

    kind = forms.ChoiceField(
        label=_("Kind of supplier"), choices=[("", _("Any kind")), *Kind.choices], required=False
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    which = forms.ChoiceField(label=_("Which"), choices=WHICH, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        departments = [(d.code, str(d)) for d in Department.objects.order_by("code")]
        self.fields["department"].choices = [("", _("Any department")), *departments]


class AssignForm(forms.Form):
    suppliers = forms.ModelMultipleChoiceField(
        label=_("Suppliers"),
        queryset=Supplier.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one supplier.")},
    )
    evaluator = forms.ModelChoiceField(label=_("Evaluator"), queryset=User.objects.none())
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: object,
        suppliers: QuerySet[Supplier],
        evaluators: QuerySet[User],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suppliers"].queryset = suppliers
        self.fields["evaluator"].queryset = evaluators
        self.fields["evaluator"].label_from_instance = _evaluator_label

    def clean_due_on(self) -> datetime.date | None:
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and due_on < timezone.localdate():
            raise ValidationError(_("The due date is in the past."), code="past")
        return due_on


def _evaluator_label(user: User) -> str:
    partners = ", ".join(partner.name for partner in user.partners.all())
    return f"{user} ({partners})" if partners else str(user)


class PublishForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the supplier and evaluator (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What the evaluator should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the evaluator should change.")},
    )


class ContestResolveForm(forms.Form):
    response = forms.CharField(
        label=_("The bureau's answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the answer the supplier will read.")},
    )
