"""Forms of the evaluations in the extranet: an answer per criterion, the overall comment and site
visit date, an evidence upload, a supplier's contest."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from micedesk.qualification.models import Answer, AnswerType, Criterion, Evaluation, Evidence

YES = "yes"
NO = "no"
# What the file picker offers; the service checks the content itself, whatever the name says.
EVIDENCE_ACCEPT = {
    Evidence.PHOTO: "image/jpeg,image/png,image/webp",
    Evidence.DOCUMENT: "application/pdf,image/jpeg,image/png,image/webp",
    Evidence.SITE_VISIT: "image/jpeg,image/png,image/webp,application/pdf",
}


def criterion_prefix(criterion: Criterion) -> str:
    """The prefix of a criterion's inputs: its code is stable and unique within the version."""
    return f"c-{criterion.code}"


def choice_label(choice: dict) -> str:
    if get_language() == "en":
        return choice.get("label_en") or choice.get("label_fr") or choice["code"]
    return choice.get("label_fr") or choice.get("label_en") or choice["code"]


def _value_field(criterion: Criterion) -> forms.Field | None:
    """The input of one criterion by its type; a measured criterion has none (the platform reads it)."""
    label = criterion.label
    if criterion.answer_type == AnswerType.BOOLEAN:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[(YES, _("Yes")), (NO, _("No"))],
            widget=forms.RadioSelect,
        )
    if criterion.answer_type == AnswerType.NUMBER:
        return forms.DecimalField(
            label=label,
            required=False,
            localize=True,
            max_digits=12,
            decimal_places=2,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    if criterion.answer_type == AnswerType.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[(c["code"], choice_label(c)) for c in criterion.choices],
            widget=forms.RadioSelect,
        )
    return None


def _answer_initial(criterion: Criterion, answer: Answer | None) -> object:
    if answer is None:
        return None
    if criterion.answer_type == AnswerType.BOOLEAN:
        return {True: YES, False: NO}.get(answer.value_boolean)
    if criterion.answer_type == AnswerType.NUMBER:
        return answer.value_number
    return answer.value_choice or None


class CriterionAnswerForm(forms.Form):
    """The answer and comment of one criterion; posted alone by htmx or with all the others."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        data: object = None,
        *,
        criterion: Criterion,
        answer: Answer | None = None,
        **kwargs: object,
    ) -> None:
        initial = {"comment": answer.comment if answer else ""}
        super().__init__(data, prefix=criterion_prefix(criterion), initial=initial, **kwargs)
        self.criterion = criterion
        field = _value_field(criterion)
        if field is not None:
            self.fields = {"value": field, **self.fields}
            self.initial["value"] = _answer_initial(criterion, answer)

    @property
    def has_value(self) -> bool:
        return "value" in self.fields

    def answer_value(self) -> bool | Decimal | str | None:
        """The cleaned value as the service takes it: True/False, a Decimal, a choice code or None."""
        value = self.cleaned_data.get("value")
        if value in (None, ""):
            return None
        if self.criterion.answer_type == AnswerType.BOOLEAN:
            return value == YES
        return value


class EvaluationOverallForm(forms.Form):
    """What holds for the whole evaluation: the site visit date and the evaluator's comment."""

    visited_on = forms.DateField(
        label=_("Date of the site visit"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, data: object = None, *, evaluation: Evaluation, **kwargs: object) -> None:
        initial = {"visited_on": evaluation.visited_on, "comment": evaluation.comment}
        super().__init__(data, prefix="overall", initial=initial, **kwargs)


class EvidenceForm(forms.Form):
    """One file backing a criterion; the service checks its type, size and content."""

    file = forms.FileField(label=_("Add a file"))

    def __init__(self, *args: object, criterion: Criterion, **kwargs: object) -> None:
        super().__init__(*args, prefix=f"e-{criterion.code}", **kwargs)
        attrs = {
            "accept": EVIDENCE_ACCEPT.get(criterion.evidence, EVIDENCE_ACCEPT[Evidence.PHOTO]),
            # The input sits inside the evaluation form; it belongs to its own upload form.
            "form": f"evidence-form-{criterion.code}",
        }
        if criterion.evidence == Evidence.PHOTO:
            # A tablet opens its rear camera straight away during the site visit.
            attrs["capture"] = "environment"
        self.fields["file"].widget.attrs.update(attrs)


class ContestForm(forms.Form):
    comment = forms.CharField(
        label=_("Why you contest this evaluation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
