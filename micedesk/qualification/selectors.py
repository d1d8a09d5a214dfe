"""Reads of the grids and evaluations, scoped to who asks (staff everything, an evaluator its
territory, a supplier member its published evaluations), and the figures of the qualified offer."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from micedesk.accounts.models import Role, User
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from micedesk.qualification.grading import Grade, grade
from micedesk.qualification.measures import Measured, measure_read
from micedesk.qualification.models import (
    OPEN_EVALUATION_STATUSES,
    Answer,
    AnswerType,
    Criterion,
    Evaluation,
    EvaluationStatus,
    EvidenceFile,
    Grid,
    GridVersion,
    VersionStatus,
)
from micedesk.qualification.services import (
    CARRY_OVER_FIELDS,
    CRITERION_FIELDS,
    criterion_spec,
    level_specs,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

# Fields compared between two versions of a criterion (its order is not a change).
DIFF_FIELDS = tuple(f for f in CRITERION_FIELDS if f not in ("code", "position"))


def _is_staff(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_bureau_staff


def _evaluations() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related(
        "supplier__commune", "version__grid", "partner", "evaluator"
    )


def evaluations_for(*, user: User) -> QuerySet[Evaluation]:
    """Staff: all; a partner member: those assigned to it or its partner, for suppliers in its
    territory; a supplier member: the published evaluations of its suppliers; others: none."""
    if user is None or not user.is_authenticated:
        return Evaluation.objects.none()
    if user.is_bureau_staff:
        return _evaluations()
    if user.is_partner_member:
        partners = Partner.objects.filter(members=user)
        territory = Partner.communes.through.objects.filter(
            partner__in=partners, commune_id=OuterRef("supplier__commune_id")
        )
        return (
            _evaluations()
            .filter(Q(evaluator=user) | Q(partner__in=partners))
            .filter(Exists(territory))
        )
    if user.is_supplier_member:
        return _evaluations().filter(supplier__members=user, status=EvaluationStatus.PUBLISHED)
    return Evaluation.objects.none()


def evaluation_for(*, user: User, pk: int) -> Evaluation:
    """One evaluation the user may see (Http404 otherwise)."""
    evaluation = evaluations_for(user=user).filter(pk=pk).first()
    if evaluation is None:
        raise Http404("No such evaluation.")
    return evaluation


def evaluation_for_evaluator(*, user: User, pk: int) -> Evaluation:
    """The evaluation assigned to this partner member in its territory (Http404 otherwise)."""
    if user is None or not user.is_authenticated or not user.is_partner_member:
        raise Http404("No such evaluation.")
    evaluation = evaluations_for(user=user).filter(pk=pk, evaluator=user).first()
    if evaluation is None:
        raise Http404("No such evaluation.")
    return evaluation


def evaluation_for_supplier_member(*, user: User, pk: int) -> Evaluation:
    """A published evaluation of one of this member's suppliers (Http404 otherwise)."""
    if user is None or not user.is_authenticated or not user.is_supplier_member:
        raise Http404("No such evaluation.")
    evaluation = evaluations_for(user=user).filter(pk=pk).first()
    if evaluation is None:
        raise Http404("No such evaluation.")
    return evaluation


def evaluators_for(*, supplier: Supplier) -> QuerySet[User]:
    """The partner members who may evaluate this supplier: members of partners covering its commune."""
    return (
        User.objects.filter(
            is_active=True,
            role=Role.PARTNER,
            partners__communes=supplier.commune_id,
        )
        .distinct()
        .order_by("full_name", "email")
    )


def grids_for(*, user: User) -> QuerySet[Grid]:
    if not _is_staff(user):
        return Grid.objects.none()
    return Grid.objects.prefetch_related("versions")


def active_version(*, kind: str) -> GridVersion | None:
    return GridVersion.objects.filter(grid__kind=kind, status=VersionStatus.ACTIVE).first()


def current_evaluation(*, supplier: Supplier) -> Evaluation | None:
    """The supplier's latest published evaluation."""
    return (
        supplier.evaluations.filter(status=EvaluationStatus.PUBLISHED)
        .select_related("version__grid")
        .order_by("-published_at", "-pk")
        .first()
    )


def open_evaluation(*, supplier: Supplier) -> Evaluation | None:
    return supplier.evaluations.filter(status__in=OPEN_EVALUATION_STATUSES).first()


CriterionRow = tuple[Criterion, Answer | None, list[EvidenceFile], Measured | None]


def evaluation_criteria(*, evaluation: Evaluation) -> list[tuple[str, list[CriterionRow]]]:
    """The evaluation's criteria by section, each with its answer, evidence and measure (as
    stored at submission, or read now while the evaluation is open)."""
    answers = {a.criterion_id: a for a in evaluation.answers.all()}
    evidence: dict[int, list[EvidenceFile]] = defaultdict(list)
    for item in evaluation.evidence_files.all():
        evidence[item.criterion_id].append(item)
    sections: dict[str, list[CriterionRow]] = {}
    for criterion in evaluation.version.criteria.all():
        answer = answers.get(criterion.pk)
        measured = _measured(evaluation, criterion, answer)
        row = (criterion, answer, evidence[criterion.pk], measured)
        sections.setdefault(criterion.section, []).append(row)
    return list(sections.items())


def _measured(
    evaluation: Evaluation, criterion: Criterion, answer: Answer | None
) -> Measured | None:
    if criterion.answer_type != AnswerType.MEASURED:
        return None
    if answer is not None and (answer.measured_details or answer.measured_value is not None):
        return Measured(answer.measured_value, answer.measured_details)
    return measure_read(code=criterion.measure, supplier=evaluation.supplier)


def evaluation_history(*, evaluation: Evaluation) -> QuerySet:
    return evaluation.history.select_related("actor").order_by("at", "pk")


def supplier_evaluations(*, supplier: Supplier) -> QuerySet[Evaluation]:
    """Every evaluation of the supplier, latest first (its history)."""
    return supplier.evaluations.select_related("version__grid", "evaluator", "partner")


# ----------------------------------------------------------------------------- revising


@dataclass
class VersionDiff:
    added: list[Criterion] = field(default_factory=list)
    removed: list[Criterion] = field(default_factory=list)
    changed: list[tuple[Criterion, Criterion, list[str]]] = field(default_factory=list)
    unchanged: list[Criterion] = field(default_factory=list)


def version_diff(*, old: GridVersion, new: GridVersion) -> VersionDiff:
    """Criteria added, removed, changed (with the fields that changed) and unchanged, by code."""
    before = {c.code: c for c in old.criteria.all()}
    after = {c.code: c for c in new.criteria.all()}
    diff = VersionDiff()
    for code, criterion in after.items():
        previous = before.get(code)
        if previous is None:
            diff.added.append(criterion)
            continue
        fields = [f for f in DIFF_FIELDS if getattr(previous, f) != getattr(criterion, f)]
        if fields:
            diff.changed.append((previous, criterion, fields))
        else:
            diff.unchanged.append(criterion)
    diff.removed = [c for code, c in before.items() if code not in after]
    return diff


@dataclass
class LevelChange:
    supplier: Supplier
    current_level: int
    simulated_level: int
    grade: Grade

    @property
    def changed(self) -> bool:
        return self.current_level != self.simulated_level


def version_simulation(*, version: GridVersion) -> list[LevelChange]:
    """What each supplier with a published evaluation of this grid would get under `version`:
    its last answers for unchanged criteria, measures as stored or read now; a new or changed
    question counts as unanswered (not met) until it is evaluated."""
    criteria = list(version.criteria.all())
    specs = [criterion_spec(c) for c in criteria]
    levels = level_specs(version)
    changes = []
    for evaluation in _latest_published(version.grid.kind):
        values = _simulated_values(evaluation, criteria)
        result = grade(criteria=specs, values=values, levels=levels)
        changes.append(
            LevelChange(
                supplier=evaluation.supplier,
                current_level=evaluation.supplier.qualification_level,
                simulated_level=result.level,
                grade=result,
            )
        )
    changes.sort(key=lambda c: (c.simulated_level - c.current_level, c.supplier.name))
    return changes


def _latest_published(kind: str) -> Iterable[Evaluation]:
    later = Evaluation.objects.filter(
        supplier=OuterRef("supplier"),
        status=EvaluationStatus.PUBLISHED,
        published_at__gt=OuterRef("published_at"),
    )
    return (
        Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED, version__grid__kind=kind)
        .exclude(Exists(later))
        .select_related("supplier")
        .prefetch_related("answers__criterion")
    )


def _simulated_values(evaluation: Evaluation, criteria: list[Criterion]) -> dict[str, object]:
    old = {a.criterion.code: a for a in evaluation.answers.all()}
    values: dict[str, object] = {}
    for criterion in criteria:
        answer = old.get(criterion.code)
        if criterion.answer_type == AnswerType.MEASURED:
            if answer is not None and answer.criterion.measure == criterion.measure:
                values[criterion.code] = answer.measured_value
            else:
                values[criterion.code] = measure_read(
                    code=criterion.measure, supplier=evaluation.supplier
                ).value
            continue
        if answer is None or not all(
            getattr(answer.criterion, f) == getattr(criterion, f) for f in CARRY_OVER_FIELDS
        ):
            values[criterion.code] = None
            continue
        values[criterion.code] = {
            AnswerType.BOOLEAN: answer.value_boolean,
            AnswerType.NUMBER: answer.value_number,
            AnswerType.CHOICE: answer.value_choice or None,
        }[criterion.answer_type]
    return values


# ----------------------------------------------------------------------------- figures


class OfferRow(NamedTuple):
    department_code: str
    kind: str
    level: int
    count: int


class MissedRow(NamedTuple):
    code: str
    label: str
    kind: str
    missed: int
    evaluated: int


def qualified_offer(*, published_only: bool = True) -> list[OfferRow]:
    """Suppliers by department, kind and published level (level 0: not qualified)."""
    suppliers = Supplier.objects.published() if published_only else Supplier.objects.all()
    rows = (
        suppliers.values("department_code", "kind", "qualification_level")
        .annotate(count=Count("pk"))
        .order_by("department_code", "kind", "qualification_level")
    )
    return [
        OfferRow(r["department_code"], r["kind"], r["qualification_level"], r["count"])
        for r in rows
    ]


def evaluations_overdue(*, today: datetime.date | None = None) -> QuerySet[Evaluation]:
    """Open evaluations past their due date, the oldest first."""
    today = today or timezone.localdate()
    return (
        _evaluations()
        .filter(status__in=OPEN_EVALUATION_STATUSES, due_on__lt=today)
        .order_by("due_on", "pk")
    )


def criteria_missed(*, kind: str | None = None, limit: int = 20) -> list[MissedRow]:
    """The criteria most often missed in the suppliers' current published evaluations: what
    suppliers should be trained on."""
    missed: Counter[tuple[str, str]] = Counter()
    evaluated: Counter[tuple[str, str]] = Counter()
    labels: dict[tuple[str, str], str] = {}
    for evaluation in _current_published(kind):
        for check in evaluation.result.get("checks", []):
            if check.get("met") is None:
                continue  # no data: neither met nor missed
            key = (evaluation.version.grid.kind, check["code"])
            evaluated[key] += 1
            missed[key] += 0 if check["met"] else 1
            labels.setdefault(key, check.get("label", ""))
    labels.update(_active_labels(kind))
    rows = [
        MissedRow(code, labels.get((k, code), code), k, count, evaluated[(k, code)])
        for (k, code), count in missed.items()
        if count
    ]
    rows.sort(key=lambda r: (-r.missed, -r.evaluated, r.kind, r.code))
    return rows[:limit]


def _current_published(kind: str | None) -> QuerySet[Evaluation]:
    later = Evaluation.objects.filter(
        supplier=OuterRef("supplier"),
        status=EvaluationStatus.PUBLISHED,
        published_at__gt=OuterRef("published_at"),
    )
    evaluations = (
        Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
        .exclude(Exists(later))
        .select_related("version__grid")
    )
    if kind:
        evaluations = evaluations.filter(version__grid__kind=kind)
    return evaluations


def _active_labels(kind: str | None) -> dict[tuple[str, str], str]:
    criteria = Criterion.objects.filter(version__status=VersionStatus.ACTIVE).select_related(
        "version__grid"
    )
    if kind:
        criteria = criteria.filter(version__grid__kind=kind)
    return {(c.version.grid.kind, c.code): c.label for c in criteria}
