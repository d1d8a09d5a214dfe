"""Demo evaluations of the demo suppliers against the default grids: a spread of levels, statuses,
expiring qualifications and contests, deterministic for a seed, marked `is_demo`.

Each demo supplier (external id `demo-…`, published) draws from a generator seeded by the seed and
its external id, so a run gives the same result whatever the order or the number of suppliers. A
supplier that already has a demo evaluation is left alone: a second run adds nothing. Evaluations
are written in bulk (rows, answers, history), graded by the real `grading.grade`, with measures
read by the real registry; no evidence file is stored (the demo holds no uploads). Evaluators are
one demo user per partner, `evaluateur-<partner slug>@micedesk.localhost`, without a password.
"""

from __future__ import annotations

import datetime
import random
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from micedesk.accounts.models import Role, User
from micedesk.accounts.services import user_create
from micedesk.directory.models import Status, Supplier
from micedesk.directory.services import supplier_qualification_set
from micedesk.geo.models import Partner
from micedesk.qualification.grading import CriterionSpec, LevelSpec, grade
from micedesk.qualification.measures import dispatch_times_prefetch, measure_read
from micedesk.qualification.models import (
    Answer,
    AnswerType,
    Contest,
    Criterion,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    GridVersion,
    VersionStatus,
)
from micedesk.qualification.services import (
    add_months,
    criterion_spec,
    grids_load_defaults,
    level_specs,
)

DEMO_EVALUATOR_EMAIL = "evaluateur-{slug}@micedesk.localhost"
DEMO_CONTEST = "[Démo] Le prestataire conteste l'évaluation : la salle a été rénovée depuis."
DEMO_RESPONSE = "[Démo] Une visite de contrôle est programmée ; le niveau reste inchangé d'ici là."
# Share of suppliers in each situation, in the order drawn.
SITUATIONS = [
    ("none", 0.06),
    ("published", 0.60),
    ("expiring", 0.08),
    ("contested", 0.04),
    ("submitted", 0.08),
    ("assigned", 0.06),
    ("draft", 0.08),
]


@dataclass
class _Batch:
    evaluations: list[Evaluation] = field(default_factory=list)
    answers: list[list[Answer]] = field(default_factory=list)
    events: list[list[tuple[str, datetime.datetime, dict]]] = field(default_factory=list)
    contests: list[tuple[int, bool]] = field(default_factory=list)


def _situation(rng: random.Random) -> str:
    draw, total = rng.random(), 0.0
    for name, share in SITUATIONS:
        total += share
        if draw < total:
            return name
    return SITUATIONS[-1][0]


def _evaluators() -> dict[int, tuple[User, User | None]]:
    """One demo evaluator per partner, created (and made a member) when missing, and the
    partner's first other member, if any."""
    evaluators = {}
    for partner in Partner.objects.order_by("pk"):
        email = DEMO_EVALUATOR_EMAIL.format(slug=slugify(partner.slug)[:60] or partner.pk)
        user = User.objects.filter(email=email).first() or user_create(
            email=email,
            password=None,
            role=Role.PARTNER,
            full_name=f"Évaluateur (démo) {partner.name}"[:150],
        )
        partner.members.add(user)
        member = (
            partner.members.filter(is_active=True, role=Role.PARTNER)
            .exclude(email__startswith="evaluateur-")
            .order_by("pk")
            .first()
        )
        evaluators[partner.pk] = (user, member)
    return evaluators


def _partner_of_commune() -> dict[str, int]:
    """The partner that evaluates in each commune: the one with the smallest territory."""
    through = Partner.communes.through
    sizes: dict[int, int] = {}
    for partner_id in through.objects.values_list("partner_id", flat=True):
        sizes[partner_id] = sizes.get(partner_id, 0) + 1
    chosen: dict[str, int] = {}
    for commune_id, partner_id in through.objects.order_by("partner_id").values_list(
        "commune_id", "partner_id"
    ):
        current = chosen.get(commune_id)
        if current is None or sizes[partner_id] < sizes[current]:
            chosen[commune_id] = partner_id
    return chosen


def _value(rng: random.Random, criterion: Criterion, meet: bool) -> dict[str, object]:
    """Answer fields that meet the criterion, or not."""
    if criterion.answer_type == AnswerType.BOOLEAN:
        return {"value_boolean": meet}
    if criterion.answer_type == AnswerType.CHOICE:
        codes = [c["code"] for c in criterion.choices]
        pool = [c for c in codes if (c in criterion.met_choices) == meet] or codes
        return {"value_choice": rng.choice(pool)}
    target = criterion.target or Decimal(10)
    factor = Decimal(rng.choice(["1", "1.2", "1.5", "2"]))
    above = (criterion.comparison == "gte") == meet
    number = target * factor if above else target / (factor + 1)
    return {"value_number": number.quantize(Decimal("0.01"))}


def _answers(
    rng: random.Random, supplier: Supplier, criteria: list[Criterion], quality: float
) -> tuple[list[Answer], dict[str, object]]:
    answers, values = [], {}
    for criterion in criteria:
        if criterion.answer_type == AnswerType.MEASURED:
            measured = measure_read(code=criterion.measure, supplier=supplier)
            answers.append(
                Answer(
                    criterion=criterion,
                    measured_value=measured.value,
                    measured_details=measured.details,
                )
            )
            values[criterion.code] = measured.value
            continue
        meet = rng.random() < (0.95 if criterion.mandatory else quality)
        fields = _value(rng, criterion, meet)
        answers.append(Answer(criterion=criterion, **fields))
        values[criterion.code] = next(iter(fields.values()))
    return answers, values


def _dates(
    rng: random.Random, situation: str, now: datetime.datetime, months: int
) -> tuple[datetime.datetime, datetime.date | None]:
    """When the evaluation was assigned, and its validity end when published."""
    today = timezone.localdate(now)
    if situation == "expiring":
        valid_until = today + datetime.timedelta(days=rng.randint(5, 85))
        published = valid_until - (add_months(today, months) - today)
        published_at = timezone.make_aware(datetime.datetime.combine(published, datetime.time(10)))
        return published_at - datetime.timedelta(days=rng.randint(20, 60)), valid_until
    if situation in ("published", "contested"):
        published_at = now - datetime.timedelta(days=rng.randint(20, 900))
        valid_until = add_months(timezone.localdate(published_at), months)
        return published_at - datetime.timedelta(days=rng.randint(20, 60)), valid_until
    return now - datetime.timedelta(days=rng.randint(3, 120)), None


def _evaluation(
    rng: random.Random,
    supplier: Supplier,
    version: GridVersion,
    criteria: list[Criterion],
    grading: tuple[list[CriterionSpec], list[LevelSpec]],
    partner_id: int,
    evaluators: tuple[User, User | None],
    now: datetime.datetime,
    batch: _Batch,
) -> None:
    situation = _situation(rng)
    if situation == "none":
        return
    quality = rng.choice([0.3, 0.5, 0.65, 0.75, 0.85, 0.95])
    answers, values = _answers(rng, supplier, criteria, quality)
    result = grade(criteria=grading[0], values=values, levels=grading[1])
    assigned_at, valid_until = _dates(rng, situation, now, version.validity_months)
    status = {
        "published": EvaluationStatus.PUBLISHED,
        "expiring": EvaluationStatus.PUBLISHED,
        "contested": EvaluationStatus.PUBLISHED,
    }.get(situation, situation)
    # Open evaluations go to a real member of the partner when it has one (the demo partner
    # login), so that its evaluation form has work in it.
    evaluator = (
        evaluators[1] if status in ("assigned", "draft") and evaluators[1] else evaluators[0]
    )
    evaluation = Evaluation(
        supplier=supplier,
        version=version,
        status=status,
        partner_id=partner_id,
        evaluator=evaluator,
        assigned_at=assigned_at,
        due_on=timezone.localdate(assigned_at) + datetime.timedelta(days=60),
        is_demo=True,
        comment="[Démo] Évaluation fictive, générée pour la démonstration.",
    )
    events = [("assigned", assigned_at, {"demo": True})]
    if status == EvaluationStatus.DRAFT:
        answers = [a for a in answers if rng.random() < 0.6]
        events.append(("saved", assigned_at + datetime.timedelta(days=2), {"demo": True}))
    elif status == EvaluationStatus.ASSIGNED:
        answers = []
    else:
        submitted_at = assigned_at + datetime.timedelta(days=rng.randint(5, 40))
        evaluation.submitted_at = min(submitted_at, now)
        evaluation.visited_on = timezone.localdate(evaluation.submitted_at)
        evaluation.score, evaluation.level, evaluation.result = (
            result.score,
            result.level,
            result.as_json(),
        )
        events.append(("submitted", evaluation.submitted_at, {"demo": True}))
    if status == EvaluationStatus.PUBLISHED:
        published_at = evaluation.submitted_at + datetime.timedelta(days=rng.randint(1, 15))
        evaluation.published_at = evaluation.reviewed_at = published_at
        evaluation.valid_until = valid_until
        events.append(("published", published_at, {"demo": True, "level": result.level}))
    batch.evaluations.append(evaluation)
    batch.answers.append(answers)
    batch.events.append(events)
    if situation == "contested":
        batch.contests.append((len(batch.evaluations) - 1, rng.random() < 0.5))


def demo_evaluations_generate(*, seed: int, progress: bool = False) -> int:
    """Write the demo evaluations; returns how many were created (0 on a second run)."""
    if not GridVersion.objects.filter(status=VersionStatus.ACTIVE).exists():
        grids_load_defaults()
    versions = {
        v.grid.kind: v
        for v in GridVersion.objects.filter(status=VersionStatus.ACTIVE).select_related("grid")
    }
    criteria = {kind: list(v.criteria.all()) for kind, v in versions.items()}
    levels = {kind: level_specs(v) for kind, v in versions.items()}
    specs = {kind: [criterion_spec(c) for c in rows] for kind, rows in criteria.items()}
    evaluators = _evaluators()
    partner_of = _partner_of_commune()
    already = Evaluation.objects.filter(is_demo=True).values("supplier_id")
    suppliers = (
        Supplier.objects.filter(external_id__startswith="demo-", status=Status.PUBLISHED)
        .exclude(pk__in=already)
        .exclude(evaluations__status__in=["assigned", "draft", "submitted", "returned"])
        .prefetch_related("rooms")
        .order_by("pk")
    )
    now = timezone.now()
    batch = _Batch()
    suppliers = list(suppliers)
    dispatch_times_prefetch(suppliers)  # one query instead of two per supplier
    rows = tqdm(
        suppliers, desc="evaluations", unit="supplier", file=sys.stdout, disable=not progress
    )
    for supplier in rows:
        partner_id = partner_of.get(supplier.commune_id)
        if partner_id is None or supplier.kind not in versions:
            continue
        rng = random.Random(f"{seed}-{supplier.external_id}")
        _evaluation(
            rng,
            supplier,
            versions[supplier.kind],
            criteria[supplier.kind],
            (specs[supplier.kind], levels[supplier.kind]),
            partner_id,
            evaluators[partner_id],
            now,
            batch,
        )
    return _store(batch, now)


@transaction.atomic
def _store(batch: _Batch, now: datetime.datetime) -> int:
    evaluations = Evaluation.objects.bulk_create(batch.evaluations, batch_size=500)
    answers, events = [], []
    for evaluation, rows, steps in zip(evaluations, batch.answers, batch.events, strict=True):
        for answer in rows:
            answer.evaluation = evaluation
            answers.append(answer)
        events += [
            EvaluationEvent(evaluation=evaluation, at=at, event=name, details=details)
            for name, at, details in steps
        ]
    Answer.objects.bulk_create(answers, batch_size=1000)
    contests = []
    for index, resolved in batch.contests:
        evaluation = evaluations[index]
        at = evaluation.published_at + datetime.timedelta(days=10)
        contests.append(
            Contest(
                evaluation=evaluation,
                comment=DEMO_CONTEST,
                created_at=at,
                response=DEMO_RESPONSE if resolved else "",
                resolved_at=at + datetime.timedelta(days=7) if resolved else None,
            )
        )
        events.append(EvaluationEvent(evaluation=evaluation, at=at, event="contested"))
    Contest.objects.bulk_create(contests)
    EvaluationEvent.objects.bulk_create(events, batch_size=1000)
    for evaluation in evaluations:
        if evaluation.status == EvaluationStatus.PUBLISHED:
            supplier_qualification_set(
                supplier=evaluation.supplier,
                level=evaluation.level,
                valid_until=evaluation.valid_until,
            )
    return len(evaluations)
