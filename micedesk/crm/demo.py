"""Demo CRM: three years of bureau actions, the planners of the demo quote requests with their
timelines, and prospects met at the actions, invited, attending, reached by mailings.

Everything is flagged `is_demo` and made up: organisations from word lists, generic first names
and surnames, addresses in `.example`. The generator is deterministic for a seed and idempotent:
a run replaces the previous demo CRM data with the same rows. Prospects are written in bulk; the
planners of the demo requests go through the real link (`quote_request_link`), as a new request
would.
"""

from __future__ import annotations

import datetime
import random
import sys
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from micedesk.core.text import fold
from micedesk.crm.keys import company_key, person_key
from micedesk.crm.models import (
    ActionKind,
    AuditEntry,
    BureauAction,
    Company,
    CompanyKind,
    CompanySize,
    Consent,
    ConsentMethod,
    ConsentWording,
    Contact,
    ContactKind,
    Interaction,
    InteractionKind,
    LegalBasis,
    Purpose,
    Topic,
)
from micedesk.crm.reference import crm_reference_load
from micedesk.crm.services import quote_request_link, quote_request_outcome_link
from micedesk.leads.models import QuoteRequest, RequestStatus

DEMO_SEED = 2026
DEMO_REQUEST_PREFIX = "DEMO-"
PROSPECTS = 2400
COMPANIES = 500
BATCH = 2000

FIRST_NAMES = (
    "Camille", "Alex", "Sacha", "Dominique", "Claude", "Morgan", "Lou", "Charlie", "Andrea",
    "Élise", "Hugo", "Léa", "Louis", "Manon", "Nathan", "Chloé", "Théo", "Inès", "Jules", "Zoé",
    "Paul", "Anaïs", "Lucas", "Clara", "Arthur", "Julie", "Tom", "Sarah", "Noah", "Emma",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre",
    "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
)  # fmt: skip
COMPANY_WORDS = (
    "Horizon", "Azur", "Boréal", "Quartz", "Nova", "Altitude", "Vertige", "Écume", "Sillage",
    "Orée", "Cobalt", "Lumen", "Alpha", "Helios", "Zéphyr", "Sextant", "Archipel", "Vega",
)  # fmt: skip
COMPANY_FORMS = {
    CompanyKind.COMPANY: ("Groupe", "Laboratoires", "Industries", "Solutions", "Conseil"),
    CompanyKind.AGENCY: ("Agence", "Studio", "Events"),
    CompanyKind.ASSOCIATION: ("Association", "Fédération", "Société savante"),
    CompanyKind.PUBLIC_BODY: ("Syndicat", "Office public"),
    CompanyKind.MEDIA: ("Magazine", "Revue"),
}
JOBS = (
    "Responsable événementiel", "Chef de projet", "Assistante de direction", "Directeur commercial",
    "Responsable RH", "Office manager", "Chargée de communication", "Directrice d'agence",
)  # fmt: skip
# Department, region, country of the prospects: Paris and the big cities first, some abroad.
ORIGINS = (
    ("75", "Île-de-France", "FR", 30),
    ("92", "Île-de-France", "FR", 12),
    ("69", "Auvergne-Rhône-Alpes", "FR", 6),
    ("76", "Normandie", "FR", 8),
    ("14", "Normandie", "FR", 7),
    ("59", "Hauts-de-France", "FR", 5),
    ("35", "Bretagne", "FR", 4),
    ("33", "Nouvelle-Aquitaine", "FR", 4),
    ("", "", "GB", 5),
    ("", "", "BE", 4),
    ("", "", "DE", 3),
    ("", "", "NL", 2),
)
NAF_CODES = ("70.22Z", "21.20Z", "64.19Z", "62.01Z", "10.51A", "82.30Z", "94.99Z", "84.11Z")


@dataclass(frozen=True)
class _ActionPlan:
    name: str
    kind: str
    month: int
    day: int
    place: str
    department: str
    topics: tuple[str, ...]
    touch: str  # the interaction a contact gets there


ACTIONS_PER_YEAR = (
    _ActionPlan("Heavent Meetings Cannes", ActionKind.TRADE_SHOW, 4, 9, "Cannes", "06",
                ("seminaires", "incentive"), InteractionKind.MET),
    _ActionPlan("Heavent Paris", ActionKind.TRADE_SHOW, 11, 18, "Paris", "75",
                ("seminaires", "congres", "evenementiel-rse"), InteractionKind.MET),
    _ActionPlan("IBTM World Barcelone", ActionKind.TRADE_SHOW, 11, 26, "Barcelone", "",
                ("congres", "incentive"), InteractionKind.MET),
    _ActionPlan("SBE Paris", ActionKind.TRADE_SHOW, 9, 24, "Paris", "75",
                ("seminaires", "team-building"), InteractionKind.MET),
    _ActionPlan("Workshop Normandie à Paris", ActionKind.WORKSHOP, 3, 14, "Paris", "75",
                ("seminaires", "gastronomie"), InteractionKind.ATTENDED),
    _ActionPlan("Workshop Normandie à Rouen", ActionKind.WORKSHOP, 10, 10, "Rouen", "76",
                ("seminaires", "patrimoine"), InteractionKind.ATTENDED),
    _ActionPlan("Éductour Côte Fleurie", ActionKind.EDUCTOUR, 5, 22, "Deauville", "14",
                ("mer", "incentive", "seminaires-au-vert"), InteractionKind.ATTENDED),
    _ActionPlan("Éductour Plages du Débarquement", ActionKind.EDUCTOUR, 6, 12, "Bayeux", "14",
                ("memoire-d-day", "patrimoine"), InteractionKind.ATTENDED),
    _ActionPlan("Webinaire Normandie, destination séminaires", ActionKind.WEBINAR, 2, 6, "", "",
                ("seminaires", "evenementiel-rse"), InteractionKind.ATTENDED),
    _ActionPlan("Campagne « Séminaires au vert »", ActionKind.CAMPAIGN, 3, 1, "", "",
                ("seminaires-au-vert", "nature-bien-etre"), InteractionKind.MAILING),
)  # fmt: skip
YEARS = 3


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def demo_crm_remove() -> int:
    """Delete the demo CRM data (contacts with their timelines and consents, companies, actions)
    and the audit lines about those contacts."""
    contact_ids = list(Contact.objects.filter(is_demo=True).values_list("pk", flat=True))
    company_ids = list(Company.objects.filter(is_demo=True).values_list("pk", flat=True))
    AuditEntry.objects.filter(object_type="contact", object_id__in=contact_ids).delete()
    AuditEntry.objects.filter(object_type="company", object_id__in=company_ids).delete()
    deleted = Contact.objects.filter(pk__in=contact_ids).delete()[0]
    deleted += Company.objects.filter(is_demo=True).delete()[0]
    deleted += BureauAction.objects.filter(is_demo=True).delete()[0]
    return deleted


def _demo_actions(today: datetime.date, topics: dict[str, Topic]) -> list[BureauAction]:
    planned = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        for plan in ACTIONS_PER_YEAR:
            day = datetime.date(year, plan.month, plan.day)
            if day > today or day < today - datetime.timedelta(days=365 * YEARS):
                continue
            planned.append((plan, day))
    actions = BureauAction.objects.bulk_create(
        [
            BureauAction(
                name=f"{plan.name} {day.year}",
                kind=plan.kind,
                starts_on=day,
                ends_on=day + datetime.timedelta(days=2 if plan.kind != ActionKind.WEBINAR else 0),
                place=plan.place,
                department_code=plan.department,
                is_demo=True,
            )
            for plan, day in planned
        ]
    )
    through = BureauAction.topics.through
    through.objects.bulk_create(
        [
            through(bureauaction_id=action.pk, topic_id=topics[code].pk)
            for action, (plan, _day) in zip(actions, planned, strict=True)
            for code in plan.topics
            if code in topics
        ]
    )
    for action, (plan, _day) in zip(actions, planned, strict=True):
        action.touch = plan.touch
        action.topic_codes = plan.topics
    return actions


def _demo_companies(rng: random.Random) -> list[Company]:
    kinds = list(COMPANY_FORMS)
    companies, seen = [], set()
    while len(companies) < COMPANIES:
        kind = rng.choices(kinds, weights=(60, 15, 15, 5, 5))[0]
        name = f"{rng.choice(COMPANY_FORMS[kind])} {rng.choice(COMPANY_WORDS)} {len(companies) + 1}"
        if name in seen:
            continue
        seen.add(name)
        department, region, country, _weight = rng.choices(
            ORIGINS, weights=[o[3] for o in ORIGINS]
        )[0]
        companies.append(
            Company(
                name=name,
                name_key=company_key(name),
                kind=kind,
                naf_code=rng.choice(NAF_CODES),
                size=rng.choice(CompanySize.values),
                department_code=department,
                region=region,
                country=country,
                is_demo=True,
            )
        )
    return Company.objects.bulk_create(companies)


@dataclass
class _Prospect:
    contact: Contact
    touches: list[tuple[BureauAction, str, datetime.datetime]]


def _touches(rng: random.Random, actions: list[BureauAction]) -> list:
    """One to four actions, in date order; a workshop or éductour begins with an invitation."""
    chosen = sorted(rng.sample(actions, k=min(len(actions), rng.choice((1, 1, 2, 2, 3, 4)))),
                    key=lambda action: action.starts_on)  # fmt: skip
    touches = []
    for action in chosen:
        when = _aware(action.starts_on, rng.randint(9, 17))
        if action.touch == InteractionKind.ATTENDED:
            touches.append((action, InteractionKind.INVITED, when - datetime.timedelta(days=30)))
            if rng.random() < 0.6:
                touches.append((action, InteractionKind.ATTENDED, when))
        else:
            touches.append((action, action.touch, when))
    return touches


def _prospect(rng: random.Random, number: int, companies: list[Company], actions) -> _Prospect:
    company = rng.choice(companies)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    touches = _touches(rng, actions)
    slug = "-".join(fold(company.name).split())
    complete = rng.random() < 0.85  # some records lack their origin, for the quality screen
    contact = Contact(
        first_name=first,
        last_name=last,
        name_key=person_key(first, last),
        email=f"{fold(first)}.{fold(last)}.{number}@{slug}.example".replace(" ", ""),
        phone=f"0639980{number % 1000:03d}" if rng.random() < 0.6 else "",
        job_title=rng.choice(JOBS),
        company=company,
        kind=rng.choices(ContactKind.values, weights=(70, 15, 5, 5, 5))[0],
        language="en" if company.country != "FR" else "fr",
        department_code=company.department_code if complete else "",
        region=company.region if complete else "",
        country=company.country if complete else "",
        source_action=touches[0][0],
        created_at=touches[0][2],
        last_interaction_at=touches[-1][2],
        is_demo=True,
    )
    return _Prospect(contact, touches)


def _consents(rng: random.Random, prospect: _Prospect, wordings: dict) -> list[Consent]:
    rows = []
    first_at = prospect.touches[0][2]
    for purpose, share in ((Purpose.INVITATIONS, 0.75), (Purpose.MAILING, 0.6)):
        if rng.random() >= share:
            continue
        rows.append(
            Consent(
                contact=prospect.contact,
                purpose=purpose,
                basis=LegalBasis.CONSENT,
                granted=True,
                recorded_at=first_at,
                method=ConsentMethod.WEB_FORM,
                wording=wordings.get(purpose),
                proof=f"Formulaire salon {prospect.touches[0][0].pk}",
            )
        )
        if rng.random() < 0.08:
            rows.append(
                Consent(
                    contact=prospect.contact,
                    purpose=purpose,
                    basis=LegalBasis.CONSENT,
                    granted=False,
                    recorded_at=prospect.touches[-1][2] + datetime.timedelta(days=3),
                    method=ConsentMethod.UNSUBSCRIBE,
                    wording=wordings.get(purpose),
                )
            )
    return rows


def _write_prospects(rng, companies, actions, topics, wordings, count, progress) -> int:
    prospects = [_prospect(rng, n, companies, actions) for n in range(count)]
    bar = tqdm(total=len(prospects), desc="CRM prospects", disable=not progress, file=sys.stderr)
    for start in range(0, len(prospects), BATCH):
        chunk = prospects[start : start + BATCH]
        Contact.objects.bulk_create([prospect.contact for prospect in chunk])
        Interaction.objects.bulk_create(
            [
                Interaction(contact=p.contact, kind=kind, occurred_at=when, action=action)
                for p in chunk
                for action, kind, when in p.touches
            ],
            batch_size=BATCH,
        )
        Consent.objects.bulk_create(
            [row for p in chunk for row in _consents(rng, p, wordings)], batch_size=BATCH
        )
        through = Contact.topics.through
        through.objects.bulk_create(
            [
                through(contact_id=p.contact.pk, topic_id=topics[code].pk)
                for p in chunk
                for code in sorted({c for a, _k, _w in p.touches for c in a.topic_codes})
                if code in topics
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        bar.update(len(chunk))
    bar.close()
    return len(prospects)


def _link_requests(rng: random.Random, actions: list[BureauAction], progress: bool) -> int:
    """Put the demo requests on their planners' timelines through the real link; a quarter of
    the planners had met the bureau at an action before, which becomes their first touch."""
    requests = QuoteRequest.objects.filter(reference__startswith=DEMO_REQUEST_PREFIX).order_by(
        "created_at", "pk"
    )
    linked = 0
    for request in tqdm(requests, desc="CRM links", disable=not progress, file=sys.stderr):
        interaction = quote_request_link(quote_request=request)
        if interaction is None:
            continue
        linked += 1
        if request.status == RequestStatus.WON:
            quote_request_outcome_link(quote_request=request)
        contact = interaction.contact
        if contact.is_demo:
            continue
        before = [a for a in actions if _aware(a.starts_on) < request.created_at]
        if before and rng.random() < 0.25:
            action = rng.choice(before)
            Interaction.objects.create(
                contact=contact, kind=InteractionKind.MET, occurred_at=_aware(action.starts_on),
                action=action,
            )  # fmt: skip
            contact.source_action = action
        contact.first_name, contact.last_name = "", request.contact_name[:100]
        contact.name_key = person_key("", contact.last_name)
        contact.is_demo = True
        contact.save(
            update_fields=["first_name", "last_name", "name_key", "source_action", "is_demo"]
        )
    Company.objects.filter(contacts__is_demo=True).update(is_demo=True)
    return linked


def demo_crm_generate(
    *, seed: int = DEMO_SEED, progress: bool = False, prospects: int = PROSPECTS
) -> dict:
    """Replace the demo CRM data; the counts written."""
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        crm_reference_load()
        demo_crm_remove()
        topics = {topic.code: topic for topic in Topic.objects.all()}
        wordings = {w.purpose: w for w in ConsentWording.objects.filter(version=1)}
        actions = _demo_actions(today, topics)
        companies = _demo_companies(rng)
        written = _write_prospects(rng, companies, actions, topics, wordings, prospects, progress)
        linked = _link_requests(rng, actions, progress)
    return {
        "actions": len(actions),
        "companies": Company.objects.filter(is_demo=True).count(),
        "prospects": written,
        "requests_linked": linked,
        "contacts": Contact.objects.filter(is_demo=True).count(),
        "interactions": Interaction.objects.filter(contact__is_demo=True).count(),
    }
