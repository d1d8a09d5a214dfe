"""Typed shapes of the action plan API: the plan's actions with their costs, years, spend and
KPIs, and the plan's synthesis tables (staff)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from micedesk.api.operations_schemas import YEAR_MAX, YEAR_MIN, EventKindCode
from micedesk.api.schemas import PAGE_MAX
from micedesk.directory.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from micedesk.plan.models import ActionStatus, Timing

TimingCode = StrEnum("PlanTimingCode", [(code, code) for code in Timing.values])
ActionStatusCode = StrEnum("PlanActionStatusCode", [(code, code) for code in ActionStatus.values])

# Euros, months and KPI figures: exact decimals as strings, never floats. A KPI's target or value
# may be below zero (a net figure); amounts never are, but one pattern keeps the schema simple.
DecimalText = Annotated[str, StringConstraints(pattern=r"^-?[0-9]+(?:\.[0-9]+)?$")]
PlanCode = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=60)]
OBJECTIVE_MAX = 99


class PlanFilters(Schema):
    plan: PlanCode | None = Field(
        None,
        description="The plan's code; the plan covering the current year (else the latest) "
        "when left out.",
        examples=["normandie-2023-2025"],
    )
    year: int | None = Field(
        None,
        ge=YEAR_MIN,
        le=YEAR_MAX,
        description="Only this year of the plan (one of its years); every year when left out.",
        examples=[2024],
    )
    objective: int | None = Field(
        None, ge=1, le=OBJECTIVE_MAX, description="Only the actions of this objective (its number)."
    )
    page: int = Field(1, ge=1, le=PAGE_MAX, description="Page number, from 1.")
    page_size: int = Field(
        PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Actions per page."
    )


class SynthesisFilters(Schema):
    plan: PlanCode | None = Field(
        None,
        description="The plan's code; the plan covering the current year (else the latest) "
        "when left out.",
        examples=["normandie-2023-2025"],
    )


class PlanSummaryOut(Schema):
    code: str
    title: str
    first_year: int
    last_year: int


class ObjectiveOut(Schema):
    number: int
    title: str


class PlanCostOut(Schema):
    label: str
    cost_low: DecimalText | None = Field(description="Euros; null when the plan gives no figure.")
    cost_high: DecimalText | None = Field(description="Euros; null when the plan gives no figure.")
    cost_unit: str | None = Field(
        description="What is counted (éductour, establishment…); null for a lump sum."
    )
    for_quantity: int = Field(description="How many units the amounts are stated for.")
    staff_months: DecimalText | None = Field(
        description="Staff time the estimate covers, in months of one full-time post."
    )
    wording: str = Field(description="The plan's own words.")


class QuantityOut(Schema):
    label: str = Field(description="The cost item counted.")
    cost_unit: str | None
    quantity: int = Field(description="Units planned for the year.")
    max_quantity: int = Field(description="The most the budget planner may choose.")


class SpendOut(Schema):
    planned_low: DecimalText = Field(
        description="The planned budget if staff entered one, else the plan's low estimate for "
        "the planned quantities, euros."
    )
    planned_high: DecimalText
    planned_unknown: bool = Field(description="True when a planned item has no figure.")
    planned_entered: bool = Field(description="True when staff entered the planned budget.")
    committed: DecimalText = Field(description="committed_events + committed_entered, euros.")
    committed_events: DecimalText = Field(
        description="Budgets of the year's bureau events of the action's kind, euros."
    )
    committed_entered: DecimalText = Field(description="Other commitments entered by staff.")
    actual: DecimalText = Field(description="actual_events + actual_entered, euros.")
    actual_events: DecimalText = Field(
        description="Actual costs entered on the year's bureau events of the action's kind."
    )
    actual_entered: DecimalText = Field(description="Other spend entered by staff.")
    events: int = Field(description="Bureau events of the action's kind in the year.")
    staff_months: DecimalText = Field(description="Staff time of the planned quantities.")


class KpiOut(Schema):
    name: str
    measure: str | None = Field(
        description="The measure micedesk computes it with; null when entered by hand."
    )
    unit: str
    target: DecimalText | None
    value: DecimalText | None = Field(description="Null when there is no figure yet.")
    measured: bool = Field(description="True when computed by micedesk, false when entered.")
    source: str = Field(description="Where the figure comes from, in words, or who entered it.")


class ActionYearOut(Schema):
    id: int
    year: int
    status: ActionStatusCode  # type: ignore[valid-type]
    priority: int = Field(description="0 (not wanted) to 5 (essential), set by staff.")
    quantities: list[QuantityOut]
    spend: SpendOut
    kpis: list[KpiOut]
    notes: str


class ActionOut(Schema):
    id: int
    code: str
    objective: ObjectiveOut
    also_objectives: list[int] = Field(
        description="Numbers of other objectives whose synthesis also lists the action."
    )
    title: str
    summary: str
    timing: TimingCode  # type: ignore[valid-type]
    start_year: int | None = Field(description="For an action to start in a given year.")
    lead: str = Field(description="Who carries the action according to the plan.")
    event_kind: EventKindCode | None = Field(  # type: ignore[valid-type]
        description="Kind of bureau event whose costs are the action's spend; null if none."
    )
    returns_method: str = Field(description="How the plan says its returns are computed.")
    cost_low: DecimalText | None = Field(
        description="The plan's estimate as its synthesis states it (every item for the units "
        "it is stated for), euros; null when the plan gives no figure."
    )
    cost_high: DecimalText | None
    cost_unknown: bool = Field(description="True when an item of the estimate has no figure.")
    cost_unit: str | None = Field(description="The unit of the first per-unit item; null if none.")
    quantity: int | None = Field(
        description="Planned units of that item in the year asked (else the action's first "
        "year); null without a per-unit item or a year."
    )
    costs: list[PlanCostOut]
    kpis: list[KpiOut] = Field(description="The KPIs of the year asked (else the first year).")
    years: list[ActionYearOut]


class ActionListOut(Schema):
    plan: PlanSummaryOut
    year: int | None = Field(description="The year asked, null for every year.")
    count: int = Field(description="Number of matching actions, over all pages.")
    results: list[ActionOut]


class SynthesisPlanOut(Schema):
    code: str
    title: str
    first_year: int
    last_year: int
    source: str
    stated_min_budget: DecimalText | None = Field(description="The plan's minimal budget, euros.")
    stated_fte: DecimalText | None = Field(description="Full-time equivalents the plan states.")
    budget_wording: str


class SynthesisActionOut(Schema):
    action_id: int
    code: str
    title: str
    timing: TimingCode  # type: ignore[valid-type]
    start_year: int | None
    cost_low: DecimalText | None = Field(description="Euros; null when no cost is stated.")
    cost_high: DecimalText | None
    unknown: bool = Field(description="True when an item of the estimate has no figure.")
    shared: bool = Field(description="Listed here, but belongs to another objective.")
    costs: list[PlanCostOut]


class SynthesisObjectiveOut(Schema):
    number: int
    title: str
    start_actions: list[str] = Field(description="Titles of the actions to start in a year.")
    progressive_actions: list[str] = Field(
        description="Titles of the actions carried progressively over the plan's years."
    )
    actions: list[SynthesisActionOut]
    total_low: DecimalText
    total_high: DecimalText
    unknowns: list[str] = Field(description="Titles of the actions without a figure.")


class SynthesisOut(Schema):
    plan: SynthesisPlanOut
    objectives: list[SynthesisObjectiveOut]
    total_low: DecimalText = Field(description="Every action once (shared ones counted once).")
    total_high: DecimalText
    actions: int
    unknowns: list[str]
