"""The returns of the bureau's events: full cost, contacts met, the useful ones (met, then won a
request in the region within the window), events won, delegate-days, economic impact, ratios,
and a recommendation that says why. Computed from the CRM timeline, never declared.

Attribution, per `ReturnsSettings`: a won request of a contact met at an action counts for that
action when it was received on or after the action's first day and before that day plus the
window. When several actions met the contact before the request, the rule decides: first touch
(the earliest gets it all), last touch (the latest), shared (each 1/n). Weights are exact
fractions inside, Decimals outside. The work is batched: one query per kind of row whatever the
number of events, contacts or requests (see docs/decisions/011)."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext

from micedesk.crm.models import BureauAction, Contact, Interaction, InteractionKind
from micedesk.leads.models import QuoteRequest, RequestStatus
from micedesk.operations.models import (
    EVENT_KINDS,
    Appointment,
    AppointmentStatus,
    AttributionRule,
    BureauEvent,
    CostCategory,
    CostLine,
    EventParticipant,
    EventStatus,
    ReturnsSettings,
    SpendParameter,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
WEIGHT_PLACES = Decimal("0.0001")
# The thresholds of the recommendation (docs/decisions/011): a euro of the bureau's net cost that
# brings at least a euro of spending in the region is worth keeping; under 20 cents, once the
# window is over, it is not.
KEEP_IMPACT_PER_EURO = Decimal("1")
DROP_IMPACT_PER_EURO = Decimal("0.2")
TOUCH_KINDS = (InteractionKind.MET, InteractionKind.ATTENDED)
CHUNK = 900
CHUNK_POSTGRESQL = 20000
UNKNOWN_ORIGIN = "?"


# --- Helpers --------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later, the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _chunks(values: Iterable, size: int | None = None) -> Iterator[list]:
    """Lists of ids for `IN`, in pieces SQLite accepts; PostgreSQL takes far longer lists."""
    size = size or (CHUNK if connection.vendor == "sqlite" else CHUNK_POSTGRESQL)
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _money(value: Fraction | Decimal | int) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _weight(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        WEIGHT_PLACES, rounding=ROUND_HALF_UP
    )


def _ratio(numerator: Decimal | Fraction, divisor: Decimal | Fraction) -> Decimal | None:
    if not divisor or divisor <= 0:
        return None
    return _money(Fraction(numerator) / Fraction(divisor))


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def returns_settings() -> ReturnsSettings:
    """The settings row, or the defaults (36 months, first touch, 3 contacts) before it exists."""
    return ReturnsSettings.objects.filter(pk=1).first() or ReturnsSettings(pk=1)


# --- Costs ----------------------------------------------------------------------------------


@dataclass
class CategoryCost:
    category: str
    label: str
    budget: Decimal = ZERO
    actual: Decimal = ZERO


@dataclass
class CostSummary:
    """Budget and actual of the lines; staff time (hours × rate) is part of both. The full cost
    takes each line's actual where entered, its budget otherwise; the net cost is the full cost
    less the participants' contributions: what the bureau paid."""

    budget: Decimal = ZERO
    actual: Decimal = ZERO
    staff_time: Decimal = ZERO
    contributions: Decimal = ZERO
    full_cost: Decimal = ZERO
    net_cost: Decimal = ZERO
    actual_complete: bool = True
    lines: int = 0
    by_category: list[CategoryCost] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "budget": str(self.budget),
            "actual": str(self.actual),
            "staff_time": str(self.staff_time),
            "contributions": str(self.contributions),
            "full_cost": str(self.full_cost),
            "net_cost": str(self.net_cost),
            "actual_complete": self.actual_complete,
            "by_category": [
                {
                    "category": row.category,
                    "label": row.label,
                    "budget": str(row.budget),
                    "actual": str(row.actual),
                }
                for row in self.by_category
            ],
        }


def _cost_summaries(event_ids: list[int]) -> dict[int, CostSummary]:
    summaries = {pk: CostSummary() for pk in event_ids}
    categories: dict[int, dict[str, CategoryCost]] = defaultdict(dict)
    labels = dict(CostCategory.choices)
    for chunk in _chunks(event_ids):
        rows = CostLine.objects.filter(event_id__in=chunk).values_list(
            "event_id", "category", "budget", "actual", "hours", "hourly_rate"
        )
        for event_id, category, budget, actual, hours, rate in rows.order_by("pk"):
            summary = summaries[event_id]
            summary.lines += 1
            summary.budget += budget
            summary.full_cost += budget if actual is None else actual
            if actual is None:
                summary.actual_complete = False
            else:
                summary.actual += actual
            if hours is not None and rate is not None:
                summary.staff_time += (hours * rate).quantize(CENT)
            row = categories[event_id].setdefault(
                category, CategoryCost(category, str(labels.get(category, category)))
            )
            row.budget += budget
            row.actual += actual or ZERO
        shares = (
            EventParticipant.objects.filter(event_id__in=chunk)
            .values("event_id")
            .annotate(total=Sum("cost_share"))
            .values_list("event_id", "total")
        )
        for event_id, total in shares:
            summaries[event_id].contributions = total or ZERO
    for event_id, summary in summaries.items():
        summary.net_cost = summary.full_cost - summary.contributions
        summary.by_category = sorted(categories[event_id].values(), key=lambda r: r.category)
    return summaries


def cost_summary(*, event: BureauEvent) -> CostSummary:
    return _cost_summaries([event.pk])[event.pk]


def cost_summaries(*, event_ids: list[int]) -> dict[int, CostSummary]:
    """The cost summary of each event, in a fixed number of queries."""
    return _cost_summaries(list(event_ids))


# --- Attribution ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    pk: int
    created_at: datetime.datetime
    day: datetime.date
    kind: str
    participants: int
    days: int
    budget: Decimal | None

    @property
    def delegate_days(self) -> int:
        return self.participants * self.days


@dataclass
class _Attribution:
    """What the batch computed: contacts met per event, weights per request and action."""

    met: dict[int, set[int]]
    requests: dict[int, _Request]
    request_contacts: dict[int, set[int]]
    weights: dict[int, dict[int, Fraction]]


def _won_requests(as_of: datetime.date):
    limit = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )
    return QuoteRequest.objects.filter(
        status=RequestStatus.WON,
        won_by__isnull=False,
        won_by__commune__department__region_id=settings.MICEDESK_REGION_CODE,
        created_at__lt=limit,
    )


def _contacts_met(events: list[BureauEvent]) -> dict[int, set[int]]:
    by_action = {event.action_id: event.pk for event in events}
    met: dict[int, set[int]] = {event.pk: set() for event in events}
    for chunk in _chunks(by_action):
        touches = Interaction.objects.filter(action_id__in=chunk, kind__in=TOUCH_KINDS)
        pairs = touches.order_by().values_list("contact_id", "action_id").distinct()
        for contact_id, action_id in pairs:
            met[by_action[action_id]].add(contact_id)
    for chunk in _chunks(met):
        held = Appointment.objects.filter(event_id__in=chunk, status=AppointmentStatus.HELD)
        for event_id, contact_id in held.values_list("event_id", "contact_id"):
            met[event_id].add(contact_id)
    # A campaign "meets" the planners who sent a request from its pages on the portal.
    slugs = {event.campaign_slug: event.pk for event in events if event.campaign_slug}
    if slugs:
        sent = Interaction.objects.filter(
            kind=InteractionKind.QUOTE_REQUEST, quote_request__campaign__in=list(slugs)
        ).values_list("contact_id", "quote_request__campaign")
        for contact_id, slug in sent:
            met[slugs[slug]].add(contact_id)
    return met


def _links(contact_ids: set[int], won: dict[int, str]) -> dict[int, set[int]]:
    """Request id → its planners, for the candidate requests (`won`: id → e-mail) one of whose
    planners is in `contact_ids`: through the CRM's QUOTE_REQUEST items, and the contact with
    the request's e-mail as a fallback. Read from the requests' side: they are far fewer than
    the contacts met, and both lookups use an index (the item's request, lower(e-mail))."""
    links: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(won):
        items = Interaction.objects.filter(
            quote_request_id__in=chunk, kind=InteractionKind.QUOTE_REQUEST
        ).values_list("quote_request_id", "contact_id")
        for request_id, contact_id in items:
            links[request_id].add(contact_id)
    by_email: dict[str, set[int]] = defaultdict(set)
    for request_id, email in won.items():
        by_email[email.lower()].add(request_id)
    for chunk in _chunks(by_email):
        # `email != ''` lets the engine use the partial unique index on lower(email).
        contacts = (
            Contact.objects.exclude(email="")
            .alias(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
        )
        for pk, email in contacts.values_list("pk", "email"):
            for request_id in by_email[email.lower()]:
                links[request_id].add(pk)
    return {
        request_id: planners
        for request_id, planners in links.items()
        if not planners.isdisjoint(contact_ids)
    }


def _load_requests(request_ids: Iterable[int]) -> dict[int, _Request]:
    requests = {}
    for chunk in _chunks(request_ids):
        rows = QuoteRequest.objects.filter(pk__in=chunk).values_list(
            "pk",
            "created_at",
            "event_kind",
            "participants",
            "outcome_participants",
            "days",
            "outcome_days",
            "outcome_budget",
        )
        for pk, created_at, kind, people, final_people, days, final_days, budget in rows:
            requests[pk] = _Request(
                pk=pk,
                created_at=created_at,
                day=_local_day(created_at),
                kind=kind,
                participants=final_people or people,
                days=final_days or days,
                budget=budget,
            )
    return requests


def _touches(contact_ids: set[int]) -> dict[int, dict[int, datetime.date]]:
    """Contact → action → the day the action met them: the action's first day, or the touch's
    day for an action without dates. Any action, any kind: the rule weighs them all."""
    raw: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    for chunk in _chunks(contact_ids):
        items = Interaction.objects.filter(
            contact_id__in=chunk, kind__in=TOUCH_KINDS, action__isnull=False
        ).values_list("contact_id", "action_id", "occurred_at")
        for contact_id, action_id, at in items:
            known = raw[contact_id].get(action_id)
            raw[contact_id][action_id] = at if known is None else min(known, at)
        held = Appointment.objects.filter(
            contact_id__in=chunk, status=AppointmentStatus.HELD
        ).values_list("contact_id", "event__action_id", "event__starts_on")
        for contact_id, action_id, starts_on in held:
            at = timezone.make_aware(datetime.datetime.combine(starts_on, datetime.time(9)))
            known = raw[contact_id].get(action_id)
            raw[contact_id][action_id] = at if known is None else min(known, at)
    action_ids = {action for actions in raw.values() for action in actions}
    starts: dict[int, datetime.date | None] = {}
    for chunk in _chunks(action_ids):
        starts.update(BureauAction.objects.filter(pk__in=chunk).values_list("pk", "starts_on"))
    days: dict[int, dict[int, datetime.date]] = {
        contact_id: {
            action_id: starts.get(action_id) or _local_day(at) for action_id, at in actions.items()
        }
        for contact_id, actions in raw.items()
    }
    _campaign_touches(contact_ids, days)
    return days


def _campaign_touches(contact_ids: set[int], days: dict[int, dict[int, datetime.date]]) -> None:
    """A request sent from a campaign's page is a touch of that campaign on the day it came."""
    sent: list[tuple[int, str, datetime.datetime]] = []
    for chunk in _chunks(contact_ids):
        sent += (
            Interaction.objects.filter(contact_id__in=chunk, kind=InteractionKind.QUOTE_REQUEST)
            .exclude(quote_request__campaign="")
            .values_list("contact_id", "quote_request__campaign", "quote_request__created_at")
        )
    if not sent:
        return
    actions = dict(
        BureauEvent.objects.filter(campaign_slug__in={slug for _c, slug, _at in sent}).values_list(
            "campaign_slug", "action_id"
        )
    )
    for contact_id, slug, at in sent:
        if slug in actions:
            mine = days.setdefault(contact_id, {})
            day = _local_day(at)
            mine[actions[slug]] = min(day, mine.get(actions[slug], day))


def rule_weights(
    touches: dict[int, datetime.date],
    request_day: datetime.date,
    *,
    rule: str,
    window_months: int,
) -> dict[int, Fraction]:
    """Action → share of one request, from the days the actions met its planner. An action
    counts when the request came on or after its day and before its day plus the window."""
    eligible = sorted(
        (day, action)
        for action, day in touches.items()
        if day <= request_day < add_months(day, window_months)
    )
    if not eligible:
        return {}
    if rule == AttributionRule.LAST_TOUCH:
        return {eligible[-1][1]: Fraction(1)}
    if rule == AttributionRule.SHARED:
        return {action: Fraction(1, len(eligible)) for _day, action in eligible}
    return {eligible[0][1]: Fraction(1)}


def _attribute(
    events: list[BureauEvent], *, as_of: datetime.date, config: ReturnsSettings
) -> _Attribution:
    met = _contacts_met(events)
    everyone = set().union(*met.values()) if met else set()
    if not everyone:
        return _Attribution(met, {}, {}, {})
    # Only requests received from the earliest event's first day can count for these events.
    first_day = min(event.starts_on for event in events)
    since = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    won = dict(_won_requests(as_of).filter(created_at__gte=since).values_list("pk", "email"))
    # All the planners of these requests: the touches of each count for the rule.
    links = _links(everyone, won)
    requests = _load_requests(links)
    touches = _touches(set().union(*links.values()) if links else set())
    weights: dict[int, dict[int, Fraction]] = {}
    for request_id, request in requests.items():
        merged: dict[int, datetime.date] = {}
        for contact_id in links[request_id]:
            for action_id, day in touches.get(contact_id, {}).items():
                merged[action_id] = min(day, merged.get(action_id, day))
        weights[request_id] = rule_weights(
            merged, request.day, rule=config.rule, window_months=config.window_months
        )
    return _Attribution(met, requests, links, weights)


# --- Economic impact ------------------------------------------------------------------------


class _Spend:
    """Spend per delegate-day for a request's kind and year: that kind and year, else the default
    of that year, else the nearest earlier year (kind first, then default)."""

    def __init__(self) -> None:
        self.rows = {(p.event_kind, p.year): p for p in SpendParameter.objects.all()}
        self.cache: dict[tuple[str, int], SpendParameter | None] = {}

    def _earlier(self, kind: str, year: int) -> SpendParameter | None:
        years = [y for (k, y) in self.rows if k == kind and y < year]
        return self.rows[(kind, max(years))] if years else None

    def find(self, kind: str, year: int) -> SpendParameter | None:
        key = (kind, year)
        if key not in self.cache:
            self.cache[key] = (
                self.rows.get((kind, year))
                or self.rows.get(("", year))
                or self._earlier(kind, year)
                or self._earlier("", year)
            )
        return self.cache[key]


# --- Results --------------------------------------------------------------------------------


@dataclass
class UsefulContact:
    contact: Contact
    weight: Decimal
    requests: list[QuoteRequest]


@dataclass
class Recommendation:
    code: str  # keep, review, drop, too_early
    reasons: list[str]

    @property
    def label(self) -> str:
        return {
            "keep": gettext("Keep"),
            "review": gettext("Review"),
            "drop": gettext("Drop"),
            "too_early": gettext("Too early to say"),
        }[self.code]


@dataclass
class EventReturns:
    event: BureauEvent
    cost: CostSummary
    rule: str
    window_months: int
    window_ends_on: datetime.date
    window_over: bool
    contacts_met: int
    useful_contacts: Decimal
    useful: list[UsefulContact]
    events_won: Decimal
    won_requests: list[tuple[QuoteRequest, Decimal]]
    participants: int
    delegate_days: Decimal
    budget_total: Decimal
    by_kind: dict[str, Decimal]
    by_origin: dict[str, Decimal]
    economic_impact: Decimal
    spend_parameter: SpendParameter | None
    cost_per_useful_contact: Decimal | None
    cost_per_event_won: Decimal | None
    cost_per_delegate_day: Decimal | None
    impact_per_euro: Decimal | None
    recommendation: Recommendation
    too_small: bool
    missing_spend: int = 0

    def as_json(self) -> dict:
        """JSON-able; Decimals as strings (None stays null)."""
        return {
            "event": {
                "id": self.event.pk,
                "name": self.event.name,
                "kind": self.event.kind,
                "starts_on": self.event.starts_on.isoformat(),
                "ends_on": self.event.ends_on.isoformat(),
                "status": self.event.status,
            },
            "cost": self.cost.as_json(),
            "rule": self.rule,
            "window_months": self.window_months,
            "window_ends_on": self.window_ends_on.isoformat(),
            "window_over": self.window_over,
            "contacts_met": self.contacts_met,
            "useful_contacts": str(self.useful_contacts),
            "events_won": str(self.events_won),
            "participants": self.participants,
            "delegate_days": str(self.delegate_days),
            "budget_total": str(self.budget_total),
            "by_kind": {key: str(value) for key, value in self.by_kind.items()},
            "by_origin": {key: str(value) for key, value in self.by_origin.items()},
            "economic_impact": str(self.economic_impact),
            "spend_per_delegate_day": (
                str(self.spend_parameter.spend_per_delegate_day) if self.spend_parameter else None
            ),
            "cost_per_useful_contact": _text(self.cost_per_useful_contact),
            "cost_per_event_won": _text(self.cost_per_event_won),
            "cost_per_delegate_day": _text(self.cost_per_delegate_day),
            "impact_per_euro": _text(self.impact_per_euro),
            "recommendation": {
                "code": self.recommendation.code,
                "reasons": [str(reason) for reason in self.recommendation.reasons],
            },
            "too_small": self.too_small,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _origin(contact: Contact) -> str:
    if contact.department_code and contact.country in ("", "FR"):
        return contact.department_code
    return contact.country or contact.department_code or UNKNOWN_ORIGIN


def recommend(
    *,
    event: BureauEvent,
    as_of: datetime.date,
    useful: Decimal,
    impact_per_euro: Decimal | None,
    net_cost: Decimal,
    window_ends_on: datetime.date,
    config: ReturnsSettings,
) -> Recommendation:
    """Keep, review, drop or too early, with the reasons in words and the thresholds named."""
    if event.starts_on > as_of:
        return Recommendation("too_early", [gettext("The event has not taken place yet.")])
    window_over = as_of >= window_ends_on
    if useful < config.min_useful_contacts and not window_over:
        return Recommendation(
            "too_early",
            [
                gettext(
                    "Figures too small to conclude: %(useful)s useful contacts, fewer than "
                    "%(minimum)s, and the attribution window runs until %(end)s."
                )
                % {
                    "useful": formats.number_format(useful.normalize()),
                    "minimum": config.min_useful_contacts,
                    "end": formats.date_format(window_ends_on, "DATE_FORMAT"),
                }
            ],
        )
    if useful > 0 and net_cost <= 0:
        return Recommendation(
            "keep", [gettext("It brought useful contacts at no net cost to the bureau.")]
        )
    ratio = impact_per_euro if impact_per_euro is not None else ZERO
    sentence = gettext(
        "Each euro of net cost brought %(ratio)s € of spending in the region "
        "(keep from %(keep)s €, drop under %(drop)s € once the window is over)."
    ) % {
        "ratio": formats.number_format(ratio, decimal_pos=2),
        "keep": formats.number_format(KEEP_IMPACT_PER_EURO, decimal_pos=2),
        "drop": formats.number_format(DROP_IMPACT_PER_EURO, decimal_pos=2),
    }
    if ratio >= KEEP_IMPACT_PER_EURO:
        return Recommendation("keep", [sentence])
    if window_over and useful == 0:
        return Recommendation(
            "drop",
            [
                gettext("The attribution window ended on %(end)s and no useful contact came.")
                % {"end": formats.date_format(window_ends_on, "DATE_FORMAT")}
            ],
        )
    if window_over and ratio < DROP_IMPACT_PER_EURO:
        return Recommendation("drop", [sentence])
    reasons = [sentence]
    if not window_over:
        reasons.append(
            gettext("Requests may still come until %(end)s.")
            % {"end": formats.date_format(window_ends_on, "DATE_FORMAT")}
        )
    return Recommendation("review", reasons)


def _event_returns(
    event: BureauEvent,
    *,
    cost: CostSummary,
    found: _Attribution,
    contacts: dict[int, Contact],
    request_rows: dict[int, QuoteRequest],
    spend: _Spend,
    as_of: datetime.date,
    config: ReturnsSettings,
) -> EventReturns:
    met = found.met.get(event.pk, set())
    useful_weights: dict[int, Fraction] = {}
    useful_requests: dict[int, list[QuoteRequest]] = defaultdict(list)
    won: list[tuple[QuoteRequest, Decimal]] = []
    events_won = delegate_days = impact = budget_total = Fraction(0)
    participants = 0
    by_kind: dict[str, Fraction] = defaultdict(Fraction)
    by_origin: dict[str, Fraction] = defaultdict(Fraction)
    missing_spend = 0
    for request_id, shares in found.weights.items():
        weight = shares.get(event.action_id)
        if not weight:
            continue
        request = found.requests[request_id]
        mine = sorted(found.request_contacts[request_id] & met)
        if not mine:
            continue
        for contact_id in mine:
            useful_weights[contact_id] = max(weight, useful_weights.get(contact_id, Fraction(0)))
            useful_requests[contact_id].append(request_rows[request_id])
        won.append((request_rows[request_id], _weight(weight)))
        events_won += weight
        delegate_days += weight * request.delegate_days
        participants += request.participants
        budget_total += weight * Fraction(request.budget or 0)
        by_kind[request.kind] += weight
        by_origin[_origin(contacts[mine[0]])] += weight
        parameter = spend.find(request.kind, request.day.year)
        if parameter is None:
            missing_spend += 1
        else:
            impact += weight * request.delegate_days * Fraction(parameter.spend_per_delegate_day)
    useful_total = _money(sum(useful_weights.values(), Fraction(0)))
    impact_total = _money(impact)
    net = cost.net_cost
    window_ends_on = add_months(event.starts_on, config.window_months)
    ipe = _ratio(impact_total, net)
    return EventReturns(
        event=event,
        cost=cost,
        rule=config.rule,
        window_months=config.window_months,
        window_ends_on=window_ends_on,
        window_over=as_of >= window_ends_on,
        contacts_met=len(met),
        useful_contacts=useful_total,
        useful=[
            UsefulContact(contacts[pk], _weight(useful_weights[pk]), useful_requests[pk])
            for pk in sorted(useful_weights, key=lambda pk: contacts[pk].last_name)
        ],
        events_won=_money(events_won),
        won_requests=sorted(won, key=lambda row: row[0].created_at),
        participants=participants,
        delegate_days=_money(delegate_days),
        budget_total=_money(budget_total),
        by_kind={kind: _money(value) for kind, value in sorted(by_kind.items())},
        by_origin={origin: _money(value) for origin, value in sorted(by_origin.items())},
        economic_impact=impact_total,
        spend_parameter=spend.find("", event.starts_on.year),
        cost_per_useful_contact=_ratio(net, useful_total),
        cost_per_event_won=_ratio(net, _money(events_won)),
        cost_per_delegate_day=_ratio(net, _money(delegate_days)),
        impact_per_euro=ipe,
        recommendation=recommend(
            event=event,
            as_of=as_of,
            useful=useful_total,
            impact_per_euro=ipe,
            net_cost=net,
            window_ends_on=window_ends_on,
            config=config,
        ),
        too_small=useful_total < config.min_useful_contacts,
        missing_spend=missing_spend,
    )


def returns_for_events(
    events: list[BureauEvent], *, as_of: datetime.date | None = None
) -> list[EventReturns]:
    """The returns of several events, computed in one batch (a fixed number of queries)."""
    as_of = as_of or timezone.localdate()
    config = returns_settings()
    events = list(events)
    if not events:
        return []
    costs = _cost_summaries([event.pk for event in events])
    found = _attribute(events, as_of=as_of, config=config)
    useful_ids = {
        contact_id
        for request_id, shares in found.weights.items()
        if shares
        for contact_id in found.request_contacts[request_id]
    }
    contacts: dict[int, Contact] = {}
    for chunk in _chunks(useful_ids):
        contacts.update((c.pk, c) for c in Contact.objects.filter(pk__in=chunk))
    request_rows: dict[int, QuoteRequest] = {}
    wanted = [pk for pk, shares in found.weights.items() if shares]
    for chunk in _chunks(wanted):
        request_rows.update(
            (r.pk, r) for r in QuoteRequest.objects.filter(pk__in=chunk).select_related("won_by")
        )
    spend = _Spend()
    return [
        _event_returns(
            event,
            cost=costs[event.pk],
            found=found,
            contacts=contacts,
            request_rows=request_rows,
            spend=spend,
            as_of=as_of,
            config=config,
        )
        for event in events
    ]


def event_returns(*, event: BureauEvent, as_of: datetime.date | None = None) -> EventReturns:
    return returns_for_events([event], as_of=as_of)[0]


# --- The year -------------------------------------------------------------------------------


@dataclass
class Totals:
    events: int = 0
    budget: Decimal = ZERO
    full_cost: Decimal = ZERO
    net_cost: Decimal = ZERO
    contributions: Decimal = ZERO
    contacts_met: int = 0
    useful_contacts: Decimal = ZERO
    events_won: Decimal = ZERO
    delegate_days: Decimal = ZERO
    economic_impact: Decimal = ZERO

    def add(self, item: EventReturns) -> None:
        self.events += 1
        self.budget += item.cost.budget
        self.full_cost += item.cost.full_cost
        self.net_cost += item.cost.net_cost
        self.contributions += item.cost.contributions
        self.contacts_met += item.contacts_met
        self.useful_contacts += item.useful_contacts
        self.events_won += item.events_won
        self.delegate_days += item.delegate_days
        self.economic_impact += item.economic_impact

    @property
    def cost_per_useful_contact(self) -> Decimal | None:
        return _ratio(self.net_cost, self.useful_contacts)

    @property
    def cost_per_event_won(self) -> Decimal | None:
        return _ratio(self.net_cost, self.events_won)

    @property
    def cost_per_delegate_day(self) -> Decimal | None:
        return _ratio(self.net_cost, self.delegate_days)

    @property
    def impact_per_euro(self) -> Decimal | None:
        return _ratio(self.economic_impact, self.net_cost)

    def as_json(self) -> dict:
        values: dict[str, Any] = {
            name: str(getattr(self, name))
            for name in (
                "budget",
                "full_cost",
                "net_cost",
                "contributions",
                "useful_contacts",
                "events_won",
                "delegate_days",
                "economic_impact",
            )
        }
        values["events"] = self.events
        values["contacts_met"] = self.contacts_met
        for name in (
            "cost_per_useful_contact",
            "cost_per_event_won",
            "cost_per_delegate_day",
            "impact_per_euro",
        ):
            values[name] = _text(getattr(self, name))
        return values


@dataclass
class KindReturns:
    kind: str
    label: str
    totals: Totals


@dataclass
class YearReturns:
    year: int
    as_of: datetime.date
    events: list[EventReturns]
    totals: Totals
    by_kind: list[KindReturns]
    previous: Totals
    ranking: list[EventReturns]

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "totals": self.totals.as_json(),
            "previous": self.previous.as_json(),
            "by_kind": [
                {"kind": row.kind, "label": row.label, **row.totals.as_json()}
                for row in self.by_kind
            ],
            "ranking": [item.as_json() for item in self.ranking],
        }


def year_events(year: int):
    return (
        BureauEvent.objects.filter(starts_on__year=year)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("action", "commune")
        .order_by("starts_on", "pk")
    )


def _rank_key(item: EventReturns) -> tuple:
    ipe = item.impact_per_euro
    return (ipe is None, -(ipe or ZERO), -item.useful_contacts, item.event.starts_on)


def year_returns(*, year: int, as_of: datetime.date | None = None) -> YearReturns:
    """Every event of the year (cancelled ones aside), totals, totals by kind, last year's totals
    for comparison, and the ranking by impact per euro with each recommendation."""
    as_of = as_of or timezone.localdate()
    items = returns_for_events(list(year_events(year)), as_of=as_of)
    totals = Totals()
    kinds: dict[str, Totals] = {}
    for item in items:
        totals.add(item)
        kinds.setdefault(item.event.kind, Totals()).add(item)
    previous = Totals()
    for item in returns_for_events(list(year_events(year - 1)), as_of=as_of):
        previous.add(item)
    labels = dict(EVENT_KINDS)
    by_kind = [
        KindReturns(kind, str(labels.get(kind, kind)), kinds[kind])
        for kind, _label in EVENT_KINDS
        if kind in kinds
    ]
    return YearReturns(
        year=year,
        as_of=as_of,
        events=items,
        totals=totals,
        by_kind=by_kind,
        previous=previous,
        ranking=sorted(items, key=_rank_key),
    )
