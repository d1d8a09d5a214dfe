"""Reference data of the CRM: topics of interest, consent wordings (version 1 of each purpose) and
the register of processing activities. Loading is idempotent: rows are found by their key."""

from __future__ import annotations

import datetime

from django.db import transaction

from micedesk.crm.models import ConsentWording, ProcessingActivity, Purpose, Topic

# (code, French, English): the MICE kinds, then the region's themes.
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("seminaires", "Séminaires", "Seminars"),
    ("congres", "Congrès", "Congresses"),
    ("conventions", "Conventions d'entreprise", "Corporate conventions"),
    ("incentive", "Incentive", "Incentive trips"),
    ("team-building", "Team building", "Team building"),
    ("soirees", "Soirées de gala", "Gala evenings"),
    ("salons", "Salons et expositions", "Trade shows and exhibitions"),
    ("evenementiel-rse", "Événementiel responsable (RSE)", "Sustainable events (CSR)"),
    ("seminaires-au-vert", "Séminaires au vert", "Countryside seminars"),
    ("gastronomie", "Gastronomie et terroir", "Food and local produce"),
    ("patrimoine", "Patrimoine et culture", "Heritage and culture"),
    ("impressionnisme", "Impressionnisme", "Impressionism"),
    ("mer", "Mer et littoral", "Sea and coast"),
    ("memoire-d-day", "Mémoire du D-Day", "D-Day remembrance"),
    ("nature-bien-etre", "Nature et bien-être", "Nature and wellness"),
    ("sport-nautisme", "Sport et nautisme", "Sport and sailing"),
    ("equitation", "Cheval et équitation", "Horses and riding"),
    ("tourisme-industriel", "Visites d'entreprises", "Industrial tourism"),
)

WORDINGS_EFFECTIVE_FROM = datetime.date(2024, 1, 1)
WORDINGS: dict[str, tuple[str, str]] = {
    Purpose.MAILING: (
        "J'accepte de recevoir par e-mail les actualités de Normandie Meetings & Events sur les "
        "thèmes que j'ai choisis. Je peux me désinscrire à tout moment par le lien présent dans "
        "chaque message.",
        "I agree to receive by e-mail the news of Normandie Meetings & Events on the topics I "
        "chose. I can unsubscribe at any time through the link in every message.",
    ),
    Purpose.INVITATIONS: (
        "J'accepte d'être invité(e) aux workshops, éductours, webinaires et salons du bureau des "
        "congrès. Je peux retirer mon accord à tout moment par le lien présent dans chaque "
        "invitation.",
        "I agree to be invited to the convention bureau's workshops, familiarisation trips, "
        "webinars and trade shows. I can withdraw at any time through the link in every "
        "invitation.",
    ),
    Purpose.FOLLOW_UP: (
        "Les informations de votre demande de devis sont traitées par le bureau des congrès pour "
        "la transmettre aux prestataires et en assurer le suivi (intérêt légitime). Vous pouvez "
        "vous y opposer et exercer vos droits auprès du bureau.",
        "The details of your quote request are processed by the convention bureau to pass it on "
        "to suppliers and follow it up (legitimate interest). You may object and exercise your "
        "rights with the bureau.",
    ),
}

STAFF_ONLY = "Équipe du bureau des congrès (CRT) uniquement ; aucun partage avec les partenaires."
SAFEGUARDS = (
    "Accès nominatif réservé à l'équipe, journal des consultations, exports et modifications ; "
    "sauvegardes chiffrées ; hébergement dans l'Union européenne."
)
# (name, purpose, legal basis, data, people, recipients, retention)
ACTIVITIES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "CRM des organisateurs et prescripteurs",
        "Connaître les clients et prospects du tourisme d'affaires, tracer l'action du bureau "
        "qui les a fait venir, mesurer les retombées.",
        "Intérêt légitime (prospection B2B)",
        "Identité, coordonnées professionnelles, entreprise, fonction, origine, centres "
        "d'intérêt, historique des échanges.",
        "Organisateurs d'événements, prescripteurs, ambassadeurs, journalistes",
        STAFF_ONLY,
        "3 ans après le dernier contact, puis anonymisation automatique.",
    ),
    (
        "Demandes de devis",
        "Transmettre les demandes aux prestataires ou au partenaire du territoire, en suivre la "
        "réponse et l'issue.",
        "Mesures précontractuelles à la demande de la personne ; intérêt légitime pour le suivi",
        "Identité, coordonnées, organisation, besoins de l'événement, besoins d'accessibilité.",
        "Organisateurs d'événements",
        "Prestataires destinataires (coordonnées seulement avec l'accord de l'organisateur), "
        "partenaire institutionnel du territoire, équipe du bureau.",
        "3 ans après la demande ; chiffres conservés sous forme anonyme.",
    ),
    (
        "Invitations aux événements du bureau",
        "Inviter aux workshops, éductours, webinaires, salons, en renouvelant les invités.",
        "Consentement",
        "Identité, coordonnées professionnelles, centres d'intérêt, participations passées.",
        "Organisateurs, prescripteurs",
        STAFF_ONLY,
        "Jusqu'au retrait du consentement, au plus 3 ans sans contact.",
    ),
    (
        "E-mailings thématiques",
        "Envoyer les actualités du tourisme d'affaires par thème.",
        "Consentement",
        "Adresse e-mail, nom, langue, centres d'intérêt.",
        "Organisateurs, prescripteurs, journalistes",
        STAFF_ONLY + " Sous-traitant d'envoi lié par contrat.",
        "Jusqu'à la désinscription, au plus 3 ans sans contact.",
    ),
    (
        "Évaluation des prestataires (grilles de qualification)",
        "Qualifier l'offre selon les grilles du bureau, publier le niveau obtenu.",
        "Mission d'intérêt public / intérêt légitime",
        "Nom des évaluateurs et des contacts des prestataires, réponses, pièces justificatives, "
        "photos.",
        "Prestataires, évaluateurs des partenaires",
        "Équipe du bureau, partenaire évaluateur, prestataire concerné.",
        "Durée de validité de la qualification plus 3 ans.",
    ),
    (
        "Journal d'audit des données personnelles",
        "Savoir qui a consulté, exporté ou modifié des données personnelles.",
        "Obligation de sécurité (RGPD article 32)",
        "Identifiant de l'utilisateur, action, identifiants des fiches, date ; jamais les données.",
        "Utilisateurs du back-office",
        "Équipe du bureau, délégué à la protection des données.",
        "5 ans.",
    ),
)


@transaction.atomic
def crm_reference_load() -> dict[str, int]:
    """Create what is missing; the counts created. Existing rows are left as staff edited them."""
    created = {"topics": 0, "wordings": 0, "activities": 0}
    for code, name_fr, name_en in TOPICS:
        _topic, new = Topic.objects.get_or_create(
            code=code, defaults={"name_fr": name_fr, "name_en": name_en}
        )
        created["topics"] += new
    for purpose, (text_fr, text_en) in WORDINGS.items():
        _wording, new = ConsentWording.objects.get_or_create(
            purpose=purpose,
            version=1,
            defaults={
                "text_fr": text_fr,
                "text_en": text_en,
                "effective_from": WORDINGS_EFFECTIVE_FROM,
            },
        )
        created["wordings"] += new
    for position, row in enumerate(ACTIVITIES, start=1):
        name, purpose, basis, data, people, recipients, retention = row
        _activity, new = ProcessingActivity.objects.get_or_create(
            name=name,
            defaults={
                "purpose": purpose,
                "legal_basis": basis,
                "data_categories": data,
                "data_subjects": people,
                "recipients": recipients,
                "retention": retention,
                "safeguards": SAFEGUARDS,
                "position": position,
            },
        )
        created["activities"] += new
    return created
