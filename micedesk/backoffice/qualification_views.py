"""Views of the qualification grids in the back-office: grids and their versions, criteria and
levels of a draft, comparison and simulation before activation, assignment of evaluations, review
and publication, contests, and the figures of the qualified offer."""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.accounts.models import Role, User
from micedesk.backoffice import qualification_exports as exports
from micedesk.backoffice.decorators import staff_required
from micedesk.backoffice.qualification_forms import (
    AssignFilterForm,
    AssignForm,
    CompareForm,
    ContestResolveForm,
    CriterionForm,
    LevelsForm,
    PublishForm,
    ReturnForm,
    add_service_errors,
    refusal_form,
)
from micedesk.directory.models import Status, Supplier
from micedesk.directory.vocab import QualificationLevel
from micedesk.qualification import selectors, services
from micedesk.qualification.models import (
    OPEN_EVALUATION_STATUSES,
    Contest,
    Criterion,
    Evaluation,
    EvaluationStatus,
    EvidenceFile,
    Grid,
    GridVersion,
)

EXPIRING_DAYS = 90
ASSIGN_PAGE_SIZE = 200
# Evidence pictures are re-encoded on upload, so these are safe to show in the browser.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Grids and versions


@staff_required
@require_safe
def grids(request: HttpRequest) -> HttpResponse:
    versions = GridVersion.objects.annotate(criteria_count=Count("criteria")).order_by("-number")
    context = {
        "grids": Grid.objects.prefetch_related(Prefetch("versions", queryset=versions)),
        "queue": _queue_counts(),
    }
    return render(request, "backoffice/qualification_grids.html", context)


def _queue_counts() -> dict[str, int]:
    today = timezone.localdate()
    return {
        "submitted": Evaluation.objects.filter(status=EvaluationStatus.SUBMITTED).count(),
        "contested": Contest.objects.filter(resolved_at__isnull=True).count(),
        "overdue": selectors.evaluations_overdue(today=today).count(),
        "expiring": Supplier.objects.filter(
            qualification_level__gt=0,
            qualification_valid_until__lte=today + datetime.timedelta(days=EXPIRING_DAYS),
        ).count(),
    }


@staff_required
@require_POST
def draft_new(request: HttpRequest, pk: int) -> HttpResponse:
    grid = get_object_or_404(Grid, pk=pk)
    try:
        version = services.grid_version_draft_create(grid=grid, user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("backoffice:qualification")
    messages.success(request, _("Draft v%(number)d is ready to edit.") % {"number": version.number})
    return redirect("backoffice:qualification_version", pk=version.pk)


def _version_page(
    request: HttpRequest, version: GridVersion, *, refusal=None, status: int = 200
) -> HttpResponse:
    context = {
        "version": version,
        "sections": _criteria_by_section(version),
        "levels": version.levels.all(),
        "others": version.grid.versions.exclude(pk=version.pk),
        "refusal": refusal,
    }
    return render(request, "backoffice/qualification_version.html", context, status=status)


def _criteria_by_section(version: GridVersion) -> list[tuple[str, list[Criterion]]]:
    sections: dict[str, list[Criterion]] = {}
    for criterion in version.criteria.all():
        sections.setdefault(criterion.section, []).append(criterion)
    return list(sections.items())


@staff_required
@require_safe
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(GridVersion.objects.select_related("grid"), pk=pk)
    return _version_page(request, version)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def criterion_new(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(GridVersion.objects.select_related("grid"), pk=pk)
    return _criterion_page(request, version, None)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion.objects.select_related("version__grid"), pk=pk)
    return _criterion_page(request, criterion.version, criterion)


def _criterion_page(
    request: HttpRequest, version: GridVersion, criterion: Criterion | None
) -> HttpResponse:
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_save(
                version=version,
                user=request.user,
                data=form.service_data(),
                criterion=Criterion.objects.get(pk=criterion.pk) if criterion else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The criterion is saved."))
            return redirect("backoffice:qualification_version", pk=version.pk)
    context = {"version": version, "criterion": criterion, "form": form}
    status = 400 if form.errors else 200
    return render(request, "backoffice/qualification_criterion.html", context, status=status)


@staff_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(Criterion.objects.select_related("version__grid"), pk=pk)
    try:
        services.criterion_delete(criterion=criterion, user=request.user)
    except ValidationError as error:
        return _version_page(request, criterion.version, refusal=refusal_form(error), status=400)
    messages.success(request, _("The criterion is deleted."))
    return redirect("backoffice:qualification_version", pk=criterion.version_id)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def levels_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(GridVersion.objects.select_related("grid"), pk=pk)
    form = LevelsForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            # The three levels are one decision: all saved, or none.
            with transaction.atomic():
                for level, min_score, requires_mandatory in form.levels():
                    services.grid_level_save(
                        version=version,
                        user=request.user,
                        level=level,
                        min_score=min_score,
                        requires_mandatory=requires_mandatory,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The levels are saved."))
            return redirect("backoffice:qualification_version", pk=version.pk)
    context = {"version": version, "form": form}
    status = 400 if form.errors else 200
    return render(request, "backoffice/qualification_levels.html", context, status=status)


# Comparison, simulation, activation


@staff_required
@require_safe
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    grid = get_object_or_404(Grid, pk=pk)
    versions = grid.versions.order_by("-number")
    form = CompareForm(request.GET or _default_pair(grid), versions=versions)
    if not form.is_valid():
        context = {"grid": grid, "form": form, "diff": None}
        return render(request, "backoffice/qualification_compare.html", context, status=400)
    old, new = form.cleaned_data["old"], form.cleaned_data["new"]
    diff = selectors.version_diff(old=old, new=new)
    context = {
        "grid": grid,
        "form": form,
        "old": old,
        "new": new,
        "diff": diff,
        "changed": [(a, b, _field_changes(a, b, fields)) for a, b, fields in diff.changed],
    }
    return render(request, "backoffice/qualification_compare.html", context)


def _default_pair(grid: Grid) -> dict[str, int] | None:
    """The active version against the newest other one, so the page opens on something useful."""
    versions = list(grid.versions.order_by("-number")[:2])
    active = grid.versions.filter(status="active").first() or (versions[-1] if versions else None)
    newest = next((v for v in versions if v != active), None)
    if active is None or newest is None:
        return None
    return {"old": active.pk, "new": newest.pk}


def _field_changes(
    old: Criterion, new: Criterion, fields: list[str]
) -> list[tuple[str, object, object]]:
    """Each changed field by its name in words, with its old and new values."""
    changes = []
    for name in fields:
        field = Criterion._meta.get_field(name)
        changes.append((str(field.verbose_name), _shown(old, field), _shown(new, field)))
    return changes


def _shown(criterion: Criterion, field) -> object:
    if field.choices:
        return getattr(criterion, f"get_{field.name}_display")()
    return getattr(criterion, field.attname)


@staff_required
@require_safe
def simulate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(GridVersion.objects.select_related("grid"), pk=pk)
    changes = selectors.version_simulation(version=version)
    context = {"version": version, **_simulation_summary(changes)}
    return render(request, "backoffice/qualification_simulate.html", context)


def _simulation_summary(changes: list) -> dict[str, object]:
    """The counts per direction, and the suppliers that would move, ups first."""
    up = [_moved(c, "up") for c in changes if c.simulated_level > c.current_level]
    down = [_moved(c, "down") for c in changes if c.simulated_level < c.current_level]
    return {
        "changes": up + down,
        "up": len(up),
        "down": len(down),
        "same": len(changes) - len(up) - len(down),
        "simulated": len(changes),
    }


def _moved(change, direction: str) -> dict[str, object]:
    return {
        "supplier": change.supplier,
        "direction": direction,
        "current": QualificationLevel(change.current_level).label,
        "simulated": QualificationLevel(change.simulated_level).label,
        "result": change.grade.as_json(),
    }


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(GridVersion.objects.select_related("grid"), pk=pk)
    refusal = None
    if request.method == "POST":
        try:
            services.grid_version_activate(version=version, user=request.user)
        except ValidationError as error:
            refusal = refusal_form(error)
        else:
            messages.success(
                request, _("Version %(number)d is now active.") % {"number": version.number}
            )
            return redirect("backoffice:qualification_version", pk=version.pk)
    changes = selectors.version_simulation(version=version) if version.is_draft else []
    context = {"version": version, "refusal": refusal, **_simulation_summary(changes)}
    status = 400 if refusal else 200
    return render(request, "backoffice/qualification_activate.html", context, status=status)


# Assignment


def _assign_candidates(filters: dict) -> QuerySet[Supplier]:
    """Published suppliers without an open evaluation, narrowed by the filter form."""
    today = timezone.localdate()
    evaluations = Evaluation.objects.filter(supplier=OuterRef("pk"))
    suppliers = (
        Supplier.objects.filter(status=Status.PUBLISHED)
        .exclude(Exists(evaluations.filter(status__in=OPEN_EVALUATION_STATUSES)))
        .select_related("commune")
        .prefetch_related("commune__partners")
        .order_by("department_code", "name")
    )
    if filters.get("kind"):
        suppliers = suppliers.filter(kind=filters["kind"])
    if filters.get("department"):
        suppliers = suppliers.filter(department_code=filters["department"])
    published = evaluations.filter(status=EvaluationStatus.PUBLISHED)
    if filters.get("which") == AssignFilterForm.NEVER:
        suppliers = suppliers.exclude(Exists(published))
    elif filters.get("which") == AssignFilterForm.EXPIRING:
        soon = today + datetime.timedelta(days=EXPIRING_DAYS)
        suppliers = suppliers.filter(Exists(published)).filter(
            Q(qualification_level=0) | Q(qualification_valid_until__lte=soon)
        )
    return suppliers


def _evaluators(suppliers: QuerySet[Supplier]) -> QuerySet[User]:
    """Members of the partners whose territory holds at least one of these suppliers."""
    communes = suppliers.values("commune_id")
    return (
        User.objects.filter(is_active=True, role=Role.PARTNER, partners__communes__in=communes)
        .prefetch_related("partners")
        .distinct()
        .order_by("full_name", "email")
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def assign(request: HttpRequest) -> HttpResponse:
    filters = AssignFilterForm(request.GET)
    if not filters.is_valid():
        context = {"filters": filters, "form": None}
        return render(request, "backoffice/qualification_assign.html", context, status=400)
    candidates = _assign_candidates(filters.cleaned_data)
    form = AssignForm(
        request.POST or None, suppliers=candidates, evaluators=_evaluators(candidates)
    )
    if request.method == "POST" and form.is_valid():
        _assign_each(request, form.cleaned_data)
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    context = {
        "filters": filters,
        "form": form,
        "suppliers": candidates[:ASSIGN_PAGE_SIZE],
        "count": candidates.count(),
        "checked": request.POST.getlist("suppliers"),
    }
    status = 400 if form.errors else 200
    return render(request, "backoffice/qualification_assign.html", context, status=status)


def _assign_each(request: HttpRequest, data: dict) -> None:
    """Each supplier on its own: one refused assignment says why and leaves the others done."""
    done = 0
    for supplier in data["suppliers"]:
        try:
            services.evaluation_assign(
                supplier=supplier,
                evaluator=data["evaluator"],
                user=request.user,
                due_on=data["due_on"],
            )
        except ValidationError as error:
            reason = " ".join(error.messages)
            messages.error(request, f"{supplier.name}: {reason}")
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(count)d evaluation assigned.", "%(count)d evaluations assigned.", done)
            % {"count": done},
        )


# Review


@staff_required
@require_safe
def evaluations(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or EvaluationStatus.SUBMITTED
    if status not in EvaluationStatus.values:
        status = EvaluationStatus.SUBMITTED
    items = (
        selectors.evaluations_for(user=request.user)
        .filter(status=status)
        .select_related("supplier__commune", "version__grid", "evaluator", "partner")
        .order_by("submitted_at", "assigned_at", "pk")
    )
    context = {"items": items, "status": status, "statuses": EvaluationStatus.choices}
    return render(request, "backoffice/qualification_evaluations.html", context)


def _evaluation_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    forms_: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    page_forms = {"publish": PublishForm(), "return": ReturnForm(), "cancel": None}
    page_forms.update(forms_ or {})
    context = {
        "evaluation": evaluation,
        "sections": _sections_with_checks(evaluation),
        "result": evaluation.result or {},
        "history": evaluation.history.select_related("actor"),
        "contests": evaluation.contests.all(),
        "earlier": selectors.supplier_evaluations(supplier=evaluation.supplier).exclude(
            pk=evaluation.pk
        ),
        "forms": page_forms,
    }
    return render(request, "backoffice/qualification_evaluation.html", context, status=status)


def _sections_with_checks(evaluation: Evaluation) -> list[tuple[str, list[tuple]]]:
    """Each criterion's row with its check from the stored grade (None before submission)."""
    checks = {check["code"]: check for check in (evaluation.result or {}).get("checks", [])}
    return [
        (section, [(*row, checks.get(row[0].code)) for row in rows])
        for section, rows in selectors.evaluation_criteria(evaluation=evaluation)
    ]


def _evaluation(pk: int) -> Evaluation:
    related = ("supplier__commune", "version__grid", "evaluator", "partner", "reviewed_by")
    return get_object_or_404(Evaluation.objects.select_related(*related), pk=pk)


@staff_required
@require_safe
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _evaluation_page(request, _evaluation(pk))


@staff_required
@require_POST
def evaluation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            evaluation = services.evaluation_publish(
                evaluation=evaluation, user=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation is published."))
            return redirect("backoffice:qualification_evaluation", pk=pk)
    return _evaluation_page(request, evaluation, forms_={"publish": form}, status=400)


@staff_required
@require_POST
def evaluation_return(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.evaluation_return(
                evaluation=evaluation, user=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation is returned to the evaluator."))
            return redirect("backoffice:qualification_evaluation", pk=pk)
    return _evaluation_page(request, evaluation, forms_={"return": form}, status=400)


@staff_required
@require_POST
def evaluation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(pk)
    try:
        services.evaluation_cancel(evaluation=evaluation, user=request.user)
    except ValidationError as error:
        forms_ = {"cancel": refusal_form(error)}
        return _evaluation_page(request, evaluation, forms_=forms_, status=400)
    messages.success(request, _("The evaluation is cancelled."))
    return redirect("backoffice:qualification_evaluation", pk=pk)


@staff_required
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    # An image opens in the browser; anything else is downloaded, never rendered by it.
    inline = evidence.content_type in INLINE_TYPES
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Contests


@staff_required
@require_safe
def contests(request: HttpRequest) -> HttpResponse:
    items = Contest.objects.select_related(
        "evaluation__supplier", "evaluation__version__grid", "author", "resolved_by"
    ).order_by(F("resolved_at").desc(nulls_first=True), "-created_at")
    return render(request, "backoffice/qualification_contests.html", {"items": items})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def contest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_object_or_404(
        Contest.objects.select_related("evaluation__supplier", "evaluation__version__grid"), pk=pk
    )
    form = ContestResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contest_resolve(
                contest=contest, user=request.user, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The answer is recorded and sent to the supplier."))
            return redirect("backoffice:qualification_contest", pk=pk)
    context = {"contest": contest, "evaluation": contest.evaluation, "form": form}
    status = 400 if form.errors else 200
    return render(request, "backoffice/qualification_contest.html", context, status=status)


# Figures


@staff_required
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    tables = exports.figure_tables()
    context = {
        "tables": tables,
        "offer_chart": exports.offer_chart(tables["qualified_offer"]),
        "missed_chart": exports.missed_chart(tables["criteria_missed"]),
    }
    return render(request, "backoffice/qualification_figures.html", context)


@staff_required
@require_safe
def figures_export(request: HttpRequest) -> HttpResponse:
    stream = io.BytesIO()
    exports.figures_xlsx(tables=exports.figure_tables().values(), stream=stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    name = f"qualification-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
