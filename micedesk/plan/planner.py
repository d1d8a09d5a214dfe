"""The budget planner: given a year's budget and staff-time caps, which actions of the plan, and
how many of their units (éductours, establishments supported, workshops…), give the most value;
and why, in words a staff member can check. The model and the choice of CP-SAT are in
docs/decisions/012-budget-planner.md.

The core (`Problem`, `solve`, `solve_exhaustively`) works on plain integers: money in cents, staff
time in hundredths of a month, value in points. `plan_budget` builds the problem from the plan's
year, solves it, solves it again with 10 000 € more, and explains both; `budget_apply` writes a
selection back onto the year.
"""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from ortools.sat.python import cp_model

from micedesk.accounts.models import User
from micedesk.operations.models import EVENT_KINDS
from micedesk.plan import selectors, services
from micedesk.plan.models import ActionStatus, ActionYear, CostItem, ItemQuantity, Plan

BASES = ("low", "mid", "high")
NEXT_STEP = Decimal("10000")
# The returns factor reads the bureau's events of the years before the planned one, at most
# this many: the span of a plan, long enough to smooth one bad year, short enough to stay current.
RETURNS_YEARS = 3
FACTOR_MIN = Decimal("0.5")
FACTOR_MAX = Decimal("2")
POINTS = 1000  # the first unit of a priority-1 action with factor 1
# The solver's limits: deterministic time (the same answer whatever the machine's load), and a
# wall-clock guard. The Normandy plan solves in milliseconds; these only bound a pathological plan.
DETERMINISTIC_SECONDS = 10.0
WALL_SECONDS = 30.0
SEED = 7
CENT = Decimal("0.01")
ZERO = Decimal(0)


# --- The core: integers in, integers out --------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A cost item the solver may take `min_q`..`max_q` units of; `unit_values[k]` is the value
    of the (k+1)-th unit."""

    key: str
    label: str
    unit_cost: int  # cents
    unit_staff: int  # hundredths of a staff month
    unit_values: tuple[int, ...]
    min_q: int
    max_q: int


@dataclass(frozen=True)
class Problem:
    options: tuple[Option, ...]
    budget: int  # cents
    staff: int  # hundredths of a staff month


@dataclass(frozen=True)
class Solution:
    quantities: dict[str, int]
    value: int
    cost: int
    staff: int
    status: str  # "optimal", "feasible" (not proven best in the time given) or "infeasible"
    seconds: float

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def feasible(self) -> bool:
        return self.status != "infeasible"


def _check(problem: Problem) -> None:
    keys = [option.key for option in problem.options]
    if len(set(keys)) != len(keys):
        raise ValueError("option keys must be unique")
    for option in problem.options:
        if not 0 <= option.min_q <= option.max_q or len(option.unit_values) < option.max_q:
            raise ValueError(f"option {option.key}: bad bounds or values")
        if option.unit_cost < 0 or option.unit_staff < 0:
            raise ValueError(f"option {option.key}: negative cost or staff time")


def _totals(problem: Problem, quantities: dict[str, int]) -> tuple[int, int, int]:
    value = cost = staff = 0
    for option in problem.options:
        quantity = quantities.get(option.key, 0)
        value += sum(option.unit_values[:quantity])
        cost += option.unit_cost * quantity
        staff += option.unit_staff * quantity
    return value, cost, staff


def _solver() -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    # One worker and a fixed seed: the same input always gives the same selection.
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEED
    solver.parameters.max_deterministic_time = DETERMINISTIC_SECONDS
    solver.parameters.max_time_in_seconds = WALL_SECONDS
    return solver


def solve(problem: Problem) -> Solution:
    """The selection of most value within the caps, then of least cost among those of equal value.

    Each unit of an option is a boolean, the k-th unit only when the (k-1)-th is taken, so that
    diminishing (or any) unit values are exact without a piecewise function. Two solves: maximise
    value, then fix it and minimise cost (a lexicographic objective without big-M weights)."""
    _check(problem)
    started = time.perf_counter()
    model = cp_model.CpModel()
    units: dict[str, list[cp_model.IntVar]] = {}
    value_terms, cost_terms, staff_terms = [], [], []
    for option in problem.options:
        row = [model.new_bool_var(f"{option.key}#{k}") for k in range(1, option.max_q + 1)]
        for index, unit in enumerate(row):
            if index < option.min_q:
                model.add(unit == 1)
            if index:
                model.add_implication(unit, row[index - 1])
            value_terms.append(option.unit_values[index] * unit)
            cost_terms.append(option.unit_cost * unit)
            staff_terms.append(option.unit_staff * unit)
        units[option.key] = row
    if not cost_terms:
        # Nothing to choose: the empty selection, if the caps are not negative.
        status = "optimal" if problem.budget >= 0 and problem.staff >= 0 else "infeasible"
        return Solution(dict.fromkeys(units, 0), 0, 0, 0, status, time.perf_counter() - started)
    value, cost = sum(value_terms), sum(cost_terms)
    model.add(cost <= problem.budget)
    model.add(sum(staff_terms) <= problem.staff)
    model.maximize(value)
    solver = _solver()
    first = solver.solve(model)
    if first not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution({}, 0, 0, 0, "infeasible", time.perf_counter() - started)
    proven = first == cp_model.OPTIMAL
    best = round(solver.objective_value)
    for row in units.values():
        for unit in row:
            model.add_hint(unit, solver.value(unit))
    model.add(value >= best)
    model.minimize(cost)
    cheapest = _solver()
    second = cheapest.solve(model)
    if second in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        proven = proven and second == cp_model.OPTIMAL
        quantities = _read(units, cheapest)
    else:  # pragma: no cover - the first solution satisfies the second model
        quantities = _read(units, solver)
    value_found, cost_found, staff_found = _totals(problem, quantities)
    return Solution(
        quantities,
        value_found,
        cost_found,
        staff_found,
        "optimal" if proven else "feasible",
        time.perf_counter() - started,
    )


def _read(units: dict[str, list], solver: cp_model.CpSolver) -> dict[str, int]:
    return {key: sum(solver.value(unit) for unit in row) for key, row in units.items()}


def solve_exhaustively(problem: Problem) -> Solution:
    """Every combination of quantities: the reference the solver is checked against, on small
    problems only (the count multiplies with each option). Same order of preference: most value,
    then least cost."""
    _check(problem)
    started = time.perf_counter()
    best: tuple[int, int, int, dict[str, int]] | None = None
    ranges = [range(option.min_q, option.max_q + 1) for option in problem.options]
    for combination in itertools.product(*ranges):
        quantities = {
            option.key: quantity
            for option, quantity in zip(problem.options, combination, strict=True)
        }
        value, cost, staff = _totals(problem, quantities)
        if cost > problem.budget or staff > problem.staff:
            continue
        if best is None or (value, -cost) > (best[0], -best[1]):
            best = (value, cost, staff, quantities)
    seconds = time.perf_counter() - started
    if best is None:
        return Solution({}, 0, 0, 0, "infeasible", seconds)
    return Solution(best[3], best[0], best[1], best[2], "optimal", seconds)


# --- Values: priorities and measured returns -----------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """An action's returns factor: the measured impact per euro of its kind of bureau event over
    the past years, relative to the median kind, within [0.5, 2]; 1 when nothing is measured."""

    value: Decimal
    kind: str = ""
    ratio: Decimal | None = None  # impact per euro of the kind
    median: Decimal | None = None  # the median of the kinds measured
    events: int = 0
    years: tuple[int, int] | None = None

    @property
    def measured(self) -> bool:
        return self.ratio is not None

    @property
    def explanation(self) -> str:
        if not self.kind:
            return _("no measured returns yet (no bureau event records this action)")
        label = dict(EVENT_KINDS).get(self.kind, self.kind)
        if self.ratio is None:
            return _("no measured returns yet (%(kind)s)") % {"kind": label}
        first, last = self.years or (0, 0)
        period = str(first) if first == last else f"{first}–{last}"
        return _(
            "%(kind)s: %(ratio)s € of economic impact per euro spent in %(period)s "
            "(%(events)s events), against a median of %(median)s € over the kinds measured; "
            "clamped to 0.5–2"
        ) % {
            "kind": label,
            "ratio": _number(self.ratio, 2),
            "period": period,
            "events": self.events,
            "median": _number(self.median, 2),
        }


NO_RETURNS = Factor(Decimal(1))


def factors_from_ratios(
    ratios: dict[str, tuple[Decimal | None, int]], years: tuple[int, int] | None
) -> dict[str, Factor]:
    """Each kind's factor from its (impact per euro, events) over the past years."""
    measured = [ratio for ratio, _events in ratios.values() if ratio is not None]
    median = Decimal(statistics.median(measured)) if measured else None
    factors = {}
    for kind, (ratio, events) in ratios.items():
        if ratio is None or not median:
            factors[kind] = Factor(Decimal(1), kind, None, None, events, years)
            continue
        value = min(max(ratio / median, FACTOR_MIN), FACTOR_MAX).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        factors[kind] = Factor(value, kind, ratio, median, events, years)
    return factors


def returns_factors(*, year: int) -> dict[str, Factor]:
    """The factor of every kind of bureau event held in the `RETURNS_YEARS` years before `year`:
    the sum of their economic impact over the sum of their net cost (cancelled events aside)."""
    from micedesk.operations import returns

    years = (year - RETURNS_YEARS, year - 1)
    events = [e for y in range(years[0], years[1] + 1) for e in returns.year_events(y)]
    totals: dict[str, returns.Totals] = {}
    for item in returns.returns_for_events(events):
        totals.setdefault(item.event.kind, returns.Totals()).add(item)
    ratios = {kind: (t.impact_per_euro, t.events) for kind, t in totals.items()}
    held = sorted({e.starts_on.year for e in events})
    return factors_from_ratios(ratios, (held[0], held[-1]) if held else None)


def unit_values(priority: int, factor: Decimal, most: int) -> tuple[int, ...]:
    """round(1000 × p × f / k) for the k-th unit: the third éductour adds less than the first."""
    return tuple(
        int((POINTS * priority * factor / k).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for k in range(1, most + 1)
    )


def _unit_cost(item: CostItem, basis: str) -> int:
    low, high = item.amount_low, item.amount_high
    amount = {"low": low, "high": high, "mid": (low + high) / 2}[basis]
    return int((amount * 100 / item.for_quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _unit_staff(item: CostItem) -> int:
    if item.staff_months is None:
        return 0
    hundredths = item.staff_months * 100 / item.for_quantity
    return int(hundredths.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Words and numbers ---------------------------------------------------------------------------


def _number(value: Decimal | int | None, places: int = 0) -> str:
    if value is None:
        return "—"
    return formats.number_format(Decimal(value), places, use_l10n=True, force_grouping=True)


def _euros_of(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def euros(cents: int) -> str:
    amount = _euros_of(cents)
    return f"{_number(amount, 0 if amount == amount.to_integral() else 2)} €"


def _months_of(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(CENT)


def months(hundredths: int) -> str:
    value = _months_of(hundredths)
    return _number(value, 0 if value == value.to_integral() else 2)


# --- The answer ------------------------------------------------------------------------------


# Why an option is not in, or not at its maximum.
NOT_WANTED = "not_wanted"
DROPPED = "dropped"
NO_FIGURE = "no_figure"
COMMITTED = "committed"
AT_MAX = "at_max"
TOO_DEAR = "too_dear"
DOES_NOT_FIT = "does_not_fit"
WORTH_LESS = "worth_less"
STAFF = "staff"
NOT_PROVEN = "not_proven"


@dataclass
class Line:
    """One cost item of an action's year in the answer."""

    row: ItemQuantity
    option: Option | None  # None: excluded, or no figure
    quantity: int = 0  # chosen (the planned quantity when the planner cannot choose)
    value: int = 0
    reason: str = ""  # why not (more): one of the codes above
    why: str = ""  # the same, in words

    @property
    def item(self) -> CostItem:
        return self.row.item

    @property
    def most(self) -> int:
        return self.option.max_q if self.option else self.row.max_quantity

    @property
    def cost(self) -> Decimal:
        return _euros_of(self.option.unit_cost * self.quantity) if self.option else ZERO

    @property
    def staff_months(self) -> Decimal | None:
        if self.item.staff_months is None:
            return None
        return _months_of(self.option.unit_staff * self.quantity) if self.option else ZERO


@dataclass
class ActionChoice:
    """An action's year as the planner sees it: priority, factor, each cost item."""

    action_year: ActionYear
    factor: Factor
    lines: list[Line]
    excluded: str = ""  # not_wanted, dropped: the planner leaves it as it is
    url: str | None = None  # the action year's page, set by the screen that shows the answer

    @property
    def action(self):
        return self.action_year.action

    @property
    def committed(self) -> bool:
        return self.action_year.is_committed

    @property
    def chosen(self) -> bool:
        return any(line.option and line.quantity for line in self.lines)

    @property
    def cost(self) -> Decimal:
        return sum((line.cost for line in self.lines), ZERO)

    @property
    def staff_months(self) -> Decimal:
        return sum((line.staff_months or ZERO for line in self.lines), ZERO)

    @property
    def staff_unknown(self) -> bool:
        return any(
            line.option and line.quantity and line.item.staff_months is None for line in self.lines
        )

    @property
    def value(self) -> int:
        return sum(line.value for line in self.lines)

    @property
    def why(self) -> str:
        if self.committed:
            return _("Committed: kept at its planned quantities.")
        return _("Priority %(priority)s × returns factor %(factor)s (%(how)s).") % {
            "priority": self.action_year.priority,
            "factor": _number(self.factor.value, 2),
            "how": self.factor.explanation,
        }


@dataclass
class Change:
    line: Line
    before: int
    after: int
    cost: Decimal  # of the change: negative when units leave

    @property
    def action(self):
        return self.line.row.action_year.action


@dataclass
class NextStep:
    """What 10 000 € more would buy."""

    budget: Decimal
    changes: list[Change] = field(default_factory=list)
    value: int = 0  # the value added
    cost: Decimal = ZERO  # the spend added
    cheapest: Line | None = None  # when nothing more fits: the cheapest option not at its max
    cheapest_cost: Decimal = ZERO


@dataclass
class BudgetAnswer:
    plan: Plan
    year: int
    budget: Decimal
    fte: Decimal
    basis: str
    choices: list[ActionChoice]
    factors: dict[str, Factor]
    solution: Solution
    problem: Problem
    next_step: NextStep
    committed_cost: Decimal
    committed_staff: Decimal

    @property
    def solve_ms(self) -> Decimal:
        return Decimal(self.solution.seconds * 1000).quantize(Decimal("0.1"))

    @property
    def staff_cap(self) -> Decimal:
        return self.fte * 12

    @property
    def chosen(self) -> list[ActionChoice]:
        return [choice for choice in self.choices if choice.chosen]

    @property
    def left(self) -> list[tuple[ActionChoice, Line]]:
        """Every option not chosen or not at its maximum, and every excluded action, with why;
        the items without a cost figure are listed apart (`unknown`)."""
        return [
            (choice, line)
            for choice in self.choices
            for line in choice.lines
            if line.reason and line.reason != NO_FIGURE
        ]

    @property
    def unknown(self) -> list[tuple[ActionChoice, Line]]:
        return [
            (choice, line)
            for choice in self.choices
            for line in choice.lines
            if line.reason == NO_FIGURE
        ]

    @property
    def no_staff_time(self) -> list[ActionChoice]:
        return [choice for choice in self.chosen if choice.staff_unknown]

    @property
    def cost(self) -> Decimal:
        return _euros_of(self.solution.cost)

    @property
    def left_budget(self) -> Decimal:
        return self.budget - self.cost

    @property
    def staff_months(self) -> Decimal:
        return _months_of(self.solution.staff)

    @property
    def value(self) -> int:
        return self.solution.value

    @property
    def quantities(self) -> dict[int, int]:
        """The chosen quantity of each item-quantity row the planner chose (excluded, committed
        and unknown-cost rows aside): what `budget_apply` writes."""
        return {
            line.row.pk: line.quantity
            for choice in self.choices
            if not choice.excluded and not choice.committed
            for line in choice.lines
            if line.option
        }


# --- Building the problem ----------------------------------------------------------------------


def _amount(value: object, name: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except (InvalidOperation, TypeError):
        raise ValidationError(
            {name: _("“%(value)s” is not a number.") % {"value": value}}
        ) from None
    if not number.is_finite():
        raise ValidationError({name: _("“%(value)s” is not a number.") % {"value": value}})
    if number < 0:
        raise ValidationError({name: _("It cannot be negative.")})
    return number


def _choice(action_year: ActionYear, factor: Factor, basis: str) -> ActionChoice:
    excluded = ""
    if action_year.status == ActionStatus.DROPPED:
        excluded = DROPPED
    elif action_year.priority == 0 and not action_year.is_committed:
        excluded = NOT_WANTED
    lines = []
    for row in action_year.quantities.all():
        item = row.item
        if excluded:
            lines.append(Line(row, None, 0, reason=excluded))
            continue
        if item.is_unknown:
            lines.append(Line(row, None, row.quantity, reason=NO_FIGURE))
            continue
        most = row.max_quantity if item.unit else min(row.max_quantity, 1)
        least = 0
        if action_year.is_committed:
            least = most = min(row.quantity, most)
        option = Option(
            key=f"iq{row.pk}",
            label=f"{action_year.action.title} · {item.label}",
            unit_cost=_unit_cost(item, basis),
            unit_staff=_unit_staff(item),
            unit_values=unit_values(action_year.priority, factor.value, most),
            min_q=least,
            max_q=most,
        )
        lines.append(Line(row, option))
    return ActionChoice(action_year, factor, lines, excluded)


def _refuse_below_committed(
    *, budget: Decimal, fte: Decimal, problem: Problem, choices: list[ActionChoice]
) -> tuple[int, int]:
    committed = [c for c in choices if c.committed and any(line.option for line in c.lines)]
    cost = sum(o.unit_cost * o.min_q for o in problem.options)
    staff = sum(o.unit_staff * o.min_q for o in problem.options)
    names = ", ".join(c.action.title for c in committed)
    if problem.budget < cost:
        raise ValidationError(
            {
                "budget": _(
                    "The budget (%(budget)s) is below the %(committed)s already committed: "
                    "%(actions)s."
                )
                % {"budget": euros(problem.budget), "committed": euros(cost), "actions": names}
            }
        )
    if problem.staff < staff:
        raise ValidationError(
            {
                "fte": _(
                    "The staff time (%(fte)s full-time equivalents, %(cap)s months) is below "
                    "the %(committed)s months already committed: %(actions)s."
                )
                % {
                    "fte": _number(fte, 2),
                    "cap": months(problem.staff),
                    "committed": months(staff),
                    "actions": names,
                }
            }
        )
    return cost, staff


def _build(
    *, plan: Plan, year: int, budget: Decimal, fte: Decimal, basis: str
) -> tuple[Problem, list[ActionChoice], dict[str, Factor]]:
    factors = returns_factors(year=year)
    choices = []
    for action_year in selectors.year_action_years(plan=plan, year=year):
        kind = action_year.action.event_kind
        factor = factors.get(kind) or (Factor(Decimal(1), kind) if kind else NO_RETURNS)
        choices.append(_choice(action_year, factor, basis))
    options = tuple(line.option for c in choices for line in c.lines if line.option)
    budget_cents = int((budget * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    staff = int((fte * 1200).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Problem(options, budget_cents, staff), choices, factors


# --- Explaining ---------------------------------------------------------------------------------


def _explain(choices: list[ActionChoice], problem: Problem, solution: Solution) -> None:
    """Fill each line with its chosen quantity, value and, when not at its maximum, why."""
    budget_left = problem.budget - solution.cost
    staff_left = problem.staff - solution.staff
    free = problem.budget - sum(o.unit_cost * o.min_q for o in problem.options)
    staff_free = problem.staff - sum(o.unit_staff * o.min_q for o in problem.options)
    lowest = _lowest_value_per_euro(choices, solution)
    for choice in choices:
        for line in choice.lines:
            option = line.option
            if option is None:
                if line.reason == DROPPED:
                    line.why = _("Dropped for this year.")
                elif line.reason == NOT_WANTED:
                    line.why = _("Not wanted this year (priority 0).")
                else:
                    line.why = _(
                        "The plan gives no cost figure: it cannot be weighed against the budget "
                        "and is not counted in it."
                    )
                continue
            line.quantity = solution.quantities.get(option.key, 0)
            line.value = sum(option.unit_values[: line.quantity])
            if line.quantity < option.max_q or option.max_q == 0:
                line.reason, line.why = _why_not(
                    choice,
                    option,
                    line.quantity,
                    (budget_left, free),
                    (staff_left, staff_free),
                    lowest,
                )
                if not solution.optimal and line.reason in (DOES_NOT_FIT, WORTH_LESS):
                    line.reason = NOT_PROVEN
                    line.why += " " + _("The solver stopped before proving the best selection.")


def _lowest_value_per_euro(choices: list[ActionChoice], solution: Solution) -> Decimal | None:
    """The value per euro of the last unit of what is in, at its least (committed ones aside)."""
    rates = []
    for choice in choices:
        if choice.committed:
            continue
        for line in choice.lines:
            option = line.option
            quantity = solution.quantities.get(option.key, 0) if option else 0
            if quantity and option.unit_cost:
                rates.append(Decimal(option.unit_values[quantity - 1] * 100) / option.unit_cost)
    return min(rates) if rates else None


def _why_not(
    choice: ActionChoice,
    option: Option,
    quantity: int,
    budget: tuple[int, int],
    staff: tuple[int, int],
    lowest: Decimal | None,
) -> tuple[str, str]:
    """Why one more unit is not in: (left after the selection, left after the commitments) of
    the budget and of staff time tell what cannot fit at all from what lost to better options."""
    budget_left, free = budget
    staff_left, staff_free = staff
    if choice.committed:
        return COMMITTED, _("Committed: it stays at the %(count)s planned.") % {"count": quantity}
    if option.max_q == 0:
        return AT_MAX, _("At most 0 this year: raise its maximum on the action's year.")
    if option.unit_staff > staff_free:
        return STAFF, _("Staff time exhausted: one more needs %(need)s months, %(left)s left.") % {
            "need": months(option.unit_staff),
            "left": months(staff_left),
        }
    if option.unit_cost > free:
        return TOO_DEAR, _(
            "Does not fit: %(cost)s for one more, with %(free)s not already committed."
        ) % {"cost": euros(option.unit_cost), "free": euros(free)}
    if option.unit_cost > budget_left:
        worth = Decimal(option.unit_values[quantity] * 100) / option.unit_cost
        if lowest is not None and worth < lowest:
            return WORTH_LESS, _(
                "Does not fit: %(cost)s with %(left)s left; it is worth less per euro than what "
                "is in (%(worth)s points per € against %(lowest)s)."
            ) % {
                "cost": euros(option.unit_cost),
                "left": euros(budget_left),
                "worth": _number(worth, 3),
                "lowest": _number(lowest, 3),
            }
        return DOES_NOT_FIT, _(
            "Does not fit: %(cost)s with %(left)s left; making room for it would give up more "
            "value than it brings."
        ) % {"cost": euros(option.unit_cost), "left": euros(budget_left)}
    if option.unit_staff > staff_left:
        return STAFF, _("Staff time exhausted: one more needs %(need)s months, %(left)s left.") % {
            "need": months(option.unit_staff),
            "left": months(staff_left),
        }
    return NOT_PROVEN, _("The solver stopped before proving the best selection.")


def _next_step(
    choices: list[ActionChoice], problem: Problem, solution: Solution, budget: Decimal
) -> NextStep:
    more = Problem(problem.options, problem.budget + int(NEXT_STEP * 100), problem.staff)
    richer = solve(more)
    step = NextStep(budget=budget + NEXT_STEP)
    for choice in choices:
        for line in choice.lines:
            if line.option is None:
                continue
            before = solution.quantities.get(line.option.key, 0)
            after = richer.quantities.get(line.option.key, 0)
            if before != after:
                step.changes.append(
                    Change(line, before, after, _euros_of(line.option.unit_cost * (after - before)))
                )
    step.changes.sort(key=lambda change: (change.after < change.before, -change.cost))
    step.value = richer.value - solution.value
    step.cost = _euros_of(richer.cost - solution.cost)
    if not step.changes:
        missing = [
            line
            for choice in choices
            if not choice.committed
            for line in choice.lines
            if line.option and line.quantity < line.option.max_q
        ]
        if missing:
            step.cheapest = min(missing, key=lambda line: (line.option.unit_cost, line.option.key))
            step.cheapest_cost = _euros_of(step.cheapest.option.unit_cost)
    return step


# --- Entry points ------------------------------------------------------------------------------


def plan_budget(
    *, user: User, plan: Plan, year: int, budget: object, fte: object, basis: str = "high"
) -> BudgetAnswer:
    """The actions and quantities of most value for `year` within `budget` euros and `fte`
    full-time posts (× 12 staff months), the plan's amounts taken at their `basis` (low, mid or
    high: the prudent default); committed action-years stay in at their planned quantities."""
    selectors.require_staff(user)
    budget, fte = _amount(budget, "budget"), _amount(fte, "fte")
    if basis not in BASES:
        raise ValidationError({"basis": _("Choose the low, middle or high estimates.")})
    if year not in plan.years:
        raise ValidationError(
            {
                "year": _("The plan runs from %(first)s to %(last)s.")
                % {"first": plan.first_year, "last": plan.last_year}
            }
        )
    problem, choices, factors = _build(plan=plan, year=year, budget=budget, fte=fte, basis=basis)
    committed_cost, committed_staff = _refuse_below_committed(
        budget=budget, fte=fte, problem=problem, choices=choices
    )
    solution = solve(problem)
    _explain(choices, problem, solution)
    return BudgetAnswer(
        plan=plan,
        year=year,
        budget=budget,
        fte=fte,
        basis=basis,
        choices=choices,
        factors=factors,
        solution=solution,
        problem=problem,
        next_step=_next_step(choices, problem, solution, budget),
        committed_cost=_euros_of(committed_cost),
        committed_staff=_months_of(committed_staff),
    )


@transaction.atomic
def budget_apply(*, user: User, plan: Plan, year: int, answer: BudgetAnswer) -> int:
    """Write a selection onto the year: each action-year the planner may choose for gets the
    chosen quantity of each item; one with something chosen becomes "Kept", one with nothing
    chosen goes back to "Proposed" (dropping an action stays a decision of staff). Committed,
    dropped and not-wanted action-years and items without a cost figure are left as they are.
    Refused if the year changed since the answer (status or priority): compute it again.
    Returns the number of action-years changed."""
    selectors.require_staff(user)
    if answer.plan.pk != plan.pk or answer.year != year:
        raise ValidationError(_("This selection is for another plan or year."))
    seen = {c.action_year.pk: c.action_year for c in answer.choices}
    current = {
        ay.pk: ay
        for ay in ActionYear.objects.select_for_update().filter(action__plan=plan, year=year)
    }
    if set(current) != set(seen) or any(
        (ay.status, ay.priority) != (seen[pk].status, seen[pk].priority)
        for pk, ay in current.items()
    ):
        raise ValidationError(
            _("The year's actions changed since this selection was computed: compute it again.")
        )
    wanted = answer.quantities
    rows_now = {
        row.pk: row for row in ItemQuantity.objects.filter(action_year_id__in=list(current))
    }
    changed = 0
    for choice in answer.choices:
        if choice.excluded or choice.committed:
            continue
        rows = [rows_now.get(line.row.pk) for line in choice.lines if line.option]
        if None in rows:
            raise ValidationError(
                _("The year's actions changed since this selection was computed: compute it again.")
            )
        if not rows:
            continue
        action_year = current[choice.action_year.pk]
        status = ActionStatus.PLANNED if choice.chosen else ActionStatus.PROPOSED
        if (action_year.status, [row.quantity for row in rows]) == (
            status,
            [wanted[row.pk] for row in rows],
        ):
            continue
        services.action_year_update(
            action_year=action_year,
            user=user,
            data={"status": status},
            quantities={row.item_id: (wanted[row.pk], row.max_quantity) for row in rows},
        )
        changed += 1
    return changed
