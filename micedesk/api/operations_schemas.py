"""Typed shapes of the events API: the bureau's events and their computed returns (staff)."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from micedesk.api.schemas import PAGE_MAX, CommuneOut
from micedesk.directory.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from micedesk.operations.models import (
    EVENT_KINDS,
    AttributionRule,
    CostCategory,
    EventStatus,
)

# Years a bureau event may be looked up by: wide enough for any plan, narrow enough to be a year.
YEAR_MIN = 2000
YEAR_MAX = 2100


def _codes(name: str, codes: list[str]) -> type[StrEnum]:
    """A string enum of codes, so that the OpenAPI document lists every accepted value."""
    return StrEnum(name, [(code, code) for code in codes])


EventKindCode = _codes("BureauEventKindCode", [code for code, _label in EVENT_KINDS])
EventStatusCode = _codes("BureauEventStatusCode", list(EventStatus.values))
CostCategoryCode = _codes("CostCategoryCode", list(CostCategory.values))
AttributionRuleCode = _codes("AttributionRuleCode", list(AttributionRule.values))
RecommendationCode = _codes("RecommendationCode", ["keep", "review", "drop", "too_early"])

# Amounts and counts that may be fractional (shared attribution) or negative (a net cost below
# zero when partners paid more than the event cost): exact decimals, as strings.
SignedDecimal = Annotated[str, StringConstraints(pattern=r"^-?[0-9]+(?:\.[0-9]+)?$")]


class EventFilters(Schema):
    year: int | None = Field(
        None, ge=YEAR_MIN, le=YEAR_MAX, description="Year the event starts in.", examples=[2026]
    )
    kind: EventKindCode | None = Field(  # type: ignore[valid-type]
        None, description="Kind of bureau event."
    )
    status: EventStatusCode | None = Field(  # type: ignore[valid-type]
        None, description="Where the event stands: planned, confirmed, held, closed, cancelled."
    )
    page: int = Field(1, ge=1, le=PAGE_MAX, description="Page number, from 1.")
    page_size: int = Field(
        PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Events per page."
    )


class OrganiserOut(Schema):
    id: int
    name: str


class EventOut(Schema):
    id: int
    name: str
    kind: EventKindCode  # type: ignore[valid-type]
    status: EventStatusCode  # type: ignore[valid-type]
    starts_on: datetime.date
    ends_on: datetime.date
    place: str
    commune: CommuneOut | None
    department: str = Field(description="INSEE code of the department; empty when none applies.")
    country: str = Field(description="ISO 3166 code of the country.")
    online: bool
    theme: str
    organiser_partner: OrganiserOut | None = Field(
        description="The institutional partner organising it; null when the bureau does."
    )
    campaign_slug: str | None = Field(description="The campaign's page on the portal, if any.")
    returns_url: str = Field(description="The event's returns in this API.")


class EventListOut(Schema):
    count: int = Field(description="Number of matching events, over all pages.")
    results: list[EventOut]


class CostCategoryOut(Schema):
    category: CostCategoryCode  # type: ignore[valid-type]
    label: str = Field(description="Name of the category in the caller's language.")
    budget: SignedDecimal
    actual: SignedDecimal


class CostOut(Schema):
    budget: SignedDecimal = Field(description="Budgeted cost, euros.")
    actual: SignedDecimal = Field(description="Sum of the actuals entered so far, euros.")
    actual_complete: bool = Field(description="False while some line has no actual yet.")
    staff_time: SignedDecimal = Field(description="Staff time (hours × hourly rate), euros.")
    full_cost: SignedDecimal = Field(
        description="Each line's actual where entered, its budget otherwise, euros."
    )
    contributions: SignedDecimal = Field(description="Participants' contributions, euros.")
    net_cost: SignedDecimal = Field(
        description="Full cost less the contributions: what the bureau paid, euros. The ratios "
        "divide this."
    )
    by_category: list[CostCategoryOut]


class WonRequestOut(Schema):
    id: int = Field(description="The quote request (`/api/v1/quote-requests/{id}`).")
    reference: str
    weight: SignedDecimal = Field(
        description="Share of the request counted for this event: 1, or 1/n under the shared rule."
    )


class SpendParameterOut(Schema):
    year: int
    event_kind: str = Field(description="Kind of event held it applies to; empty for the default.")
    spend_per_delegate_day: SignedDecimal
    source: str


class RatiosOut(Schema):
    cost_per_useful_contact: SignedDecimal | None = Field(
        description="Null when no useful contact."
    )
    cost_per_event_won: SignedDecimal | None = Field(description="Null when no event won.")
    cost_per_delegate_day: SignedDecimal | None = Field(description="Null without delegate-days.")
    impact_per_euro: SignedDecimal | None = Field(description="Null when the event cost nothing.")


class RecommendationOut(Schema):
    code: RecommendationCode  # type: ignore[valid-type]
    reasons: list[str] = Field(description="Why, in the caller's language.")


class EventReturnsOut(Schema):
    event: EventOut
    rule: AttributionRuleCode = Field(  # type: ignore[valid-type]
        description="How a request is shared among the actions that met its contact."
    )
    window_months: int = Field(description="Months after the event a won request still counts.")
    window_ends_on: datetime.date = Field(description="The day the attribution window ends.")
    window_over: bool = Field(description="True once no later request can count any more.")
    cost: CostOut
    contacts_met: int = Field(description="Contacts met or attending, each counted once.")
    useful_contacts: SignedDecimal = Field(
        description="Contacts met whose later request was won in the region (fractional when shared)."
    )
    events_won: SignedDecimal
    won_requests: list[WonRequestOut]
    participants: SignedDecimal = Field(description="Participants of the events won.")
    delegate_days: SignedDecimal = Field(description="Participants × days of the events won.")
    budget_total: SignedDecimal = Field(description="Declared budgets of the events won, euros.")
    by_kind: dict[str, SignedDecimal] = Field(description="Events won per kind of event held.")
    by_origin: dict[str, SignedDecimal] = Field(
        description="Events won per origin of the contact (department code, or country code)."
    )
    economic_impact: SignedDecimal = Field(description="Delegate-days × spend per delegate-day.")
    spend_parameter: SpendParameterOut | None
    ratios: RatiosOut
    recommendation: RecommendationOut
    too_small: bool = Field(description="True when the figures are too small to conclude from.")
