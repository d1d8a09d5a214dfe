"""Demo quote requests: a deterministic year of requests, every status and outcome, for a showcase.

Every demo request carries a reference starting with `DEMO-` and a message that says it is made
up, so that it never passes for a real one and can always be removed. The organisations are
invented from word lists, the contacts are roles (no person's name), the addresses end in
`.example` and the phone numbers are in the ranges reserved for fiction.

Each request goes through the real routing (`routing.quote_request_route`), so matches, dispatches
and the routing log are what the platform itself would have stored. The requests are dated over
the past twelve months, though, which intake cannot do (it stamps requests with the current time
and refuses events in the past), so the generator stores the rows itself and then moves the
timestamps of what routing wrote back to the request's date. The demo has no mail server: its
dispatches are marked sent directly here with a plausible `sent_at`, and the unanswered ones marked
reminded, so that the outbox and the reminders never try to mail anyone about demo data. Answers
(with their delays, some late, some never), proposals and outcomes are written the same way.
"""

from __future__ import annotations

import datetime
import random
import sys
from collections.abc import Sequence
from decimal import Decimal
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from micedesk.accounts.models import Role, User
from micedesk.core.text import fold
from micedesk.directory.models import Status, Supplier
from micedesk.directory.vocab import LAYOUTS
from micedesk.geo.models import Commune, Partner, PartnerKind
from micedesk.geo.selectors import departments_of_region
from micedesk.leads.intake import REQUEST_SERVICES, spam_assess
from micedesk.leads.models import (
    Channel,
    Dispatch,
    DispatchStatus,
    EventKind,
    OrganisationKind,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
    RoutingMode,
)
from micedesk.leads.routing import dispatch_create, quote_request_route, routing_log
from micedesk.leads.selectors import REMIND_AFTER

DEMO_REFERENCE_PREFIX = "DEMO-"
DEMO_NOTE = "[Démo] Demande fictive, générée pour la démonstration de la plateforme."
DEMO_SEED = 2026
DAYS_BACK = 365
# Requests newer than this have no outcome yet: their events are still being prepared.
OUTCOME_AFTER = datetime.timedelta(days=40)
# How many recent requests go to the members' supplier and partner, so their extranet shows some.
MEMBER_REQUESTS = 8

# Relative weight of each month: meetings are booked in spring and autumn, little in summer.
MONTH_WEIGHTS = {1: 0.8, 2: 1.0, 3: 1.5, 4: 1.6, 5: 1.5, 6: 1.3, 7: 0.6, 8: 0.4, 9: 1.5}
MONTH_WEIGHTS.update({10: 1.7, 11: 1.4, 12: 0.6})

ORGANISATION_FORMS: dict[str, Sequence[str]] = {
    OrganisationKind.COMPANY: ("Groupe", "Laboratoires", "Industries", "Société", "Transports"),
    OrganisationKind.AGENCY: ("Agence", "Studio", "Atelier événementiel"),
    OrganisationKind.ASSOCIATION: ("Association", "Fédération", "Union", "Collectif"),
    OrganisationKind.PUBLIC_BODY: ("Syndicat mixte", "Office public", "Établissement public"),
    OrganisationKind.OTHER: ("Mutuelle", "Coopérative", "Fondation"),
}
ORGANISATION_WORDS = (
    "Atlantique", "Boréal", "Cap Horizon", "Cotentin Avenir", "Estuaire", "Falaises",
    "Granit", "Hêtraie", "Littoral", "Marée Haute", "Norois", "Opale", "Pays d'Auge Conseil",
    "Presqu'île", "Rivages", "Seine Avenir", "Silex", "Trois Vallées", "Vent d'Ouest", "Bocage",
    "Alizé", "Calcaire", "Colombage", "Embruns", "Goémon", "Pommeraie", "Ardoise", "Phare Ouest",
)  # fmt: skip
ORGANISATION_TAILS = ("", "", "", " Normandie", " Ouest", " & Associés", " France", " Santé")
SECTORS = (
    "Industrie pharmaceutique", "Banque et assurance", "Agroalimentaire", "Informatique",
    "Énergie", "Santé", "Enseignement supérieur", "Transport et logistique", "Tourisme",
    "Bâtiment", "Recherche", "Collectivité territoriale",
)  # fmt: skip
CONTACT_ROLES = (
    "Service communication", "Responsable événementiel", "Direction des ressources humaines",
    "Assistante de direction", "Service formation", "Chargé de projet événementiel",
    "Secrétariat général", "Direction commerciale", "Comité d'entreprise", "Service des congrès",
)  # fmt: skip
HEARD_FROM = ("", "", "Salon professionnel", "Recherche sur internet", "Recommandation", "Presse")
# Kind of event: weight, participants (low, high), days (low, high).
EVENT_PROFILES = {
    EventKind.SEMINAIRE: (30, (10, 80), (1, 3)),
    EventKind.CONGRES: (8, (150, 1200), (2, 4)),
    EventKind.CONVENTION: (8, (80, 600), (1, 3)),
    EventKind.INCENTIVE: (8, (15, 120), (2, 4)),
    EventKind.SOIREE: (10, (50, 400), (1, 1)),
    EventKind.JOURNEE_ETUDE: (12, (20, 200), (1, 1)),
    EventKind.FORMATION: (14, (8, 40), (1, 3)),
    EventKind.SALON: (4, (200, 3000), (1, 3)),
    EventKind.AUTRE: (6, (10, 150), (1, 2)),
}
CHANNEL_WEIGHTS = {Channel.PORTAL: 62, Channel.API: 20, Channel.STAFF: 18}
SPAM_MESSAGES = (
    "CHEAP VIAGRA CASINO BONUS https://bit.ly/x http://promo.example/a http://promo.example/b",
    "Best crypto investment casino loan http://bit.ly/win www.promo.example www.offer.example",
)
DECLINE_REASONS = (
    "Complet à ces dates.",
    "Capacité insuffisante pour ce groupe.",
    "Établissement fermé pour travaux.",
    "Nous ne proposons pas ce type de prestation.",
)
LOST_REASONS = ("Budget trop élevé", "Événement annulé", "Lieu plus proche choisi")

S = DispatchStatus


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


class _Context:
    """What every request draws from: departments, communes with suppliers, partners, members."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.departments = list(departments_of_region().values_list("code", flat=True))
        supplied = (
            Supplier.objects.filter(status=Status.PUBLISHED)
            .values_list("commune_id", flat=True)
            .distinct()
        )
        self.communes: dict[str, list[str]] = {}
        for insee, department in (
            Commune.objects.filter(pk__in=supplied, department_id__in=self.departments)
            .order_by("pk")
            .values_list("pk", "department_id")
        ):
            self.communes.setdefault(department, []).append(insee)
        self.departments = [code for code in self.departments if code in self.communes]
        self.partners = list(Partner.objects.order_by("pk"))
        self.staff = (
            User.objects.filter(role__in=[Role.STAFF, Role.ADMIN], is_active=True)
            .order_by("pk")
            .first()
        )
        self.member_supplier = (
            Supplier.objects.filter(members__isnull=False, status=Status.PUBLISHED)
            .order_by("pk")
            .first()
        )
        self.member_bureau = (
            Partner.objects.filter(members__isnull=False, kind=PartnerKind.CONVENTION_BUREAU)
            .order_by("pk")
            .first()
        )
        self.bureau_communes = (
            sorted(set(self.member_bureau.communes.values_list("pk", flat=True)))
            if self.member_bureau is not None
            else []
        )
        day_weights = []
        for back in range(DAYS_BACK):
            day = (now - datetime.timedelta(days=back)).date()
            weekend = 0.15 if day.weekday() >= 5 else 1.0
            day_weights.append(MONTH_WEIGHTS[day.month] * weekend)
        self.day_cum = _cumulative(day_weights)


def _organisation(rng: random.Random) -> tuple[str, str]:
    kind = rng.choices(list(ORGANISATION_FORMS), weights=(55, 15, 15, 10, 5))[0]
    name = f"{rng.choice(ORGANISATION_FORMS[kind])} {rng.choice(ORGANISATION_WORDS)}"
    return name + rng.choice(ORGANISATION_TAILS), kind


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def _created_at(rng: random.Random, context: _Context) -> datetime.datetime:
    back = rng.choices(range(DAYS_BACK), cum_weights=context.day_cum)[0]
    day = (context.now - datetime.timedelta(days=back)).date()
    moment = datetime.datetime.combine(
        day,
        datetime.time(rng.randint(8, 18), rng.randint(0, 59), rng.randint(0, 59)),
        tzinfo=timezone.get_current_timezone(),
    )
    # Today's requests come from the hours already past.
    return min(moment, context.now - datetime.timedelta(minutes=rng.randint(5, 600)))


def _request(rng: random.Random, context: _Context, number: int) -> QuoteRequest:
    """One request as a planner would have sent it, not saved."""
    organisation, organisation_kind = _organisation(rng)
    role = rng.choice(CONTACT_ROLES)
    kinds = list(EVENT_PROFILES)
    kind = rng.choices(kinds, weights=[EVENT_PROFILES[k][0] for k in kinds])[0]
    _weight, (low, high), (short, long) = EVENT_PROFILES[kind]
    participants = int(round(low * (high / low) ** rng.random()))
    days = rng.randint(short, long)
    created_at = _created_at(rng, context)
    start = created_at.date() + datetime.timedelta(days=rng.randint(20, 240))
    department = rng.choice(context.departments)
    commune = rng.choice(context.communes[department]) if rng.random() < 0.55 else None
    channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
    budget = participants * days * rng.choice((60, 90, 120, 180)) if rng.random() < 0.4 else None
    flexible = rng.random() < 0.12
    consent = rng.random() < 0.85
    return QuoteRequest(
        reference=f"{DEMO_REFERENCE_PREFIX}{number:05d}",
        channel=channel,
        created_at=created_at,
        submitted_by=context.staff if channel == Channel.STAFF else None,
        via_partner=rng.choice(context.partners)
        if channel == Channel.API and context.partners
        else None,
        client_key="apikey:demo" if channel == Channel.API else f"192.0.2.{rng.randint(1, 254)}",
        contact_name=role,
        organisation=organisation,
        organisation_kind=organisation_kind,
        sector=rng.choice(SECTORS),
        email=f"{_slug(role)}@{_slug(organisation)}.example",
        phone=f"026191{rng.randint(0, 9999):04d}",  # stored as intake normalises it
        language="en" if rng.random() < 0.08 else "fr",
        consent_share=consent,
        consent_at=created_at if consent else None,
        event_kind=kind,
        start_date=None if flexible else start,
        end_date=None if flexible else start + datetime.timedelta(days=days - 1),
        flexible_dates=flexible,
        participants=participants,
        days=days,
        layout=rng.choice(list(LAYOUTS)) if rng.random() < 0.7 else "",
        bedrooms=rng.randint(participants // 2, participants) if days > 1 else 0,
        catering=rng.random() < 0.7,
        team_building=kind == EventKind.INCENTIVE or rng.random() < 0.1,
        services=sorted(rng.sample(list(REQUEST_SERVICES), rng.randint(0, 3))),
        step_free_access=rng.random() < 0.2,
        departments=[department] if commune is None else [],
        commune_id=commune,
        radius_km=rng.choice((None, 20, 40)) if commune else None,
        near_station=rng.random() < 0.15,
        budget_max=Decimal(budget) if budget else None,
        message=DEMO_NOTE,
        heard_from=rng.choice(HEARD_FROM),
    )


def _spam(rng: random.Random, quote_request: QuoteRequest, *, rejected: bool) -> None:
    """Caught by the real spam check; staff rejected the older ones, the newest wait for them."""
    quote_request.message = f"{DEMO_NOTE}\n{rng.choice(SPAM_MESSAGES)}"
    quote_request.client_key = f"198.51.100.{rng.randint(1, 254)}"
    quote_request.channel = Channel.PORTAL
    quote_request.submitted_by = quote_request.via_partner = None
    cleaned = {field: getattr(quote_request, field) for field in ("message", "email", "sector")}
    cleaned.update(organisation=quote_request.organisation, contact_name=quote_request.contact_name)
    score, reasons = spam_assess(cleaned=cleaned)
    quote_request.spam_score, quote_request.spam_reasons = max(score, 60), reasons
    quote_request.status = RequestStatus.REJECTED if rejected else RequestStatus.QUARANTINED


def _duplicate_of(
    rng: random.Random, original: QuoteRequest, number: int, now: datetime.datetime
) -> QuoteRequest:
    """The same planner sending the same event again a little later (a day or so)."""
    duplicate = QuoteRequest(
        **{
            field.attname: getattr(original, field.attname)
            for field in QuoteRequest._meta.concrete_fields
            if field.attname not in ("id", "reference")
        }
    )
    duplicate.reference = f"{DEMO_REFERENCE_PREFIX}{number:05d}"
    later = original.created_at + datetime.timedelta(hours=rng.randint(2, 72))
    duplicate.created_at = min(later, now - datetime.timedelta(minutes=1))
    # A slightly different head count: still the same event for intake (within 30 %).
    duplicate.participants = original.participants + rng.randint(-1, 1) * max(
        1, original.participants // 10
    )
    duplicate.status = RequestStatus.DUPLICATE
    duplicate.duplicate_of = original
    duplicate.won_by = None
    return duplicate


def _answer_delay(rng: random.Random) -> datetime.timedelta:
    """Most answers within a day or two; one in six after the three-day mark."""
    hours = rng.lognormvariate(2.6, 1.1)
    return datetime.timedelta(hours=min(hours, 24 * 20), minutes=rng.randint(0, 59))


def _answer(rng: random.Random, dispatch: Dispatch, now: datetime.datetime) -> None:
    """Plausible timestamps and answer of one supplier dispatch, never after `now`."""
    roll = rng.random()
    if roll < 0.22:
        return  # never opened
    viewed = dispatch.sent_at + datetime.timedelta(minutes=rng.randint(10, 60 * 30))
    if viewed > now:
        return
    dispatch.viewed_at, dispatch.status = viewed, S.VIEWED
    if roll < 0.35:
        return  # read, never answered
    answered = dispatch.sent_at + _answer_delay(rng)
    if answered > now:
        return
    dispatch.first_answer_at = max(answered, viewed)
    if roll < 0.55:
        dispatch.status, dispatch.decline_reason = S.DECLINED, rng.choice(DECLINE_REASONS)
    elif roll < 0.68:
        dispatch.status = S.INTERESTED
    else:
        amount = dispatch.quote_request.participants * dispatch.quote_request.days
        dispatch.status = S.PROPOSAL
        dispatch.proposal_amount = Decimal(amount * rng.randint(55, 190))


def _timestamp_dispatches(rng: random.Random, quote_request: QuoteRequest, now) -> None:
    dispatches = list(quote_request.dispatches.select_related("quote_request").order_by("pk"))
    for dispatch in dispatches:
        dispatch.created_at = quote_request.created_at + datetime.timedelta(seconds=30)
        dispatch.sent_at = dispatch.created_at + datetime.timedelta(seconds=rng.randint(5, 90))
        dispatch.next_attempt_at = dispatch.created_at
        dispatch.attempts = 1
        dispatch.status = S.SENT
        if dispatch.supplier_id is not None:
            _answer(rng, dispatch, now)
        if dispatch.first_answer_at is None:
            # Reminded once, like the platform does: `remind_dispatches` leaves them alone.
            dispatch.reminded_at = dispatch.sent_at + REMIND_AFTER
    _save_dispatches(dispatches)


DISPATCH_TIMELINE = (
    "created_at",
    "sent_at",
    "next_attempt_at",
    "attempts",
    "status",
    "viewed_at",
    "first_answer_at",
    "decline_reason",
    "proposal_amount",
    "reminded_at",
)


def _save_dispatches(dispatches: list[Dispatch]) -> None:
    """Write the timeline columns of the dispatches in one batch of plain updates: `bulk_update`
    builds a CASE expression per column and row, and took a third of the demo's time."""
    fields = [Dispatch._meta.get_field(name) for name in DISPATCH_TIMELINE]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        connection.ops.quote_name(Dispatch._meta.db_table),
        ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields),
        connection.ops.quote_name(Dispatch._meta.pk.column),
    )
    rows = [
        [field.get_db_prep_save(getattr(dispatch, field.attname), connection) for field in fields]
        + [dispatch.pk]
        for dispatch in dispatches
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _forward(rng: random.Random, quote_request: QuoteRequest, now) -> None:
    """A partner dispatch older than a day: the partner forwarded it to three of its matches."""
    for dispatch in quote_request.dispatches.filter(partner__isnull=False):
        if dispatch.sent_at + datetime.timedelta(days=1) > now or rng.random() < 0.2:
            continue
        ranked = next(
            (e["params"]["matches"] for e in dispatch.explanation if e["code"] == "ranked_matches"),
            [],
        )
        forwarded_at = dispatch.sent_at + datetime.timedelta(hours=rng.randint(2, 20))
        Dispatch.objects.filter(pk=dispatch.pk).update(
            status=S.FORWARDED, viewed_at=forwarded_at, first_answer_at=forwarded_at
        )
        for match in ranked[:3]:
            dispatch_create(
                quote_request=quote_request,
                supplier=Supplier.objects.get(pk=match["supplier_id"]),
                forwarded_by=dispatch.partner,
            )
        _backdate_log(quote_request, since=now, at=forwarded_at)
        # The forwarded dispatches left later than the partner's own.
        fresh = quote_request.dispatches.filter(forwarded_by=dispatch.partner)
        for supplier_dispatch in fresh.select_related("quote_request"):
            supplier_dispatch.created_at = forwarded_at
            supplier_dispatch.sent_at = forwarded_at + datetime.timedelta(seconds=40)
            supplier_dispatch.next_attempt_at = forwarded_at
            supplier_dispatch.attempts, supplier_dispatch.status = 1, S.SENT
            _answer(rng, supplier_dispatch, now)
            if supplier_dispatch.first_answer_at is None:
                supplier_dispatch.reminded_at = supplier_dispatch.sent_at + REMIND_AFTER
            supplier_dispatch.save()


def _backdate_log(
    quote_request: QuoteRequest, *, since: datetime.datetime, at: datetime.datetime
) -> None:
    """The log entries the services just wrote (stamped with the current time) moved back to when
    it happened in the demo's history."""
    RoutingLogEntry.objects.filter(quote_request=quote_request, at__gte=since).update(at=at)


def _outcome(rng: random.Random, quote_request: QuoteRequest, now) -> None:
    """Won by a supplier that answered, lost, or no news: older requests only."""
    if quote_request.created_at + OUTCOME_AFTER > now:
        return
    to_suppliers = quote_request.dispatches.filter(supplier__isnull=False)
    candidates = list(
        to_suppliers.filter(status__in=(S.PROPOSAL, S.INTERESTED)).order_by("-status", "pk")
    )
    roll = rng.random()
    if roll < 0.4 and candidates:
        winner = candidates[0].supplier
        status = RequestStatus.WON
    elif roll < 0.7:
        winner, status = None, RequestStatus.LOST
    else:
        return  # the planner never told
    declared_at = quote_request.created_at + datetime.timedelta(days=rng.randint(15, 39))
    declared_by = rng.choice(("planner", "staff", "supplier" if winner else "planner"))
    QuoteRequest.objects.filter(pk=quote_request.pk).update(
        status=status,
        won_by=winner,
        outcome_participants=quote_request.participants if winner else None,
        outcome_days=quote_request.days if winner else None,
        outcome_budget=candidates[0].proposal_amount if winner else None,
        outcome_declared_at=declared_at,
        outcome_declared_by=declared_by,
    )
    if winner is not None:
        to_suppliers.filter(supplier=winner).update(status=S.WON)
        to_suppliers = to_suppliers.exclude(supplier=winner)
    lost_to = "" if winner is None else "Un autre prestataire"
    to_suppliers.exclude(status=S.DECLINED).update(
        status=S.LOST, lost_to=lost_to, lost_reason=rng.choice(LOST_REASONS)
    )
    entry = routing_log(
        quote_request=quote_request,
        event="outcome_declared",
        status=status,
        supplier=winner.pk if winner else None,
        declared_by=declared_by,
    )
    RoutingLogEntry.objects.filter(pk=entry.pk).update(at=declared_at)


def _route(
    rng: random.Random,
    quote_request: QuoteRequest,
    context: _Context,
    *,
    to_partner: bool,
    review: bool = False,
) -> None:
    recent = quote_request.created_at > context.now - datetime.timedelta(days=20)
    routed_at = quote_request.created_at + datetime.timedelta(seconds=20)
    if context.staff is not None and (review or (recent and rng.random() < 0.08)):
        # Held for staff review, as a department's policy may ask: nobody has it yet.
        quote_request_route(
            quote_request=quote_request, actor=context.staff, force_mode=RoutingMode.REVIEW
        )
        _backdate_log(quote_request, since=context.now, at=routed_at)
        return
    force = RoutingMode.PARTNER if to_partner and context.staff else None
    quote_request_route(
        quote_request=quote_request,
        actor=context.staff if force else None,
        force_mode=force,
    )
    _backdate_log(quote_request, since=context.now, at=routed_at)
    _timestamp_dispatches(rng, quote_request, context.now)
    _forward(rng, quote_request, context.now)
    _outcome(rng, quote_request, context.now)


def _for_members(quote_request: QuoteRequest, context: _Context, rank: int) -> bool:
    """The most recent requests reach the demo members: the supplier member is asked by name in
    some, and others are placed in the convention bureau's territory and routed through it.
    Returns whether this one goes through the bureau."""
    if rank % 2 == 0 and context.member_supplier is not None:
        quote_request.requested_suppliers.add(context.member_supplier)
        return False
    if context.bureau_communes:
        quote_request.commune_id = context.bureau_communes[rank % len(context.bureau_communes)]
        quote_request.departments = []
        quote_request.save(update_fields=["commune", "departments"])
        return True
    return False


def demo_requests_remove() -> int:
    """Delete every demo request (and, with them, their matches, dispatches and log)."""
    deleted, _per_model = QuoteRequest.objects.filter(
        reference__startswith=DEMO_REFERENCE_PREFIX
    ).delete()
    return deleted


def demo_requests_generate(
    *,
    count: int = 600,
    seed: int = DEMO_SEED,
    now: datetime.datetime | None = None,
    progress: bool = False,
) -> int:
    """Store `count` demo requests received over the twelve months before `now`, routed to the
    published suppliers; returns how many were written. When `count` demo requests are there
    already nothing is written (a second run duplicates nothing); any other number is replaced."""
    demo = QuoteRequest.objects.filter(reference__startswith=DEMO_REFERENCE_PREFIX)
    if demo.count() == count:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        demo_requests_remove()
        context = _Context(now)
        if not context.departments:
            return 0
        return _generate(count, seed, context, progress)


def _generate(count: int, seed: int, context: _Context, progress: bool) -> int:
    rng = random.Random(seed)
    duplicates = max(1, count // 30) if count >= 10 else 0
    originals = count - duplicates
    drafts = [_request(random.Random(f"{seed}-{n}"), context, n) for n in range(originals)]
    drafts.sort(key=lambda draft: (draft.created_at, draft.reference))
    newest = originals - 1  # stays received, as if its routing were still to come
    spam = set(rng.sample(range(newest), max(1, count // 40) if count >= 10 else 0))
    routed = [index for index in range(newest) if index not in spam]
    duplicated = set(rng.sample(routed, min(duplicates, len(routed))))
    recent = routed[-MEMBER_REQUESTS * 2 :]
    bar = tqdm(total=count, disable=not progress, file=sys.stderr, unit=" requests")
    number = originals
    for index, quote_request in enumerate(drafts):
        rng_request = random.Random(f"{seed}-route-{quote_request.reference}")
        if index in spam:
            rejected = index == min(spam) or (index != max(spam) and rng_request.random() < 0.6)
            _spam(rng_request, quote_request, rejected=rejected)
        quote_request.save(force_insert=True)
        _log_received(quote_request)
        bar.update(1)
        if index not in routed:
            continue
        to_partner = quote_request.channel == Channel.API and rng_request.random() < 0.3
        if index in recent:
            to_partner = _for_members(quote_request, context, recent.index(index)) or to_partner
        _route(
            rng_request,
            quote_request,
            context,
            to_partner=to_partner and bool(quote_request.commune_id),
            # One recent request at least waits for staff review, so the inbox shows one.
            review=index == routed[-1],
        )
        if index in duplicated:
            duplicate = _duplicate_of(rng_request, quote_request, number, context.now)
            duplicate.save(force_insert=True)
            _log_received(duplicate)
            number += 1
            bar.update(1)
    bar.close()
    return number


def _log_received(quote_request: QuoteRequest) -> None:
    entries = [
        RoutingLogEntry(
            quote_request=quote_request,
            at=quote_request.created_at,
            actor=quote_request.submitted_by,
            event="received",
            details={"channel": quote_request.channel, "demo": True},
        )
    ]
    if quote_request.status in (RequestStatus.QUARANTINED, RequestStatus.REJECTED):
        entries.append(
            RoutingLogEntry(
                quote_request=quote_request,
                at=quote_request.created_at,
                event="quarantined",
                details={"score": quote_request.spam_score, "reasons": quote_request.spam_reasons},
            )
        )
    if quote_request.status == RequestStatus.DUPLICATE:
        entries.append(
            RoutingLogEntry(
                quote_request=quote_request,
                at=quote_request.created_at,
                event="duplicate",
                details={
                    "of": quote_request.duplicate_of_id,
                    "reference": quote_request.duplicate_of.reference,
                },
            )
        )
    RoutingLogEntry.objects.bulk_create(entries)
