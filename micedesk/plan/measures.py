"""The measures an indicator of the action plan may name: figures micedesk computes for a year
from its own data (quote requests, qualification, CRM, the bureau's events and their returns),
so that a KPI is measured rather than declared, and says where its figure comes from.

`compute` takes every key a screen needs at once and reads each source once: one query per
family of figures, and the returns of the year's events in one batch (`returns_for_events`).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Avg, Count, Exists, Min, OuterRef, Q, Subquery, Sum
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from micedesk.crm.models import Contact
from micedesk.directory.models import Supplier
from micedesk.leads.figures import NOT_QUALIFIED, period_bounds
from micedesk.leads.models import Dispatch, QuoteRequest, RequestStatus
from micedesk.operations.models import (
    EVENT_KINDS,
    BureauEvent,
    CampaignVisit,
    EventParticipant,
    PartnerSurvey,
)
from micedesk.operations.returns import Totals, returns_for_events, year_events
from micedesk.qualification.models import Evaluation, EvaluationStatus

ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    key: str
    label: str | Promise
    unit: str  # a symbol, the same in every language; empty for a count
    source: str | Promise  # what the figure is read from, and what is left out


@dataclass
class MeasuredValue:
    value: Decimal | None  # None when there is nothing to divide (no request routed...)
    detail: str  # where the figure comes from, with the counts behind it


# --- The registry ---------------------------------------------------------------------------

_SIMPLE = [
    Measure(
        "requests.received",
        _("Quote requests received"),
        "",
        _(
            "Quote requests received in the year, whatever the channel; suspected spam, requests "
            "rejected as spam and duplicates are left out."
        ),
    ),
    Measure(
        "requests.routed",
        _("Quote requests routed to suppliers"),
        "",
        _(
            "Quote requests first sent to at least one supplier in the year (directly or "
            "forwarded by a partner); spam and duplicates are left out."
        ),
    ),
    Measure(
        "requests.conversion",
        _("Conversion of routed requests"),
        "%",
        _(
            "Of the requests first routed to suppliers in the year, the share won by one of the "
            "suppliers they were sent to. A request whose outcome is not declared yet counts as "
            "not won."
        ),
    ),
    Measure(
        "suppliers.qualified",
        _("Qualified suppliers"),
        "",
        _(
            "Suppliers whose latest evaluation published by the end of the year (or today, for "
            "the current year) gives a level and is still valid on that day."
        ),
    ),
    Measure(
        "evaluations.published",
        _("Evaluations published"),
        "",
        _("Evaluations of suppliers against the qualification grids published in the year."),
    ),
    Measure(
        "crm.contacts_sourced",
        _("Contacts whose origin is known"),
        "%",
        _(
            "Of the CRM contacts present at the end of the year (anonymised or erased ones left "
            "out), the share whose first bureau action (trade show, workshop, campaign…) is known."
        ),
    ),
    Measure(
        "crm.contacts_added",
        _("Contacts added to the CRM"),
        "",
        _("Contacts created in the CRM in the year, including those anonymised since."),
    ),
    Measure(
        "campaigns.visits",
        _("Visits to campaign pages"),
        "",
        _("Visits counted on the portal pages of the bureau's campaigns in the year."),
    ),
    Measure(
        "campaigns.requests",
        _("Quote requests from campaigns"),
        "",
        _(
            "Quote requests received in the year from a campaign's pages; spam and duplicates "
            "are left out."
        ),
    ),
]

# figure → (label, unit, source); the source names the kind of event in its text.
_EVENT_FIGURES: dict[str, tuple[Promise, str, Promise]] = {
    "held": (
        _("events held"),
        "",
        _(
            "Events of this kind started in the year by the day of the figure, cancelled ones aside."
        ),
    ),
    "participants": (
        _("participants"),
        "",
        _(
            "Suppliers and partners taking part (co-exhibitors, exhibitors, presenters, hosts, "
            "venues visited) in the events of this kind held in the year."
        ),
    ),
    "useful_contacts": (
        _("useful contacts"),
        "",
        _(
            "Contacts met at the year's events of this kind whose later request was won in the "
            "region, as the returns dashboard attributes them."
        ),
    ),
    "events_won": (
        _("events won"),
        "",
        _("Requests won in the region attributed to the year's events of this kind."),
    ),
    "impact_per_euro": (
        _("impact per euro"),
        "€/€",
        _(
            "Economic impact of the events won ÷ the net cost of the year's events of this kind "
            "(returns dashboard)."
        ),
    ),
    "cost_per_useful_contact": (
        _("cost per useful contact"),
        "€",
        _(
            "Net cost of the year's events of this kind ÷ their useful contacts (returns dashboard)."
        ),
    ),
    "survey_score": (
        _("partner satisfaction"),
        "/10",
        _("Mean score (0–10) of the answered partner surveys of the year's events of this kind."),
    ),
}
RETURNS_FIGURES = ("useful_contacts", "events_won", "impact_per_euro", "cost_per_useful_contact")


def _event_measures() -> list[Measure]:
    measures = []
    for kind, kind_label in EVENT_KINDS:
        for figure, (label, unit, source) in _EVENT_FIGURES.items():
            measures.append(
                Measure(
                    f"events.{kind}.{figure}",
                    format_lazy("{}: {}", kind_label, label),
                    unit,
                    format_lazy("{} ({})", source, kind_label),
                )
            )
    return measures


MEASURES: dict[str, Measure] = {m.key: m for m in [*_SIMPLE, *_event_measures()]}


def describe(key: str) -> str:
    """What the measure reads, for a screen that shows a KPI's source."""
    measure = MEASURES.get(key)
    return str(measure.source) if measure else gettext("unknown measure")


def choices() -> list[tuple[str, str]]:
    """The choices of a KPI's measure in a form: entered by hand first, then every measure."""
    return [("", _("entered by hand")), *((m.key, m.label) for m in MEASURES.values())]


# --- Computing ------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _number(value: Decimal | int) -> str:
    """A figure as the reader's language writes it; a whole count without decimals."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


class _Year:
    """The period a figure covers, and each source read once (cached) for the keys asked."""

    def __init__(self, year: int, as_of: datetime.date) -> None:
        self.year = year
        self.as_of = as_of
        self.first = datetime.date(year, 1, 1)
        self.last = min(datetime.date(year, 12, 31), as_of)
        self.start, self.after = period_bounds(self.first, self.last)

    @property
    def label(self) -> str:
        """The year, or the year to the figure's day while it is not over."""
        if self.last.month == 12 and self.last.day == 31:
            return str(self.year)
        return gettext("%(year)s (to %(day)s)") % {
            "year": self.year,
            "day": formats.date_format(self.last, "SHORT_DATE_FORMAT"),
        }

    # Quote requests.

    @cached_property
    def requests(self) -> dict[str, int]:
        """Received and received from a campaign, in one query."""
        return (
            QuoteRequest.objects.filter(created_at__gte=self.start, created_at__lt=self.after)
            .exclude(status__in=NOT_QUALIFIED)
            .aggregate(received=Count("pk"), campaign=Count("pk", filter=~Q(campaign="")))
        )

    @cached_property
    def routing(self) -> dict[str, int]:
        """Requests first routed to a supplier in the period; won by one of them; undeclared."""
        to_winner = Dispatch.objects.filter(
            quote_request=OuterRef("pk"), supplier=OuterRef("won_by")
        )
        routed = (
            QuoteRequest.objects.exclude(status__in=NOT_QUALIFIED)
            .annotate(
                first_routed=Min(
                    "dispatches__created_at", filter=Q(dispatches__supplier__isnull=False)
                )
            )
            .filter(first_routed__gte=self.start, first_routed__lt=self.after)
            .values("pk")
        )
        return QuoteRequest.objects.filter(pk__in=routed).aggregate(
            routed=Count("pk"),
            won=Count("pk", filter=Q(status=RequestStatus.WON) & Exists(to_winner)),
            open=Count("pk", filter=~Q(status__in=(RequestStatus.WON, RequestStatus.LOST))),
        )

    # Suppliers and evaluations.

    def qualified_suppliers(self) -> int:
        latest = Evaluation.objects.filter(
            supplier=OuterRef("pk"),
            status=EvaluationStatus.PUBLISHED,
            published_at__lt=self.after,
        ).order_by("-published_at", "-pk")
        return (
            Supplier.objects.annotate(
                held_level=Subquery(latest.values("level")[:1]),
                held_until=Subquery(latest.values("valid_until")[:1]),
            )
            .filter(held_level__gt=0, held_until__gte=self.last)
            .count()
        )

    def evaluations_published(self) -> int:
        return Evaluation.objects.filter(
            status=EvaluationStatus.PUBLISHED,
            published_at__gte=self.start,
            published_at__lt=self.after,
        ).count()

    # CRM.

    @cached_property
    def contacts(self) -> dict[str, int]:
        """Contacts present at the end of the period, those with a known origin, those added."""
        created = Contact.objects.filter(created_at__lt=self.after)
        present = Q(anonymised_at__isnull=True) | Q(anonymised_at__gte=self.after)
        return created.aggregate(
            present=Count("pk", filter=present),
            sourced=Count("pk", filter=present & Q(source_action__isnull=False)),
            added=Count("pk", filter=Q(created_at__gte=self.start)),
        )

    def campaign_visits(self) -> int:
        visits = CampaignVisit.objects.filter(day__gte=self.first, day__lte=self.last)
        return visits.aggregate(total=Sum("count"))["total"] or 0

    # The bureau's events.

    @cached_property
    def events(self) -> list[BureauEvent]:
        """The year's events of every kind (cancelled ones aside), as the returns dashboard reads
        them; only the events started by the figure's day count as held."""
        return list(year_events(self.year))

    @cached_property
    def held(self) -> dict[str, list[BureauEvent]]:
        found: dict[str, list[BureauEvent]] = defaultdict(list)
        for event in self.events:
            if event.starts_on <= self.last:
                found[event.kind].append(event)
        return found

    @cached_property
    def participants(self) -> Counter[str]:
        ids = [event.pk for events in self.held.values() for event in events]
        rows = (
            EventParticipant.objects.filter(event_id__in=ids)
            .values("event__kind")
            .annotate(total=Count("pk"))
            .values_list("event__kind", "total")
        )
        return Counter(dict(rows))

    @cached_property
    def surveys(self) -> dict[str, tuple[Decimal, int]]:
        rows = (
            PartnerSurvey.objects.filter(
                event_id__in=[event.pk for event in self.events],
                answered_at__isnull=False,
                score__isnull=False,
            )
            .values("event__kind")
            .annotate(mean=Avg("score"), answers=Count("pk"))
            .values_list("event__kind", "mean", "answers")
        )
        return {kind: (Decimal(str(mean)), answers) for kind, mean, answers in rows}

    def returns(self, kinds: set[str]) -> dict[str, Totals]:
        """The returns of the year's events of these kinds, totalled per kind, in one batch.
        Each event's returns do not depend on the other events computed with it (the rule
        weighs every action that met a contact), so leaving other kinds out changes nothing."""
        events = [event for event in self.events if event.kind in kinds]
        totals: dict[str, Totals] = {kind: Totals() for kind in kinds}
        # Requests won after the year still count for its events within the attribution window:
        # the returns as known on `as_of`, as the year dashboard reads them.
        for item in returns_for_events(events, as_of=self.as_of):
            totals[item.event.kind].add(item)
        return totals


def compute(
    keys: set[str], *, year: int, as_of: datetime.date | None = None
) -> dict[str, MeasuredValue]:
    """The value of each measure of `keys` for `year` as known on `as_of` (today by default):
    the year to that day while it runs, the whole year once over. Unknown keys get no value."""
    as_of = as_of or timezone.localdate()
    period = _Year(year, as_of)
    if as_of < period.first:
        not_begun = gettext("%(year)s has not begun.") % {"year": year}
        return {key: MeasuredValue(None, not_begun) for key in keys}
    found = {}
    returns_kinds = {
        key.split(".")[1]
        for key in keys
        if key in MEASURES
        and key.startswith("events.")
        and key.rsplit(".", 1)[1] in RETURNS_FIGURES
    }
    returns = period.returns(returns_kinds) if returns_kinds else {}
    for key in sorted(keys):
        if key not in MEASURES:
            found[key] = MeasuredValue(None, gettext("unknown measure"))
        elif key.startswith("events."):
            _prefix, kind, figure = key.split(".")
            found[key] = _event_value(period, kind, figure, returns.get(kind))
        else:
            found[key] = _SIMPLE_COMPUTERS[key](period)
    return found


# Each simple measure, from the period's cached sources.


def _received(period: _Year) -> MeasuredValue:
    count = period.requests["received"]
    if not count:
        return MeasuredValue(Decimal(0), gettext("No request received in %(year)s.") % _y(period))
    text = ngettext(
        "%(count)s request received in %(year)s.",
        "%(count)s requests received in %(year)s.",
        count,
    )
    return MeasuredValue(Decimal(count), text % {"count": _number(count), **_y(period)})


def _routed(period: _Year) -> MeasuredValue:
    count = period.routing["routed"]
    if not count:
        return MeasuredValue(Decimal(0), gettext("No request routed in %(year)s.") % _y(period))
    text = ngettext(
        "%(count)s request routed to suppliers in %(year)s.",
        "%(count)s requests routed to suppliers in %(year)s.",
        count,
    )
    return MeasuredValue(Decimal(count), text % {"count": _number(count), **_y(period)})


def _conversion(period: _Year) -> MeasuredValue:
    routed, won, open_ = (period.routing[name] for name in ("routed", "won", "open"))
    if not routed:
        return MeasuredValue(None, gettext("No request routed in %(year)s.") % _y(period))
    text = gettext(
        "%(won)s won by a supplier they were sent to, of %(routed)s requests routed in %(year)s "
        "(%(open)s without a declared outcome, counted as not won)."
    )
    values = {"won": _number(won), "routed": _number(routed), "open": _number(open_)}
    return MeasuredValue(_percent(won, routed), text % {**values, **_y(period)})


def _qualified(period: _Year) -> MeasuredValue:
    count = period.qualified_suppliers()
    text = ngettext(
        "%(count)s supplier held a valid published level on %(day)s.",
        "%(count)s suppliers held a valid published level on %(day)s.",
        count,
    )
    day = formats.date_format(period.last, "SHORT_DATE_FORMAT")
    return MeasuredValue(Decimal(count), text % {"count": _number(count), "day": day})


def _published(period: _Year) -> MeasuredValue:
    count = period.evaluations_published()
    text = ngettext(
        "%(count)s evaluation published in %(year)s.",
        "%(count)s evaluations published in %(year)s.",
        count,
    )
    return MeasuredValue(Decimal(count), text % {"count": _number(count), **_y(period)})


def _sourced(period: _Year) -> MeasuredValue:
    present, sourced = period.contacts["present"], period.contacts["sourced"]
    if not present:
        return MeasuredValue(None, gettext("No contact in the CRM in %(year)s.") % _y(period))
    text = gettext(
        "%(sourced)s of %(present)s contacts in the CRM in %(year)s came through a known "
        "bureau action."
    )
    values = {"sourced": _number(sourced), "present": _number(present)}
    return MeasuredValue(_percent(sourced, present), text % {**values, **_y(period)})


def _added(period: _Year) -> MeasuredValue:
    count = period.contacts["added"]
    text = ngettext(
        "%(count)s contact added to the CRM in %(year)s.",
        "%(count)s contacts added to the CRM in %(year)s.",
        count,
    )
    return MeasuredValue(Decimal(count), text % {"count": _number(count), **_y(period)})


def _visits(period: _Year) -> MeasuredValue:
    count = period.campaign_visits()
    text = ngettext(
        "%(count)s visit to campaign pages in %(year)s.",
        "%(count)s visits to campaign pages in %(year)s.",
        count,
    )
    return MeasuredValue(Decimal(count), text % {"count": _number(count), **_y(period)})


def _campaign_requests(period: _Year) -> MeasuredValue:
    count = period.requests["campaign"]
    text = ngettext(
        "%(count)s request received from campaign pages in %(year)s.",
        "%(count)s requests received from campaign pages in %(year)s.",
        count,
    )
    return MeasuredValue(Decimal(count), text % {"count": _number(count), **_y(period)})


_SIMPLE_COMPUTERS: dict[str, Callable[[_Year], MeasuredValue]] = {
    "requests.received": _received,
    "requests.routed": _routed,
    "requests.conversion": _conversion,
    "suppliers.qualified": _qualified,
    "evaluations.published": _published,
    "crm.contacts_sourced": _sourced,
    "crm.contacts_added": _added,
    "campaigns.visits": _visits,
    "campaigns.requests": _campaign_requests,
}


def _y(period: _Year) -> dict[str, str]:
    return {"year": period.label}


# The figures of the bureau's events, per kind.


def _event_value(period: _Year, kind: str, figure: str, totals: Totals | None) -> MeasuredValue:
    names = {"kind": str(dict(EVENT_KINDS)[kind]), **_y(period)}
    if figure == "held":
        held = len(period.held.get(kind, []))
        planned = sum(1 for e in period.events if e.kind == kind) - held
        text = gettext("%(kind)s: %(held)s held in %(year)s")
        text %= {"held": _number(held), **names}
        if planned:
            text += gettext(", %(planned)s more planned") % {"planned": _number(planned)}
        return MeasuredValue(Decimal(held), text + ".")
    if figure == "participants":
        count = period.participants.get(kind, 0)
        text = gettext("%(kind)s in %(year)s — suppliers and partners taking part: %(count)s.")
        return MeasuredValue(Decimal(count), text % {"count": _number(count), **names})
    if figure == "survey_score":
        mean, answers = period.surveys.get(kind, (None, 0))
        if mean is None:
            return MeasuredValue(None, gettext("%(kind)s: no survey answered in %(year)s.") % names)
        text = ngettext(
            "%(kind)s: mean of %(answers)s answered survey in %(year)s.",
            "%(kind)s: mean of %(answers)s answered surveys in %(year)s.",
            answers,
        )
        value = mean.quantize(ONE_DECIMAL, ROUND_HALF_UP)
        return MeasuredValue(value, text % {"answers": _number(answers), **names})
    return _returns_value(totals or Totals(), figure, names)


def _returns_value(totals: Totals, figure: str, names: dict[str, str]) -> MeasuredValue:
    if not totals.events:
        return MeasuredValue(
            None if figure in ("impact_per_euro", "cost_per_useful_contact") else Decimal(0),
            gettext("%(kind)s: no event in %(year)s.") % names,
        )
    counts = {
        "events": _number(totals.events),
        "useful": _number(totals.useful_contacts),
        "won": _number(totals.events_won),
        "net_cost": _number(totals.net_cost.quantize(CENT)),
        "impact": _number(totals.economic_impact.quantize(CENT)),
        **names,
    }
    if figure == "useful_contacts":
        text = gettext("%(kind)s in %(year)s — events: %(events)s, useful contacts: %(useful)s.")
        return MeasuredValue(totals.useful_contacts, text % counts)
    if figure == "events_won":
        text = gettext("%(kind)s in %(year)s — events: %(events)s, events won: %(won)s.")
        return MeasuredValue(totals.events_won, text % counts)
    if figure == "impact_per_euro":
        value = totals.impact_per_euro
        if value is None:
            text = gettext("%(kind)s in %(year)s — events: %(events)s, no net cost.")
            return MeasuredValue(None, text % counts)
        text = gettext(
            "%(kind)s in %(year)s — economic impact: %(impact)s €, net cost: %(net_cost)s € "
            "(events: %(events)s)."
        )
        return MeasuredValue(value, text % counts)
    value = totals.cost_per_useful_contact
    if value is None:
        text = gettext("%(kind)s in %(year)s — events: %(events)s, no useful contact.")
        return MeasuredValue(None, text % counts)
    text = gettext(
        "%(kind)s in %(year)s — net cost: %(net_cost)s €, useful contacts: %(useful)s "
        "(events: %(events)s)."
    )
    return MeasuredValue(value, text % counts)
