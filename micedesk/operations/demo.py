"""Demo bureau events: three years of trade shows, workshops, éductours, webinars, partners'
meetings, working groups, round tables, job dating and the "Séminaires au vert" campaign, with
costs after the plan's figures, demo suppliers and partners taking part, guests and contacts met
from the demo CRM, appointments, answered surveys and campaign visits.

Everything is made up and flagged `is_demo`; the timeline items it adds carry
`details["demo_operations"]`. Run it after the demo CRM: it links each event to the CRM's demo
action of the same name when there is one (so the contacts the CRM met there are the event's),
and makes some planners of won demo requests met at an earlier event, more at some events than
at others, so that the returns differ. Deterministic for a seed; a run replaces the previous one.
"""

from __future__ import annotations

import datetime
import random
import sys
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from micedesk.crm.models import ActionKind, BureauAction, Interaction, InteractionKind
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from micedesk.leads.models import QuoteRequest, RequestStatus
from micedesk.operations.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    BureauEvent,
    CampaignVisit,
    CostLine,
    EventGuest,
    EventParticipant,
    EventStatus,
    ParticipantRole,
    PartnerSurvey,
)
from micedesk.operations.reference import reference_load

DEMO_SEED = 2026
YEARS = 3
DEMO_MARK = "demo_operations"
DEMO_REQUEST_PREFIX = "DEMO-"
STAFF_RATE = Decimal("45.00")
# Share of the planners of won demo requests met at an earlier event, and of those met twice.
MET_SHARE = 0.9
SECOND_TOUCH = 0.3
CAMPAIGN_SLUG = "seminaires-au-vert"
DEPARTMENTS = {"14": "Calvados", "27": "Eure", "50": "Manche", "61": "Orne", "76": "Seine-Maritime"}


@dataclass(frozen=True)
class Plan:
    """One recurring event: its name (the CRM demo action's, without the year), kind, date,
    place, total cost after the plan, staff hours, how many suppliers take part and their
    contribution, and its appeal (relative chance that a future client was met there)."""

    name: str
    kind: str
    month: int
    day: int
    days: int
    place: str
    department: str
    cost: int
    hours: int
    suppliers: int
    share: int
    appeal: float
    country: str = "FR"
    online: bool = False


PLANS = (
    Plan("Heavent Meetings Cannes", ActionKind.TRADE_SHOW, 4, 9, 3, "Cannes", "06", 52000, 120, 6, 2500, 6.0),
    Plan("Heavent Paris", ActionKind.TRADE_SHOW, 11, 18, 3, "Paris", "75", 30000, 80, 5, 1800, 2.0),
    Plan("IBTM World Barcelone", ActionKind.TRADE_SHOW, 11, 26, 3, "Barcelone", "", 38000, 90, 3, 3000, 0.2, "ES"),
    Plan("SBE Paris", ActionKind.TRADE_SHOW, 9, 24, 2, "Paris", "75", 15000, 50, 4, 1200, 2.5),
    Plan("SBE Lyon", ActionKind.TRADE_SHOW, 6, 5, 2, "Lyon", "69", 14000, 50, 3, 1200, 1.0),
    Plan("SBE Marseille", ActionKind.TRADE_SHOW, 2, 12, 2, "Marseille", "13", 14000, 50, 3, 1200, 0.0),
    Plan("Salon des CSE Paris", ActionKind.TRADE_SHOW, 3, 28, 2, "Paris", "75", 12000, 40, 4, 900, 0.8),
    Plan("Workshop Normandie à Paris", ActionKind.WORKSHOP, 3, 14, 1, "Paris", "75", 25000, 60, 18, 700, 5.0),
    Plan("Workshop Normandie à Rouen", ActionKind.WORKSHOP, 10, 10, 1, "Rouen", "76", 10000, 40, 15, 400, 3.0),
    Plan("Éductour Côte Fleurie", ActionKind.EDUCTOUR, 5, 22, 2, "Deauville", "14", 10000, 40, 5, 0, 4.0),
    Plan("Éductour Plages du Débarquement", ActionKind.EDUCTOUR, 6, 12, 2, "Bayeux", "14", 10000, 40, 5, 0, 1.5),
    Plan("Webinaire Normandie, destination séminaires", ActionKind.WEBINAR, 2, 6, 1, "", "", 1500, 16, 4, 0, 0.6, online=True),
    Plan("Rencontre annuelle des partenaires MICE", ActionKind.PARTNERS_MEETING, 1, 23, 1, "Caen", "14", 20000, 60, 0, 0, 0.0),
    Plan("Groupe de travail Qualification de l'offre", ActionKind.WORKING_GROUP, 5, 15, 1, "Évreux", "27", 1000, 12, 0, 0, 0.0),
    Plan("Groupe de travail Accueil des congrès", ActionKind.WORKING_GROUP, 10, 2, 1, "Cherbourg-en-Cotentin", "50", 1000, 12, 0, 0, 0.0),
    Plan("Table ronde Outils de promotion", ActionKind.ROUND_TABLE, 9, 12, 1, "Caen", "14", 5000, 20, 0, 0, 0.0),
    Plan("Job dating des métiers de l'événementiel", ActionKind.JOB_DATING, 3, 6, 1, "Rouen", "76", 15000, 50, 8, 0, 0.0),
    Plan("Campagne « Séminaires au vert »", ActionKind.CAMPAIGN, 3, 1, 92, "", "", 45000, 40, 0, 0, 0.0),
)  # fmt: skip
QUARTER_MONTHS = (1, 4, 7, 10)
PARTNER_ROLES = {
    ActionKind.EDUCTOUR: ParticipantRole.HOST,
    ActionKind.TRADE_SHOW: ParticipantRole.CO_EXHIBITOR,
    ActionKind.WORKSHOP: ParticipantRole.EXHIBITOR,
}
COST_SPLIT = {
    ActionKind.TRADE_SHOW: (("stand", 0.55), ("transport", 0.12), ("accommodation", 0.15), ("animation", 0.18)),
    ActionKind.WORKSHOP: (("venue", 0.35), ("catering", 0.30), ("agency", 0.25), ("animation", 0.10)),
    ActionKind.EDUCTOUR: (("transport", 0.35), ("accommodation", 0.40), ("catering", 0.25)),
    ActionKind.WEBINAR: (("preparation", 0.60), ("other", 0.40)),
    ActionKind.PARTNERS_MEETING: (("venue", 0.30), ("catering", 0.40), ("animation", 0.30)),
    ActionKind.WORKING_GROUP: (("catering", 0.60), ("transport", 0.40)),
    ActionKind.ROUND_TABLE: (("agency", 0.70), ("catering", 0.30)),
    ActionKind.JOB_DATING: (("venue", 0.40), ("media", 0.30), ("catering", 0.30)),
    ActionKind.CAMPAIGN: (("media", 0.80), ("agency", 0.20)),
}  # fmt: skip
BRIEFS = (
    "Séminaire de direction de 25 personnes au printemps, au vert.",
    "Convention annuelle de 150 personnes, cherche un lieu près d'une gare.",
    "Incentive de 40 commerciaux, activités nautiques souhaitées.",
    "Congrès médical de 400 participants dans deux ans, centre de congrès.",
    "Journée d'étude de 60 personnes, proche de Paris.",
)
IMPROVEMENTS = (
    "Plus de rendez-vous préprogrammés avec des organisateurs.",
    "Un stand plus visible, mieux placé dans le hall.",
    "Recevoir la liste des visiteurs plus tôt.",
    "",
    "",
)
CAMPAIGN_TEXT = (
    "[Démo] Des lieux de séminaire entourés de nature, à deux heures de Paris : manoirs, "
    "domaines et hôtels de charme de Normandie vous accueillent pour vos séminaires au vert."
)


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def demo_operations_remove() -> int:
    """Delete the demo events (with their participants, guests, costs, surveys, visits) and the
    timeline items the demo added; the CRM's demo actions stay (the CRM demo owns them)."""
    deleted = Interaction.objects.filter(**{f"details__{DEMO_MARK}": True}).delete()[0]
    deleted += BureauEvent.objects.filter(is_demo=True).delete()[0]
    QuoteRequest.objects.filter(reference__startswith=DEMO_REQUEST_PREFIX).exclude(
        campaign=""
    ).update(campaign="")
    return deleted


@dataclass
class _Planned:
    plan: Plan
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    department: str
    place: str


def _calendar(today: datetime.date) -> list[_Planned]:
    planned = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        for plan in PLANS:
            day = datetime.date(year, plan.month, plan.day)
            end = day + datetime.timedelta(days=plan.days - 1)
            planned.append(
                _Planned(plan, f"{plan.name} {year}", day, end, plan.department, plan.place)
            )
        # Quarterly webinars per department, each with its suppliers presenting.
        for month in QUARTER_MONTHS:
            for index, (code, name) in enumerate(sorted(DEPARTMENTS.items())):
                day = datetime.date(year, month, 8 + 3 * index)
                webinar = Plan(f"Webinaire {name}", ActionKind.WEBINAR, month, day.day, 1, "", code,
                               750, 8, 4, 0, 0.1, online=True)  # fmt: skip
                planned.append(
                    _Planned(
                        webinar,
                        f"Webinaire {name} T{QUARTER_MONTHS.index(month) + 1} {year}",
                        day,
                        day,
                        code,
                        "",
                    )  # fmt: skip
                )
    return planned


def _status(planned: _Planned, today: datetime.date, rng: random.Random) -> str:
    if planned.ends_on < today - datetime.timedelta(days=30):
        return EventStatus.CLOSED
    if planned.starts_on <= today:
        return EventStatus.HELD
    if planned.plan.kind == ActionKind.WORKING_GROUP and rng.random() < 0.3:
        return EventStatus.CANCELLED
    if planned.starts_on <= today + datetime.timedelta(days=90):
        return EventStatus.CONFIRMED
    return EventStatus.PLANNED


def _action(planned: _Planned, existing: dict[str, BureauAction]) -> BureauAction:
    """The CRM's demo action of that name, or a new one kept in step with the event."""
    action = existing.get(planned.name)
    if action is not None:
        return action
    return BureauAction.objects.create(
        name=planned.name,
        kind=planned.plan.kind,
        starts_on=planned.starts_on,
        ends_on=planned.ends_on,
        place=planned.place,
        department_code=planned.department,
        is_demo=True,
    )


def _events(rng: random.Random, today: datetime.date) -> list[BureauEvent]:
    existing = {
        action.name: action
        for action in BureauAction.objects.filter(is_demo=True, event__isnull=True)
    }
    events = []
    for planned in _calendar(today):
        status = _status(planned, today, rng)
        campaign = planned.plan.kind == ActionKind.CAMPAIGN
        event = BureauEvent.objects.create(
            action=_action(planned, existing),
            name=planned.name,
            kind=planned.plan.kind,
            status=status,
            starts_on=planned.starts_on,
            ends_on=planned.ends_on,
            place=planned.place,
            department_code=planned.department,
            country=planned.plan.country,
            online=planned.plan.online,
            theme="[Démo] " + planned.plan.name,
            campaign_slug=f"{CAMPAIGN_SLUG}-{planned.starts_on.year}" if campaign else None,
            campaign_title="Séminaires au vert en Normandie" if campaign else "",
            campaign_text=CAMPAIGN_TEXT if campaign else "",
            closed_at=_aware(planned.ends_on + datetime.timedelta(days=14))
            if status == EventStatus.CLOSED
            else None,
            is_demo=True,
        )
        event.plan = planned.plan
        events.append(event)
    return events


def _costs(rng: random.Random, events: list[BureauEvent]) -> int:
    lines = []
    for event in events:
        plan = event.plan
        done = event.status in (EventStatus.HELD, EventStatus.CLOSED)
        scale = Decimal(str(round(rng.uniform(0.9, 1.1), 2)))
        staff_cost = STAFF_RATE * plan.hours
        for category, part in COST_SPLIT[plan.kind]:
            budget = (Decimal(plan.cost) * Decimal(str(part)) * scale).quantize(Decimal("1"))
            actual = (budget * Decimal(str(round(rng.uniform(0.85, 1.15), 2)))).quantize(
                Decimal("0.01")
            )
            lines.append(
                CostLine(
                    event=event, category=category, budget=budget, actual=actual if done else None
                )
            )
        lines.append(
            CostLine(
                event=event,
                category="staff",
                label="Temps des agents du CRT",
                budget=staff_cost,
                actual=staff_cost if done else None,
                hours=Decimal(plan.hours),
                hourly_rate=STAFF_RATE,
            )
        )
    CostLine.objects.bulk_create(lines)
    return len(lines)


def _participants(rng: random.Random, events: list[BureauEvent]) -> int:
    suppliers = list(
        Supplier.objects.filter(external_id__startswith="demo-", status="published").order_by("pk")[
            :300
        ]
    )
    partners = list(Partner.objects.order_by("pk"))
    by_department: dict[str, list[Supplier]] = {}
    for supplier in suppliers:
        by_department.setdefault(supplier.department_code, []).append(supplier)
    rows = []
    for event in events:
        plan = event.plan
        role = {
            ActionKind.TRADE_SHOW: ParticipantRole.CO_EXHIBITOR,
            ActionKind.WORKSHOP: ParticipantRole.EXHIBITOR,
            ActionKind.WEBINAR: ParticipantRole.PRESENTER,
            ActionKind.EDUCTOUR: ParticipantRole.VISITED,
        }.get(plan.kind, ParticipantRole.GUEST)
        pool = by_department.get(event.department_code) or suppliers
        chosen = rng.sample(pool, k=min(len(pool), plan.suppliers))
        start = _aware(event.starts_on, 11)
        for position, supplier in enumerate(chosen, start=1):
            timed = plan.kind in (ActionKind.WEBINAR, ActionKind.EDUCTOUR)
            rows.append(
                EventParticipant(
                    event=event,
                    supplier=supplier,
                    role=role,
                    cost_share=Decimal(plan.share),
                    position=position,
                    starts_at=start + datetime.timedelta(minutes=15 * (position - 1))
                    if plan.kind == ActionKind.WEBINAR
                    else (_aware(event.starts_on, 9 + 2 * position) if timed else None),
                    minutes=12 if plan.kind == ActionKind.WEBINAR else (90 if timed else None),
                )
            )
        wanted = {
            ActionKind.TRADE_SHOW: 2,
            ActionKind.WORKSHOP: 3,
            ActionKind.PARTNERS_MEETING: 8,
            ActionKind.WORKING_GROUP: 5,
            ActionKind.ROUND_TABLE: 6,
            ActionKind.EDUCTOUR: 1,
            ActionKind.CAMPAIGN: 3,
        }.get(plan.kind, 0)
        for partner in rng.sample(partners, k=min(len(partners), wanted)):
            share = Decimal(plan.share * 2 if plan.kind == ActionKind.TRADE_SHOW else 0)
            if plan.kind == ActionKind.CAMPAIGN:
                share = Decimal(3000)
            rows.append(
                EventParticipant(
                    event=event,
                    partner=partner,
                    role=PARTNER_ROLES.get(plan.kind, ParticipantRole.GUEST),
                    cost_share=share,
                )
            )
    EventParticipant.objects.bulk_create(rows)
    return len(rows)


def _guests_from_crm(events: list[BureauEvent]) -> int:
    """The contacts the demo CRM met at, invited to or saw attend the event's action."""
    by_action = {event.action_id: event for event in events}
    seen: dict[tuple[int, int], str] = {}
    rows = Interaction.objects.filter(
        action_id__in=list(by_action),
        kind__in=(InteractionKind.INVITED, InteractionKind.ATTENDED, InteractionKind.MET),
    ).values_list("action_id", "contact_id", "kind")
    rank = {InteractionKind.INVITED: 0, InteractionKind.ATTENDED: 1, InteractionKind.MET: 2}
    for action_id, contact_id, kind in rows.iterator():
        key = (by_action[action_id].pk, contact_id)
        if key not in seen or rank[kind] > rank[seen[key]]:
            seen[key] = kind
    guests = [
        EventGuest(
            event_id=event_id,
            contact_id=contact_id,
            attendance=Attendance.INVITED
            if kind == InteractionKind.INVITED
            else Attendance.ATTENDED,
            met_on_site=kind == InteractionKind.MET,
        )
        for (event_id, contact_id), kind in sorted(seen.items())
    ]
    EventGuest.objects.bulk_create(guests, batch_size=2000)
    # The invitations of past events that nobody answered: they did not come.
    EventGuest.objects.filter(
        event__in=[e for e in events if e.status in (EventStatus.HELD, EventStatus.CLOSED)],
        attendance=Attendance.INVITED,
    ).update(attendance=Attendance.NO_SHOW)
    return len(guests)


def _met_planners(rng: random.Random, events: list[BureauEvent]) -> int:
    """Some planners of won demo requests met at an earlier event: the returns to measure. The
    events' appeal makes some bring a lot and others nothing."""
    eligible = [e for e in events if e.plan.appeal > 0 and e.status != EventStatus.CANCELLED]
    won = (
        Interaction.objects.filter(
            kind=InteractionKind.QUOTE_REQUEST,
            quote_request__status=RequestStatus.WON,
            quote_request__reference__startswith=DEMO_REQUEST_PREFIX,
        )
        .select_related("quote_request")
        .order_by("quote_request__created_at", "pk")
    )
    touches, guests, added = [], [], 0
    taken: set[tuple[int, int]] = set()
    for item in won:
        if rng.random() > MET_SHARE:
            continue
        before = [e for e in eligible if _aware(e.starts_on) < item.quote_request.created_at]
        if not before:
            continue
        # Most were met once; some twice, so that the attribution rules differ.
        picked = rng.choices(before, weights=[e.plan.appeal for e in before], k=2)
        count = 2 if rng.random() < SECOND_TOUCH else 1
        for event in sorted(set(picked[:count]), key=lambda e: e.starts_on):
            if (event.pk, item.contact_id) in taken:
                continue
            taken.add((event.pk, item.contact_id))
            touches.append(
                Interaction(
                    contact_id=item.contact_id,
                    kind=InteractionKind.MET,
                    occurred_at=_aware(event.starts_on, 14),
                    action_id=event.action_id,
                    summary=rng.choice(BRIEFS),
                    details={DEMO_MARK: True},
                )
            )
            guests.append((event, item.contact_id))
            added += 1
    Interaction.objects.bulk_create(touches)
    existing = set(
        EventGuest.objects.filter(event__in=events).values_list("event_id", "contact_id")
    )
    EventGuest.objects.bulk_create(
        [
            EventGuest(
                event=event,
                contact_id=contact_id,
                attendance=Attendance.ATTENDED,
                met_on_site=True,
                brief=rng.choice(BRIEFS),
            )
            for event, contact_id in guests
            if (event.pk, contact_id) not in existing
        ]
    )
    EventGuest.objects.filter(
        event__in=events, contact_id__in=[c for _e, c in guests], attendance=Attendance.NO_SHOW
    ).update(attendance=Attendance.ATTENDED, met_on_site=True)
    return added


def _campaign_requests(rng: random.Random, events: list[BureauEvent]) -> int:
    """Some demo requests sent while a campaign ran came from its page."""
    count = 0
    for event in events:
        if not event.campaign_slug:
            continue
        during = QuoteRequest.objects.filter(
            reference__startswith=DEMO_REQUEST_PREFIX,
            created_at__gte=_aware(event.starts_on, 0),
            created_at__lt=_aware(event.ends_on + datetime.timedelta(days=1), 0),
        ).order_by("pk")
        ids = [pk for pk in during.values_list("pk", flat=True) if rng.random() < 0.25]
        count += QuoteRequest.objects.filter(pk__in=ids).update(campaign=event.campaign_slug)
    return count


def _appointments(rng: random.Random, events: list[BureauEvent]) -> int:
    rows = []
    kinds = (ActionKind.TRADE_SHOW, ActionKind.WORKSHOP)
    for event in events:
        if event.plan.kind not in kinds or event.status == EventStatus.CANCELLED:
            continue
        parts = [p for p in event.participants.all() if p.supplier_id]
        contacts = list(
            event.guests.filter(attendance=Attendance.ATTENDED).values_list(
                "contact_id", flat=True
            )[:40]
        )
        if not parts:
            continue
        done = event.status in (EventStatus.HELD, EventStatus.CLOSED)
        pairs = set()
        for contact_id in contacts:
            if rng.random() > 0.5:
                continue
            part = rng.choice(parts)
            if (part.pk, contact_id) in pairs:
                continue
            pairs.add((part.pk, contact_id))
            status = (
                rng.choice((AppointmentStatus.HELD,) * 4 + (AppointmentStatus.CANCELLED,))
                if done
                else AppointmentStatus.PLANNED
            )
            rows.append(
                Appointment(
                    event=event,
                    participant=part,
                    contact_id=contact_id,
                    status=status,
                    starts_at=_aware(event.starts_on, rng.randint(9, 17)),
                )
            )
    Appointment.objects.bulk_create(rows)
    return len(rows)


def _surveys(rng: random.Random, events: list[BureauEvent]) -> int:
    rows = []
    closed = [e for e in events if e.status == EventStatus.CLOSED]
    participants = EventParticipant.objects.filter(event__in=closed).select_related(
        "event", "supplier", "partner"
    )
    for part in participants:
        party = part.supplier or part.partner
        answered = rng.random() < 0.7
        sent_at = part.event.closed_at
        rows.append(
            PartnerSurvey(
                event=part.event,
                participant=part,
                email=party.email or f"demo-participant-{part.pk}@micedesk.example",
                sent_at=sent_at,
                answered_at=sent_at + datetime.timedelta(days=rng.randint(1, 12))
                if answered
                else None,
                score=rng.choice((5, 6, 7, 7, 8, 8, 8, 9, 9, 10)) if answered else None,
                would_return=rng.random() < 0.8 if answered else None,
                improve=rng.choice(IMPROVEMENTS) if answered else "",
            )
        )
    PartnerSurvey.objects.bulk_create(rows)
    return len(rows)


def _visits(rng: random.Random, events: list[BureauEvent], today: datetime.date) -> int:
    rows = []
    for event in events:
        if not event.campaign_slug:
            continue
        day = event.starts_on
        while day <= min(event.ends_on + datetime.timedelta(days=30), today):
            running = day <= event.ends_on
            rows.append(
                CampaignVisit(
                    event=event,
                    day=day,
                    count=rng.randint(80, 400) if running else rng.randint(5, 40),
                )
            )
            day += datetime.timedelta(days=1)
    CampaignVisit.objects.bulk_create(rows)
    return len(rows)


def demo_operations_generate(*, seed: int = DEMO_SEED, progress: bool = False) -> dict:
    """Replace the demo events; the counts written."""
    rng = random.Random(seed)
    today = timezone.localdate()
    steps = ("events", "costs", "participants", "guests", "met", "campaign", "appointments",
             "surveys", "visits")  # fmt: skip
    bar = tqdm(total=len(steps), desc="Bureau events", disable=not progress, file=sys.stderr)
    counts: dict[str, int] = {}
    with transaction.atomic():
        reference_load()
        demo_operations_remove()
        events = _events(rng, today)
        counts["events"] = len(events)
        bar.update()
        counts["cost_lines"] = _costs(rng, events)
        bar.update()
        counts["participants"] = _participants(rng, events)
        bar.update()
        counts["guests"] = _guests_from_crm(events)
        bar.update()
        counts["planners_met"] = _met_planners(rng, events)
        bar.update()
        counts["campaign_requests"] = _campaign_requests(rng, events)
        bar.update()
        counts["appointments"] = _appointments(rng, events)
        bar.update()
        counts["surveys"] = _surveys(rng, events)
        bar.update()
        counts["visits"] = _visits(rng, events, today)
        bar.update()
    bar.close()
    return counts
