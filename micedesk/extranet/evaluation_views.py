"""Views of the evaluations in the extranet: a partner member fills in the evaluations assigned to
it (answers saved as drafts, evidence, submission); a supplier member reads its published
qualification and may contest it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.directory.selectors import suppliers_of_member
from micedesk.directory.vocab import QualificationLevel
from micedesk.extranet.decorators import supplier_member_required
from micedesk.extranet.evaluation_forms import (
    ContestForm,
    CriterionAnswerForm,
    EvaluationOverallForm,
    EvidenceForm,
    choice_label,
)
from micedesk.qualification.measures import MEASURES, Measured
from micedesk.qualification.models import (
    OPEN_EVALUATION_STATUSES,
    Answer,
    AnswerType,
    Comparison,
    Criterion,
    Evaluation,
    EvidenceFile,
)
from micedesk.qualification.selectors import (
    current_evaluation,
    evaluation_criteria,
    evaluation_for_evaluator,
    evaluation_for_supplier_member,
    evaluations_for,
)
from micedesk.qualification.services import (
    EDITABLE_STATUSES,
    evaluation_answers_save,
    evaluation_contest,
    evaluation_grade,
    evaluation_missing,
    evaluation_submit,
    evidence_add,
    evidence_delete,
)

View = Callable[..., HttpResponse]
LIST_SIZE = 200


def partner_member_required(view: View) -> View:
    """Evaluators are members of an institutional partner; anyone else logged in gets a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_partner_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _can_edit(evaluation: Evaluation, request: HttpRequest) -> bool:
    """Only its evaluator writes, and only before it is submitted (or once it is returned)."""
    return evaluation.status in EDITABLE_STATUSES and evaluation.evaluator_id == request.user.pk


def _editable(request: HttpRequest, pk: int) -> Evaluation:
    evaluation = evaluation_for_evaluator(user=request.user, pk=pk)
    if not _can_edit(evaluation, request):
        raise PermissionDenied
    return evaluation


def _error_messages(error: ValidationError) -> dict[str, list[str]]:
    """The service's errors by key (criterion code, field name or `__all__`)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


# Evaluator: the list


@partner_member_required
@require_safe
def evaluations_list(request: HttpRequest) -> HttpResponse:
    """The evaluations assigned to the member or its partner, in its territory: open ones first."""
    evaluations = (
        evaluations_for(user=request.user)
        .select_related("supplier__commune", "version__grid", "evaluator")
        .annotate(
            closed=Case(
                When(status__in=OPEN_EVALUATION_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_on", "pk")[:LIST_SIZE]
    )
    today = timezone.localdate()
    for evaluation in evaluations:
        evaluation.is_overdue = bool(
            evaluation.is_open and evaluation.due_on and evaluation.due_on < today
        )
    return render(request, "extranet/evaluation_list.html", {"evaluations": evaluations})


# Evaluator: the form


@dataclass
class Row:
    """One criterion on the form: what it asks, what was answered, its evidence and its inputs."""

    criterion: Criterion
    answer: Answer | None
    evidence: list[EvidenceFile]
    measure: dict | None
    form: CriterionAnswerForm
    evidence_form: EvidenceForm | None

    @property
    def expected(self) -> str:
        return _expected_text(self.criterion)


def _sections(
    evaluation: Evaluation,
    *,
    data: object = None,
    evidence_forms: dict[str, EvidenceForm] | None = None,
) -> list[tuple[str, list[Row]]]:
    evidence_forms = evidence_forms or {}
    sections = []
    for section, items in evaluation_criteria(evaluation=evaluation):
        rows = []
        for criterion, answer, evidence, measured in items:
            form = CriterionAnswerForm(data, criterion=criterion, answer=answer)
            evidence_form = None
            if criterion.evidence:
                evidence_form = evidence_forms.get(criterion.code) or EvidenceForm(
                    criterion=criterion
                )
            measure = _measure_view(criterion, measured)
            rows.append(Row(criterion, answer, list(evidence), measure, form, evidence_form))
        sections.append((section, rows))
    return sections


def _form_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    sections: list[tuple[str, list[Row]]] | None = None,
    overall: EvaluationOverallForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "evaluation": evaluation,
        "supplier": evaluation.supplier,
        "sections": sections if sections is not None else _sections(evaluation),
        "overall": overall or EvaluationOverallForm(evaluation=evaluation),
        "errors": errors or [],
        "editable": _can_edit(evaluation, request),
    }
    return render(request, "extranet/evaluation_form.html", context, status=status)


@partner_member_required
@require_safe
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, evaluation_for_evaluator(user=request.user, pk=pk))


def _place_errors(
    error: ValidationError,
    sections: list[tuple[str, list[Row]]],
    overall: EvaluationOverallForm,
) -> list[str]:
    """Put each of the service's errors next to its input; return those that belong to none."""
    forms_by_code = {row.criterion.code: row.form for _s, rows in sections for row in rows}
    others = []
    for key, texts in _error_messages(error).items():
        form = forms_by_code.get(key)
        if form is not None:
            form.add_error("value" if form.has_value else "comment", texts)
        elif key in overall.fields:
            overall.add_error(key, texts)
        else:
            others.extend(texts)
    return others


def _changes(forms: list[CriterionAnswerForm]) -> dict[str, dict[str, object]]:
    """Only what the evaluator changed: untouched criteria keep their answers as they are."""
    answers, comments = {}, {}
    for form in forms:
        if "value" in form.changed_data:
            answers[form.criterion.code] = form.answer_value()
        if "comment" in form.changed_data:
            comments[form.criterion.code] = form.cleaned_data["comment"]
    return {"answers": answers, "comments": comments}


@partner_member_required
@require_POST
def evaluation_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole form at once: the way without JavaScript. All of it is saved, or none of it."""
    evaluation = _editable(request, pk)
    sections = _sections(evaluation, data=request.POST)
    overall = EvaluationOverallForm(request.POST, evaluation=evaluation)
    forms = [row.form for _s, rows in sections for row in rows]
    errors: list[str] = []
    if all([form.is_valid() for form in forms]) and overall.is_valid():
        try:
            evaluation_answers_save(
                evaluation=evaluation, user=request.user, **_changes(forms), **overall.cleaned_data
            )
        except ValidationError as error:
            errors = _place_errors(error, sections, overall)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("extranet:evaluation", pk=pk)
    messages.error(request, _("Nothing was saved: please correct the errors shown below."))
    return _form_page(
        request, evaluation, sections=sections, overall=overall, errors=errors, status=400
    )


def _save_part(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    target: str,
    form: Form,
    fields: dict[str, str],
    changes: Callable[[Form], dict],
) -> HttpResponse:
    """Save one part of the draft (posted by htmx) and answer with its status: saved at hh:mm, or
    why not, next to the inputs. `fields` maps the service's error keys to the form's fields."""
    errors: list[str] = []
    saved_at = None
    if form.is_valid():
        try:
            evaluation_answers_save(evaluation=evaluation, user=request.user, **changes(form))
        except ValidationError as error:
            for key, texts in _error_messages(error).items():
                if key in fields:
                    form.add_error(fields[key], texts)
                else:
                    errors.extend(texts)
        else:
            saved_at = timezone.localtime()
    context = {"target": target, "form": form, "saved_at": saved_at, "errors": errors}
    status = 200 if saved_at else 400
    return render(request, "extranet/fragment_evaluation_status.html", context, status=status)


@partner_member_required
@require_POST
def criterion_save(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One criterion's answer and comment, posted by htmx as soon as one of them changes."""
    evaluation = _editable(request, pk)
    criterion = get_object_or_404(evaluation.version.criteria, code=code)
    answer = evaluation.answers.filter(criterion=criterion).first()
    form = CriterionAnswerForm(request.POST, criterion=criterion, answer=answer)

    def changes(form: CriterionAnswerForm) -> dict:
        return {
            "answers": {code: form.answer_value()} if form.has_value else {},
            "comments": {code: form.cleaned_data["comment"]},
        }

    field = "value" if form.has_value else "comment"
    return _save_part(
        request,
        evaluation,
        target=f"criterion-{code}",
        form=form,
        fields={code: field},
        changes=changes,
    )


@partner_member_required
@require_POST
def overall_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The site visit date and overall comment, posted by htmx as soon as one of them changes."""
    evaluation = _editable(request, pk)
    form = EvaluationOverallForm(request.POST, evaluation=evaluation)
    fields = {name: name for name in form.fields}
    return _save_part(
        request,
        evaluation,
        target="overall",
        form=form,
        fields=fields,
        changes=lambda form: {"answers": {}, **form.cleaned_data},
    )


# Evaluator: evidence


@partner_member_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    evaluation = _editable(request, pk)
    criterion = get_object_or_404(evaluation.version.criteria.exclude(evidence=""), code=code)
    form = EvidenceForm(request.POST, request.FILES, criterion=criterion)
    if form.is_valid():
        try:
            evidence_add(
                evaluation=evaluation,
                criterion=criterion,
                upload=form.cleaned_data["file"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("file", [t for texts in _error_messages(error).values() for t in texts])
        else:
            messages.success(request, _("The file has been added."))
            return redirect(
                reverse("extranet:evaluation", kwargs={"pk": pk}) + f"#criterion-{code}"
            )
    messages.error(request, _("The file was not added: see why below."))
    sections = _sections(evaluation, evidence_forms={code: form})
    return _form_page(request, evaluation, sections=sections, status=400)


@partner_member_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    evaluation = _editable(request, pk)
    evidence = get_object_or_404(evaluation.evidence_files, pk=evidence_pk)
    code = evidence.criterion.code
    evidence_delete(evidence=evidence, user=request.user)
    messages.success(request, _("The file has been deleted."))
    return redirect(reverse("extranet:evaluation", kwargs={"pk": pk}) + f"#criterion-{code}")


@login_required
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file, for whoever may read its evaluation (its evaluators, the supplier's members once
    published, staff); a 404 for anyone else, so that no one learns what exists."""
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    if not evaluations_for(user=request.user).filter(pk=evidence.evaluation_id).exists():
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=False,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Evaluator: submission


@partner_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The grade as it stands and what is missing; then the submission for review."""
    evaluation = _editable(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            evaluation_submit(evaluation=evaluation, user=request.user)
        except ValidationError as error:
            errors = [t for texts in _error_messages(error).values() for t in texts]
        else:
            messages.success(request, _("The evaluation is submitted: the bureau will review it."))
            return redirect("extranet:evaluations")
    context = {
        "evaluation": evaluation,
        "grade": _grade_view(evaluation_grade(evaluation=evaluation).as_json(), evaluation),
        "missing": evaluation_missing(evaluation=evaluation),
        "errors": errors,
    }
    return render(
        request, "extranet/evaluation_submit.html", context, status=400 if errors else 200
    )


# Supplier members: their qualification


@supplier_member_required
@require_safe
def my_qualification(request: HttpRequest) -> HttpResponse:
    """Each of the member's suppliers: its published level, validity and evaluations."""
    listings = []
    for supplier in suppliers_of_member(user=request.user).order_by("name", "pk"):
        history = (
            evaluations_for(user=request.user)
            .filter(supplier=supplier)
            .select_related("version__grid")
            .order_by("-published_at", "-pk")
        )
        listings.append((supplier, current_evaluation(supplier=supplier), history))
    return render(request, "extranet/evaluation_mine.html", {"listings": listings})


def _answer_text(criterion: Criterion, answer: Answer | None) -> str:
    if answer is None:
        return ""
    if criterion.answer_type == AnswerType.BOOLEAN and answer.value_boolean is not None:
        return _("Yes") if answer.value_boolean else _("No")
    if criterion.answer_type == AnswerType.NUMBER:
        return _number_text(answer.value_number, criterion.unit)
    if criterion.answer_type == AnswerType.CHOICE and answer.value_choice:
        return _choice_labels(criterion, [answer.value_choice])[0]
    return ""


def _read_sections(evaluation: Evaluation, checks: list[dict]) -> list[tuple[str, list[dict]]]:
    """The evaluation as the supplier reads it: each answer, measure and how it was judged."""
    by_code = {check["code"]: check for check in checks}
    return [
        (
            section,
            [
                {
                    "criterion": criterion,
                    "answer": _answer_text(criterion, answer),
                    "comment": answer.comment if answer else "",
                    "evidence": evidence,
                    "measure": _measure_view(criterion, measured),
                    "check": by_code.get(criterion.code),
                    "expected": _expected_text(criterion),
                }
                for criterion, answer, evidence, measured in items
            ],
        )
        for section, items in evaluation_criteria(evaluation=evaluation)
    ]


def _published_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    form: ContestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    grade = _grade_view(evaluation.result or {}, evaluation)
    context = {
        "evaluation": evaluation,
        "supplier": evaluation.supplier,
        "grade": grade,
        "sections": _read_sections(evaluation, grade.get("checks", [])),
        "contests": evaluation.contests.order_by("-created_at"),
        "form": form or ContestForm(),
    }
    return render(request, "extranet/evaluation_published.html", context, status=status)


@supplier_member_required
@require_safe
def my_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    return _published_page(request, evaluation_for_supplier_member(user=request.user, pk=pk))


@supplier_member_required
@require_POST
def evaluation_contest_view(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = evaluation_for_supplier_member(user=request.user, pk=pk)
    form = ContestForm(request.POST)
    if form.is_valid():
        try:
            evaluation_contest(
                evaluation=evaluation, user=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.add_error(None, [t for texts in _error_messages(error).values() for t in texts])
        else:
            messages.success(request, _("Your contest is sent: the bureau will answer it."))
            return redirect("extranet:my_evaluation", pk=pk)
    return _published_page(request, evaluation, form=form, status=400)


# Presentation: what a criterion expects, a measure's source, a grade, in the reader's words


def _number_text(value: object, unit: str = "") -> str:
    if value is None:
        return ""
    text = number_format(Decimal(str(value)).normalize(), use_l10n=True)
    return f"{text} {unit}".strip()


def _choice_labels(criterion: Criterion, codes: list[str]) -> list[str]:
    labels = {c.get("code"): choice_label(c) for c in criterion.choices if isinstance(c, dict)}
    return [labels.get(code, code) for code in codes]


def _expected_text(criterion: Criterion) -> str:
    """What meets the criterion: a target for a number or a measure, the good options of a choice."""
    if criterion.answer_type == AnswerType.CHOICE and criterion.met_choices:
        return ", ".join(_choice_labels(criterion, list(criterion.met_choices)))
    if criterion.target is None or not criterion.comparison:
        return ""
    target = _number_text(criterion.target, criterion.unit or _measure_unit(criterion))
    if criterion.comparison == Comparison.AT_LEAST:
        return _("at least %(target)s") % {"target": target}
    return _("at most %(target)s") % {"target": target}


def _measure_unit(criterion: Criterion) -> str:
    measure = MEASURES.get(criterion.measure)
    return str(measure.unit) if measure else ""


DETAIL_WORDS = {
    "answered_dispatches": gettext_lazy("quote requests answered: %(value)s"),
    "sent_dispatches": gettext_lazy("quote requests received: %(value)s"),
    "period_days": gettext_lazy("period: the last %(value)s days"),
    "minimum": gettext_lazy("needed before a value is given: %(value)s"),
    "blackout_rooms": gettext_lazy("rooms that can be blacked out: %(value)s"),
}


def _detail_lines(details: dict) -> list[str]:
    """A measure's details (what was counted) as lines a supplier can check."""
    lines = []
    for key, value in (details or {}).items():
        if key == "rooms" and isinstance(value, list):
            lines.extend(
                _("%(room)s: %(seats)s seats, %(outlets)s power outlets") % room
                for room in value
                if isinstance(room, dict) and {"room", "seats", "outlets"} <= room.keys()
            )
        elif key == "rooms":
            lines.append(_("meeting rooms: %(value)s") % {"value": value})
        elif key in DETAIL_WORDS:
            lines.append(DETAIL_WORDS[key] % {"value": value})
        else:
            lines.append(f"{key}: {value}")
    return lines


def _measure_view(criterion: Criterion, measured: Measured | None) -> dict | None:
    if criterion.answer_type != AnswerType.MEASURED or measured is None:
        return None
    measure = MEASURES.get(criterion.measure)
    unit = criterion.unit or _measure_unit(criterion)
    return {
        "value": _number_text(measured.value, unit),
        "no_data": measured.value is None,
        "label": str(measure.label) if measure else "",
        "details": _detail_lines(measured.details),
    }


def _level_label(level: object) -> str:
    try:
        return str(QualificationLevel(int(level)).label)
    except (TypeError, ValueError):
        return ""


def _grade_view(result: dict, evaluation: Evaluation) -> dict:
    """A stored or computed grade (Grade.as_json) with the words the pages show; criteria are
    named in the reader's language (the stored labels are in the language of the computation)."""
    if not result:
        return {}
    labels = {c.code: c.label for c in evaluation.version.criteria.all()}
    checks = [
        {**check, "label": labels.get(check["code"]) or check.get("label") or check["code"]}
        for check in result.get("checks", [])
    ]
    labels = {check["code"]: check["label"] for check in checks}
    next_level = result.get("next_level") or None
    if next_level:
        next_level = {
            **next_level,
            "label": _level_label(next_level.get("level")),
            "missing": [labels.get(code, code) for code in next_level.get("missing_mandatory", [])],
        }
    return {
        "score": result.get("score"),
        "level": result.get("level"),
        "level_label": _level_label(result.get("level")),
        "checks": checks,
        "missed": [check for check in checks if check.get("met") is False],
        "no_data": [check for check in checks if check.get("met") is None],
        "next_level": next_level,
    }
