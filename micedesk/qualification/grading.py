"""The grade of an evaluation, computed from plain values: score, level and why (no database here).

Rules (docs/decisions/008-qualification-grades.md):
- a criterion is met when its value compares to its target (number, measure), is a met choice
  (choice) or is yes (yes/no);
- an unanswered criterion counts as not met; a measure without enough data is "no data": it is
  left out of the score (numerator and denominator) and never blocks a level, and the check says so;
- score = weight of the good-practice criteria met ÷ weight of the good-practice criteria that could
  be assessed × 100 (no such weight: 100, nothing was asked beyond the mandatory);
- level = the highest level whose minimum score is reached and, when it requires them, whose
  mandatory criteria are all met.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

BOOLEAN = "boolean"
NUMBER = "number"
CHOICE = "choice"
MEASURED = "measured"
AT_LEAST = "gte"
AT_MOST = "lte"

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    label: str = ""
    section: str = ""
    answer_type: str = BOOLEAN
    mandatory: bool = False
    weight: int = 1
    comparison: str = ""
    target: Decimal | None = None
    met_choices: tuple[str, ...] = ()
    unit: str = ""
    choice_labels: tuple[tuple[str, str], ...] = ()  # (code, label) to explain a choice in words

    def choice_label(self, code: str) -> str:
        return dict(self.choice_labels).get(code, code)


@dataclass(frozen=True)
class LevelSpec:
    level: int
    requires_mandatory: bool = True
    min_score: Decimal = Decimal(0)


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    section: str
    mandatory: bool
    weight: int
    met: bool | None  # None: unanswered question or a measure without enough data
    value: str  # the value as read, in words ("" when none)
    expected: str  # what meets it, in words
    gap: str  # how far from it, in words ("" when met)
    no_data: bool = False  # a measure without enough data: left out of the score


@dataclass(frozen=True)
class NextLevel:
    level: int
    missing_mandatory: list[str] = field(default_factory=list)
    points_short: Decimal = Decimal(0)  # score points (%) still missing


@dataclass(frozen=True)
class Grade:
    score: Decimal
    level: int
    checks: list[Check]
    missed_mandatory: list[Check]
    next_level: NextLevel | None

    def as_json(self) -> dict:
        """What Evaluation.result stores and the screens render."""
        return {
            "score": str(self.score),
            "level": self.level,
            "checks": [asdict(check) for check in self.checks],
            "missed_mandatory": [check.code for check in self.missed_mandatory],
            "next_level": (
                {
                    "level": self.next_level.level,
                    "missing_mandatory": list(self.next_level.missing_mandatory),
                    "points_short": str(self.next_level.points_short),
                }
                if self.next_level
                else None
            ),
        }


def grade(
    *, criteria: list[CriterionSpec], values: dict[str, object], levels: list[LevelSpec]
) -> Grade:
    """Grade the values (by criterion code) against the criteria and the levels."""
    checks = [criterion_check(spec, values.get(spec.code)) for spec in criteria]
    score = _score(criteria, checks)
    missed = [c for c in checks if c.mandatory and c.met is False]
    missed_codes = [c.code for c in missed]
    level = 0
    for spec in sorted(levels, key=lambda s: s.level):
        if _reaches(spec, score, missed_codes):
            level = max(level, spec.level)
    return Grade(
        score=score,
        level=level,
        checks=checks,
        missed_mandatory=missed,
        next_level=_next_level(levels, level, score, missed_codes),
    )


def _reaches(spec: LevelSpec, score: Decimal, missed_codes: list[str]) -> bool:
    return score >= Decimal(spec.min_score) and not (spec.requires_mandatory and missed_codes)


def _next_level(
    levels: list[LevelSpec], level: int, score: Decimal, missed_codes: list[str]
) -> NextLevel | None:
    higher = sorted((s for s in levels if s.level > level), key=lambda s: s.level)
    if not higher:
        return None
    spec = higher[0]
    return NextLevel(
        level=spec.level,
        missing_mandatory=list(missed_codes) if spec.requires_mandatory else [],
        points_short=max(Decimal(spec.min_score) - score, Decimal(0)).quantize(CENT),
    )


def _score(criteria: list[CriterionSpec], checks: list[Check]) -> Decimal:
    total = met = 0
    for spec, check in zip(criteria, checks, strict=True):
        if spec.mandatory or check.no_data:
            continue
        total += spec.weight
        met += spec.weight if check.met else 0
    if total == 0:
        return HUNDRED.quantize(CENT)
    return (Decimal(met) * HUNDRED / Decimal(total)).quantize(CENT, rounding=ROUND_HALF_UP)


def criterion_check(spec: CriterionSpec, value: object) -> Check:
    """One criterion against one value: met or not, and in words how far from it."""
    expected = _expected(spec)
    base = {
        "code": spec.code,
        "label": spec.label,
        "section": spec.section,
        "mandatory": spec.mandatory,
        "weight": spec.weight,
        "expected": expected,
    }
    if value is None or value == "":
        if spec.answer_type == MEASURED:
            return Check(
                **base, met=None, value="", gap=_("not enough data to measure"), no_data=True
            )
        return Check(**base, met=False, value="", gap=_("not answered"))
    if spec.answer_type == BOOLEAN:
        met = bool(value)
        return Check(
            **base, met=met, value=_("yes") if met else _("no"), gap="" if met else expected
        )
    if spec.answer_type == CHOICE:
        met = str(value) in spec.met_choices
        shown = spec.choice_label(str(value))
        return Check(**base, met=met, value=shown, gap="" if met else expected)
    return _number_check(spec, value, base)


def _number_check(spec: CriterionSpec, value: object, base: dict) -> Check:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Check(**base, met=False, value=str(value), gap=_("not a number"))
    shown = _with_unit(number, spec.unit)
    if spec.target is None or not spec.comparison:
        return Check(**base, met=True, value=shown, gap="")
    target = Decimal(spec.target)
    met = number >= target if spec.comparison == AT_LEAST else number <= target
    gap = (
        ""
        if met
        else _("%(value)s instead of %(expected)s")
        % {
            "value": shown,
            "expected": base["expected"],
        }
    )
    return Check(**base, met=met, value=shown, gap=gap)


def _expected(spec: CriterionSpec) -> str:
    if spec.answer_type == BOOLEAN:
        return _("yes")
    if spec.answer_type == CHOICE:
        labels = [spec.choice_label(code) for code in spec.met_choices]
        return _("one of: %(choices)s") % {"choices": ", ".join(labels)}
    if spec.target is None or not spec.comparison:
        return _("any value")
    target = _with_unit(Decimal(spec.target), spec.unit)
    if spec.comparison == AT_LEAST:
        return _("at least %(target)s") % {"target": target}
    return _("at most %(target)s") % {"target": target}


def _with_unit(number: Decimal, unit: str) -> str:
    text = str(int(number)) if number == number.to_integral() else f"{number:.2f}"
    return f"{text} {unit}".strip()
