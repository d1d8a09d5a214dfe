"""The default grids of the four kinds of supplier, loaded as version 1 by `load_default_grids`.

Written from the plan's examples (objective 1, "Recenser et qualifier l'offre"): declarative items
nobody can check are replaced by measured ones (time to answer a quote request, blackout, outlets
per seat) or by verifiable ones with the evidence they need (document, photo, site visit). The
levels only identify MICE professionals; good practice raises the score, it does not gate entry.
"""

from __future__ import annotations

from decimal import Decimal

Section = tuple[str, str]

WELCOME: Section = ("Accueil et relation client", "Welcome and client relations")
ROOMS: Section = ("Salles de réunion", "Meeting rooms")
CATERING: Section = ("Restauration", "Catering")
ACCESS: Section = ("Accessibilité et responsabilité", "Accessibility and responsibility")
COMPLIANCE: Section = ("Conformité", "Compliance")
ORGANISATION: Section = ("Organisation", "Organisation")
ACTIVITY: Section = ("Activité", "Activity")

LEVELS = [
    {"level": 1, "requires_mandatory": True, "min_score": Decimal("0")},
    {"level": 2, "requires_mandatory": True, "min_score": Decimal("50")},
    {"level": 3, "requires_mandatory": True, "min_score": Decimal("80")},
]


def _criterion(
    code: str,
    section: Section,
    label: tuple[str, str],
    help_text: tuple[str, str] = ("", ""),
    **fields: object,
) -> dict:
    data = {
        "code": code,
        "section_fr": section[0],
        "section_en": section[1],
        "label_fr": label[0],
        "label_en": label[1],
        "help_fr": help_text[0],
        "help_en": help_text[1],
        "answer_type": "boolean",
        "unit": "",
        "choices": [],
        "met_choices": [],
        "comparison": "",
        "target": None,
        "measure": "",
        "mandatory": False,
        "verifiable": False,
        "evidence": "",
        "weight": 1,
    }
    data.update(fields)
    if data["evidence"]:
        data["verifiable"] = True
    return data


def _measured(code: str, section: Section, label: tuple[str, str], help_text: tuple[str, str], *,
              measure: str, comparison: str, target: str, unit: str, weight: int) -> dict:  # fmt: skip
    return _criterion(
        code,
        section,
        label,
        help_text,
        answer_type="measured",
        measure=measure,
        comparison=comparison,
        target=Decimal(target),
        unit=unit,
        verifiable=True,
        weight=weight,
    )


def _common_answering(section: Section) -> list[dict]:
    """The measured replacement of "answers a quote request within 48 or 72 h", for every kind."""
    return [
        _measured(
            "quote_first_answer_hours",
            section,
            (
                "Délai médian de première réponse aux demandes de devis",
                "Median time to first answer to quote requests",
            ),
            (
                "Mesuré par la plateforme sur les demandes transmises les 12 derniers mois "
                "(au moins 3 réponses).",
                "Measured by the platform on the requests sent over the last 12 months "
                "(at least 3 answers).",
            ),
            measure="median_first_answer_hours",
            comparison="lte",
            target="48",
            unit="h",
            weight=3,
        ),
        _measured(
            "quote_answer_rate",
            section,
            (
                "Part des demandes de devis ayant reçu une réponse",
                "Share of quote requests answered",
            ),
            (
                "Mesuré par la plateforme sur les 12 derniers mois ; un refus motivé est une réponse.",
                "Measured by the platform over the last 12 months; a refusal with its reason is an answer.",
            ),
            measure="answer_rate",
            comparison="gte",
            target="80",
            unit="%",
            weight=2,
        ),
    ]


def _insurance() -> dict:
    return _criterion(
        "liability_insurance",
        COMPLIANCE,
        (
            "Attestation d'assurance responsabilité civile professionnelle en cours de validité",
            "Current professional liability insurance certificate",
        ),
        mandatory=True,
        evidence="document",
    )


def _named_contact(section: Section) -> dict:
    return _criterion(
        "named_mice_contact",
        section,
        (
            "Un interlocuteur MICE nommé, joignable par téléphone et e-mail, suit chaque événement",
            "A named MICE contact, reachable by phone and e-mail, follows each event",
        ),
        (
            "Son nom et ses coordonnées figurent sur le devis.",
            "Their name and details appear on the quote.",
        ),
        mandatory=True,
        evidence="document",
    )


def _detailed_quote(section: Section) -> dict:
    return _criterion(
        "detailed_quote",
        section,
        (
            "Le devis détaille les prix, les options et les conditions d'annulation",
            "The quote details prices, options and cancellation terms",
        ),
        ("Joindre un devis récent (anonymisé).", "Attach a recent quote (anonymised)."),
        evidence="document",
        weight=2,
    )


def _sustainability(section: Section) -> dict:
    return _criterion(
        "sustainability_label",
        section,
        (
            "Label ou certification environnementale (Clef Verte, ISO 20121, Green Globe…)",
            "Environmental label or certification (Green Key, ISO 20121, Green Globe…)",
        ),
        evidence="document",
    )


def _accessibility(section: Section) -> dict:
    return _criterion(
        "disability_access",
        section,
        (
            "Prestation accessible aux personnes en situation de handicap, ou adaptation proposée",
            "Service accessible to people with disabilities, or an adaptation offered",
        ),
    )


def _english(section: Section) -> dict:
    return _criterion(
        "english_spoken",
        section,
        ("Prestation possible en anglais", "Service possible in English"),
    )


VENUE = [
    _named_contact(WELCOME),
    *_common_answering(WELCOME),
    _detailed_quote(WELCOME),
    _criterion(
        "room_plans_published",
        ROOMS,
        (
            "Plans et capacités par disposition publiés pour chaque salle",
            "Plans and capacities per layout published for each room",
        ),
        ("Sur la fiche ou en document joint.", "On the listing or as an attached document."),
        mandatory=True,
        evidence="document",
    ),
    _measured(
        "rooms_blackout",
        ROOMS,
        ("Salles pouvant être intégralement occultées", "Rooms that can be fully blacked out"),
        (
            "Part des salles de la fiche cochées « occultation totale ».",
            "Share of the listing's rooms marked “full blackout”.",
        ),
        measure="blackout_rooms_share",
        comparison="gte",
        target="100",
        unit="%",
        weight=2,
    ),
    _measured(
        "seats_per_outlet",
        ROOMS,
        (
            "Places par prise de courant dans la salle la moins équipée",
            "Seats per power outlet in the least equipped room",
        ),
        (
            "Capacité maximale de chaque salle divisée par ses prises de courant.",
            "Each room's largest capacity divided by its power outlets.",
        ),
        measure="seats_per_outlet",
        comparison="lte",
        target="10",
        unit="places",
        weight=2,
    ),
    _criterion(
        "soundproofing_checked",
        ROOMS,
        (
            "Isolation phonique vérifiée : porte fermée, on n'entend pas la salle voisine",
            "Soundproofing checked: door closed, the next room cannot be heard",
        ),
        (
            "Constaté par l'évaluateur pendant la visite.",
            "Observed by the evaluator during the visit.",
        ),
        evidence="site_visit",
        weight=2,
    ),
    _criterion(
        "wifi_throughput",
        ROOMS,
        (
            "Débit Wi-Fi mesuré dans la plus grande salle",
            "Wi-Fi throughput measured in the largest room",
        ),
        (
            "Test de débit descendant fait pendant la visite.",
            "Download speed test run during the visit.",
        ),
        answer_type="number",
        unit="Mbit/s",
        comparison="gte",
        target=Decimal("30"),
        evidence="site_visit",
        weight=2,
    ),
    _criterion(
        "plenary_daylight",
        ROOMS,
        ("La salle plénière a la lumière du jour", "The plenary room has daylight"),
        evidence="photo",
    ),
    _criterion(
        "plenary_av",
        ROOMS,
        (
            "Vidéoprojecteur ou écran et sonorisation fournis dans la salle plénière",
            "Projector or screen and sound system provided in the plenary room",
        ),
        evidence="photo",
    ),
    _criterion(
        "room_reset_minutes",
        CATERING,
        (
            "Délai de remise en place d'une salle après un repas",
            "Time to reset a room after a meal",
        ),
        (
            "Délai annoncé par écrit et constaté lors de la visite.",
            "Time given in writing and observed during the visit.",
        ),
        answer_type="number",
        unit="min",
        comparison="lte",
        target=Decimal("30"),
        evidence="site_visit",
    ),
    _criterion(
        "break_content",
        CATERING,
        ("Contenu des pauses", "What the breaks include"),
        ("D'après la carte des pauses jointe.", "From the attached break menu."),
        answer_type="choice",
        choices=[
            {"code": "basic", "label_fr": "Café et eau", "label_en": "Coffee and water"},
            {
                "code": "full",
                "label_fr": "Boissons chaudes, fraîches, eaux et encas",
                "label_en": "Hot and cold drinks, water and snacks",
            },
            {
                "code": "full_local",
                "label_fr": "Complète, avec produits locaux ou de saison",
                "label_en": "Full, with local or seasonal produce",
            },
        ],
        met_choices=["full", "full_local"],
        evidence="document",
    ),
    _criterion(
        "dietary_menus",
        CATERING,
        (
            "Menus végétariens et sans allergènes proposés sans supplément",
            "Vegetarian and allergen-free menus offered at no extra cost",
        ),
        evidence="document",
    ),
    _criterion(
        "step_free_access",
        ACCESS,
        (
            "Accès de plain-pied ou par ascenseur à la salle plénière",
            "Step-free or lift access to the plenary room",
        ),
        evidence="site_visit",
        weight=2,
    ),
    _criterion(
        "public_transport_km",
        ACCESS,
        (
            "Distance à pied du premier arrêt de transport en commun",
            "Walking distance to the nearest public transport stop",
        ),
        answer_type="number",
        unit="km",
        comparison="lte",
        target=Decimal("1"),
    ),
    _sustainability(ACCESS),
    _insurance(),
    _criterion(
        "safety_commission",
        COMPLIANCE,
        (
            "Dernier avis favorable de la commission de sécurité (établissement recevant du public)",
            "Latest favourable opinion of the safety commission (public building)",
        ),
        mandatory=True,
        evidence="document",
    ),
]

AGENCY = [
    _named_contact(WELCOME),
    *_common_answering(WELCOME),
    _detailed_quote(WELCOME),
    _criterion(
        "post_event_report",
        WELCOME,
        (
            "Bilan écrit remis au client après l'événement (participants, budget réalisé, satisfaction)",
            "Written report given to the client after the event (attendance, actual budget, satisfaction)",
        ),
        evidence="document",
        weight=2,
    ),
    _criterion(
        "satisfaction_survey",
        WELCOME,
        (
            "Enquête de satisfaction envoyée aux participants",
            "Satisfaction survey sent to attendees",
        ),
        evidence="document",
    ),
    _criterion(
        "travel_operator_registration",
        COMPLIANCE,
        (
            "Immatriculation au registre des opérateurs de voyages (si l'agence vend des forfaits)",
            "Registered as a travel operator (when the agency sells packages)",
        ),
        answer_type="choice",
        choices=[
            {"code": "yes", "label_fr": "Oui", "label_en": "Yes"},
            {"code": "not_applicable", "label_fr": "Sans objet", "label_en": "Not applicable"},
            {"code": "no", "label_fr": "Non", "label_en": "No"},
        ],
        met_choices=["yes", "not_applicable"],
        mandatory=True,
        evidence="document",
    ),
    _insurance(),
    _criterion(
        "gdpr_attendees",
        COMPLIANCE,
        (
            "Données des participants traitées conformément au RGPD (registre, sous-traitants)",
            "Attendee data processed under the GDPR (register, processors)",
        ),
        mandatory=True,
    ),
    _criterion(
        "mice_staff",
        ORGANISATION,
        (
            "Personnes dédiées à l'événementiel d'entreprise",
            "People dedicated to corporate events",
        ),
        answer_type="number",
        unit="personnes",
        comparison="gte",
        target=Decimal("2"),
    ),
    _criterion(
        "normandy_references",
        ORGANISATION,
        (
            "Événements MICE organisés en Normandie sur les 24 derniers mois",
            "MICE events run in Normandy over the last 24 months",
        ),
        ("Joindre la liste des références.", "Attach the list of references."),
        answer_type="number",
        unit="événements",
        comparison="gte",
        target=Decimal("5"),
        evidence="document",
        weight=2,
    ),
    _criterion(
        "crisis_procedure",
        ORGANISATION,
        (
            "Procédure écrite de gestion de crise sur les événements",
            "Written crisis procedure for events",
        ),
        evidence="document",
    ),
    _criterion(
        "local_suppliers_share",
        ACCESS,
        (
            "Part des prestataires normands dans les événements organisés",
            "Share of Normandy suppliers in the events run",
        ),
        answer_type="number",
        unit="%",
        comparison="gte",
        target=Decimal("50"),
    ),
    _sustainability(ACCESS),
    _english(ACCESS),
]

SERVICE = [
    _named_contact(WELCOME),
    *_common_answering(WELCOME),
    _detailed_quote(WELCOME),
    _criterion(
        "written_lead_time",
        WELCOME,
        (
            "Délai de livraison ou d'intervention garanti par écrit",
            "Delivery or intervention time guaranteed in writing",
        ),
        evidence="document",
    ),
    _insurance(),
    _criterion(
        "business_registration",
        COMPLIANCE,
        (
            "Entreprise immatriculée (SIRET) et habilitations du métier à jour",
            "Registered business (SIRET) with the trade's current authorisations",
        ),
        (
            "Par exemple HACCP, SSIAP, licence de transport.",
            "For example HACCP, SSIAP, transport licence.",
        ),
        mandatory=True,
        evidence="document",
    ),
    _criterion(
        "equipment_maintenance",
        ORGANISATION,
        (
            "Matériel entretenu et contrôlé (registre ou contrat de maintenance)",
            "Equipment serviced and checked (log or maintenance contract)",
        ),
        evidence="document",
        weight=2,
    ),
    _criterion(
        "staff_trained_groups",
        ORGANISATION,
        (
            "Personnel formé à l'accueil de groupes professionnels",
            "Staff trained to serve business groups",
        ),
        evidence="document",
        weight=2,
    ),
    _criterion(
        "mice_references",
        ORGANISATION,
        (
            "Prestations pour des événements d'entreprise sur les 12 derniers mois",
            "Services for corporate events over the last 12 months",
        ),
        answer_type="number",
        unit="événements",
        comparison="gte",
        target=Decimal("5"),
        evidence="document",
    ),
    _accessibility(ACCESS),
    _sustainability(ACCESS),
    _english(ACCESS),
]

ACTIVITY_CRITERIA = [
    _named_contact(WELCOME),
    *_common_answering(WELCOME),
    _detailed_quote(WELCOME),
    _criterion(
        "safety_briefing",
        COMPLIANCE,
        (
            "Consignes de sécurité écrites et briefing avant chaque activité",
            "Written safety rules and a briefing before each activity",
        ),
        mandatory=True,
        evidence="document",
    ),
    _criterion(
        "qualified_instructors",
        COMPLIANCE,
        (
            "Encadrants diplômés ou certifiés pour l'activité",
            "Instructors qualified or certified for the activity",
        ),
        mandatory=True,
        evidence="document",
    ),
    _insurance(),
    _criterion(
        "safety_equipment_checked",
        ACTIVITY,
        (
            "Matériel de sécurité vérifié et registre à jour",
            "Safety equipment checked and its log up to date",
        ),
        evidence="site_visit",
        weight=2,
    ),
    _criterion(
        "bad_weather_plan",
        ACTIVITY,
        ("Solution de repli en cas de mauvais temps", "Fallback in case of bad weather"),
        evidence="document",
        weight=2,
    ),
    _criterion(
        "group_size",
        ACTIVITY,
        (
            "Participants accueillis en même temps",
            "Participants taken at the same time",
        ),
        answer_type="number",
        unit="personnes",
        comparison="gte",
        target=Decimal("20"),
    ),
    _criterion(
        "formats",
        ACTIVITY,
        ("Formats proposés", "Formats offered"),
        answer_type="choice",
        choices=[
            {"code": "one", "label_fr": "Un seul format", "label_en": "One format"},
            {
                "code": "several",
                "label_fr": "Plusieurs durées (2 h, demi-journée, journée)",
                "label_en": "Several lengths (2 h, half day, full day)",
            },
        ],
        met_choices=["several"],
    ),
    _criterion(
        "debriefing",
        ACTIVITY,
        (
            "Débriefing proposé à l'issue de l'activité, relié aux objectifs du groupe",
            "Debriefing offered after the activity, tied to the group's goals",
        ),
    ),
    _accessibility(ACCESS),
    _sustainability(ACCESS),
    _english(ACCESS),
]

DEFAULT_GRIDS = [
    {
        "kind": "venue",
        "name_fr": "Lieux de séminaires",
        "name_en": "Seminar venues",
        "criteria": VENUE,
        "levels": LEVELS,
        "notes": "Version 1 : grille par défaut.",
    },
    {
        "kind": "agency",
        "name_fr": "Agences",
        "name_en": "Agencies",
        "criteria": AGENCY,
        "levels": LEVELS,
        "notes": "Version 1 : grille par défaut.",
    },
    {
        "kind": "service",
        "name_fr": "Prestataires de services",
        "name_en": "Service providers",
        "criteria": SERVICE,
        "levels": LEVELS,
        "notes": "Version 1 : grille par défaut.",
    },
    {
        "kind": "activity",
        "name_fr": "Prestataires d'activités team-building / incentive",
        "name_en": "Team-building and incentive activity providers",
        "criteria": ACTIVITY_CRITERIA,
        "levels": LEVELS,
        "notes": "Version 1 : grille par défaut.",
    },
]
