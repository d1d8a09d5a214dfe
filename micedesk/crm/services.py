"""Writes on the CRM: contacts, companies, timeline, merges, consents, the link from quote requests,
and the GDPR operations (a person's data, erasure, retention). Every change of personal data leaves
an audit entry that names ids and fields, never the values."""

from __future__ import annotations

import calendar
import codecs
import datetime
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.forms.models import model_to_dict
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from micedesk.core.text import fold
from micedesk.crm.keys import company_key, email_key, person_key
from micedesk.crm.models import (
    OUTBOUND_INTERACTION_KINDS,
    AuditAction,
    AuditEntry,
    BureauAction,
    Company,
    CompanyKind,
    Consent,
    ConsentMethod,
    ConsentWording,
    Contact,
    ImportBatch,
    Interaction,
    InteractionKind,
    LegalBasis,
    Purpose,
)
from micedesk.leads.models import QuoteRequest, RequestStatus
from micedesk.leads.privacy import quote_request_anonymise, scrub

if TYPE_CHECKING:
    from micedesk.accounts.models import User
    from micedesk.directory.models import Supplier

logger = logging.getLogger(__name__)

ANONYMISED_NAME = "Anonymised"
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "kind",
    "language",
    "city",
    "postal_code",
    "department_code",
    "region",
    "country",
    "source_detail",
    "notes",
)
# Emptied by an anonymisation; kind, department, region, country and topics stay for the figures.
CONTACT_PERSONAL_FIELDS = (
    "first_name",
    "email",
    "phone",
    "job_title",
    "city",
    "postal_code",
    "source_detail",
    "notes",
)
COMPANY_FIELDS = (
    "name",
    "kind",
    "naf_code",
    "size",
    "website",
    "city",
    "postal_code",
    "department_code",
    "region",
    "country",
)
ACTION_FIELDS = ("name", "kind", "starts_on", "ends_on", "place", "commune", "department_code")
# Keys of Interaction.details that hold figures, not people: kept by an anonymisation.
FIGURE_KEYS = frozenset(
    """reference event_kind participants days budget channel batch start_date end_date segment
    purpose granted supplier status line""".split()
)
# A bureau action's name must be this long to be recognised in what a planner wrote.
ACTION_NAME_MIN_LENGTH = 6


# --- Audit ----------------------------------------------------------------------------------


def _actor(user: User | None) -> User | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """One line of the audit log. `details` holds ids, field names and counts, never values."""
    return AuditEntry.objects.create(
        actor=_actor(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
    )


# --- Companies ------------------------------------------------------------------------------


def _assign(instance: models.Model, data: dict, allowed: Iterable[str]) -> list[str]:
    """Copy the allowed keys of `data` onto `instance`; the names of the fields that changed."""
    changed = []
    for name in allowed:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def company_create(*, data: dict, user: User | None) -> Company:
    company = Company()
    _assign(company, data, COMPANY_FIELDS)
    company.name_key = company_key(company.name)
    company.full_clean()
    company.save()
    audit_record(actor=user, action=AuditAction.CREATE, object_type="company", object_id=company.pk)
    return company


def company_update(*, company: Company, data: dict, user: User | None) -> Company:
    changed = _assign(company, data, COMPANY_FIELDS)
    company.name_key = company_key(company.name)
    company.full_clean()
    company.save()
    if changed:
        audit_record(
            actor=user,
            action=AuditAction.CHANGE,
            object_type="company",
            object_id=company.pk,
            details={"fields": changed},
        )
    return company


def company_find_or_create(*, name: str, kind: str = CompanyKind.COMPANY, user=None) -> Company:
    """The company of that name (compared by key), created when there is none."""
    key = company_key(name)
    company = Company.objects.filter(name_key=key).order_by("pk").first() if key else None
    if company is not None:
        return company
    if kind not in CompanyKind.values:
        kind = CompanyKind.OTHER
    return company_create(data={"name": name, "kind": kind}, user=user)


# --- Contacts -------------------------------------------------------------------------------


def _clean_contact(contact: Contact) -> None:
    contact.email = contact.email.strip()
    contact.name_key = person_key(contact.first_name, contact.last_name)
    contact.full_clean()


def contact_create(
    *,
    data: dict,
    user: User | None,
    company: Company | None = None,
    source_action: BureauAction | None = None,
) -> Contact:
    """A new contact; `data` holds the model's fields by name and optionally `topics`."""
    contact = Contact(company=company, source_action=source_action, created_by=_actor(user))
    _assign(contact, data, CONTACT_FIELDS)
    if "company" in data and company is None:
        contact.company = data["company"]
    if "source_action" in data and source_action is None:
        contact.source_action = data["source_action"]
    with transaction.atomic():
        _clean_contact(contact)
        contact.save()
        if data.get("topics"):
            contact.topics.set(data["topics"])
        audit_record(
            actor=user, action=AuditAction.CREATE, object_type="contact", object_id=contact.pk
        )
    return contact


def contact_update(*, contact: Contact, data: dict, user: User | None) -> Contact:
    changed = _assign(contact, data, CONTACT_FIELDS + ("company", "source_action"))
    with transaction.atomic():
        _clean_contact(contact)
        contact.save()
        if "topics" in data:
            before = set(contact.topics.values_list("pk", flat=True))
            contact.topics.set(data["topics"])
            if before != set(contact.topics.values_list("pk", flat=True)):
                changed.append("topics")
        if changed:
            audit_record(
                actor=user,
                action=AuditAction.CHANGE,
                object_type="contact",
                object_id=contact.pk,
                details={"fields": changed},
            )
    return contact


# --- Timeline -------------------------------------------------------------------------------


def _first_touch_at(contact: Contact) -> datetime.datetime | None:
    """When the contact's first touch happened: its earliest interaction with an action, or, for
    a source recorded without one (an import), the contact's creation."""
    first = (
        contact.interactions.filter(action__isnull=False)
        .exclude(kind__in=OUTBOUND_INTERACTION_KINDS)
        .order_by("occurred_at", "pk")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if first is None and contact.source_action_id is not None:
        return contact.created_at
    return first


def interaction_add(
    *,
    contact: Contact,
    kind: str,
    user: User | None = None,
    occurred_at: datetime.datetime | None = None,
    action: BureauAction | None = None,
    quote_request: QuoteRequest | None = None,
    supplier: Supplier | None = None,
    summary: str = "",
    details: dict | None = None,
) -> Interaction:
    """Add an item to the timeline (idempotent for a request's items). A touch through an action
    earlier than the contact's first touch becomes its source."""
    occurred_at = occurred_at or timezone.now()
    if quote_request is not None:
        existing = Interaction.objects.filter(
            contact=contact, quote_request=quote_request, kind=kind
        ).first()
        if existing is not None:
            return existing
    interaction = Interaction(
        contact=contact,
        kind=kind,
        occurred_at=occurred_at,
        author=_actor(user),
        action=action,
        quote_request=quote_request,
        supplier=supplier,
        summary=summary,
        details=details or {},
    )
    interaction.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            first_touch = _first_touch_at(contact) if action is not None else None
            interaction.save()
            _touch(contact, interaction, first_touch)
    except IntegrityError:
        # Another process linked the same request at the same moment: theirs stands.
        return Interaction.objects.get(contact=contact, quote_request=quote_request, kind=kind)
    return interaction


def _touch(
    contact: Contact, interaction: Interaction, first_touch: datetime.datetime | None
) -> None:
    updates: dict[str, Any] = {}
    if contact.last_interaction_at is None or interaction.occurred_at > contact.last_interaction_at:
        updates["last_interaction_at"] = interaction.occurred_at
    if (
        interaction.action_id is not None and interaction.kind not in OUTBOUND_INTERACTION_KINDS
    ) and (
        contact.source_action_id is None
        or first_touch is None
        or interaction.occurred_at < first_touch
    ):
        updates["source_action_id"] = interaction.action_id
    if updates:
        Contact.objects.filter(pk=contact.pk).update(**updates)
        for name, value in updates.items():
            setattr(contact, name, value)


# --- Merge ----------------------------------------------------------------------------------


def _is_empty(value: object) -> bool:
    return value is None or value == ""


def _fill_fields(survivor: Contact, duplicate: Contact, take: Iterable[str]) -> list[str]:
    take = set(take)
    unknown = take - set(CONTACT_FIELDS) - {"company"}
    if unknown:
        raise ValidationError(
            _("These fields cannot be taken from the other contact: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    changed = []
    for name in CONTACT_FIELDS + ("company",):
        attname = "company_id" if name == "company" else name
        theirs = getattr(duplicate, attname)
        if _is_empty(theirs):
            continue
        wanted = name in take or _is_empty(getattr(survivor, attname))
        if wanted and getattr(survivor, attname) != theirs:
            setattr(survivor, attname, theirs)
            changed.append(name)
    return changed


def _move_relations(survivor: Contact, duplicate: Contact) -> dict[str, int]:
    """Point every row that refers to the duplicate at the survivor; the counts moved."""
    moved: dict[str, int] = {}
    # A request linked to both stays once on the survivor's timeline (one item, not two).
    kept = set(
        survivor.interactions.filter(quote_request__isnull=False).values_list(
            "quote_request_id", "kind"
        )
    )
    clashes = [
        pk
        for pk, request_id, kind in duplicate.interactions.filter(
            quote_request__isnull=False
        ).values_list("pk", "quote_request_id", "kind")
        if (request_id, kind) in kept
    ]
    moved["interactions_same_request"] = len(clashes)
    Interaction.objects.filter(pk__in=clashes).delete()
    for relation in Contact._meta.related_objects:
        if relation.many_to_many:
            accessor = relation.get_accessor_name()
            others = list(getattr(duplicate, accessor).all())
            getattr(survivor, accessor).add(*others)
            moved[accessor] = len(others)
        elif relation.one_to_many or relation.one_to_one:
            count = relation.related_model._default_manager.filter(
                **{relation.field.name: duplicate}
            ).update(**{relation.field.name: survivor})
            moved[relation.get_accessor_name()] = count
    topics = list(duplicate.topics.all())
    survivor.topics.add(*topics)
    moved["topics"] = len(topics)
    moved["audit_entries"] = AuditEntry.objects.filter(
        object_type="contact", object_id=duplicate.pk
    ).update(object_id=survivor.pk)
    return moved


def _first_source(survivor: Contact, duplicate: Contact) -> BureauAction | None:
    """The earlier first touch of the two (read before their timelines are joined)."""
    candidates = []
    for contact in (survivor, duplicate):
        first = (
            contact.interactions.filter(action__isnull=False)
            .select_related("action")
            .order_by("occurred_at", "pk")
            .first()
        )
        if first is not None:
            candidates.append((first.occurred_at, first.pk, first.action))
        source = contact.source_action
        if source is not None and not contact.interactions.filter(action=source).exists():
            # A source recorded without a touch (an import) dates from the contact's creation.
            candidates.append((contact.created_at, 0, source))
    candidates.sort(key=lambda candidate: candidate[:2])
    return candidates[0][2] if candidates else None


def contact_merge(
    *, survivor: Contact, duplicate: Contact, user: User | None, take: Iterable[str] = ()
) -> Contact:
    """Merge `duplicate` into `survivor`: its timeline, consents, topics and audit trail follow;
    fields in `take` come from the duplicate, empty fields of the survivor are filled from it;
    the source is the earlier first touch of the two. The duplicate is deleted."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A contact cannot be merged with itself."))
    with transaction.atomic():
        survivor = Contact.objects.select_for_update().get(pk=survivor.pk)
        duplicate = Contact.objects.select_for_update().get(pk=duplicate.pk)
        source = _first_source(survivor, duplicate)
        changed = _fill_fields(survivor, duplicate, take)
        moved = _move_relations(survivor, duplicate)
        survivor.source_action = source
        survivor.last_interaction_at = max(
            survivor.last_interaction_at, duplicate.last_interaction_at
        )
        survivor.created_at = min(survivor.created_at, duplicate.created_at)
        survivor.retention_notice_at = None
        duplicate_id = duplicate.pk
        # The address is unique: the duplicate leaves before the survivor takes it.
        duplicate.delete()
        _clean_contact(survivor)
        survivor.save()
        audit_record(
            actor=user,
            action=AuditAction.MERGE,
            object_type="contact",
            object_id=survivor.pk,
            details={"merged": duplicate_id, "fields": changed, "moved": moved},
        )
    return survivor


# --- Consent --------------------------------------------------------------------------------


def consent_wording_current(*, purpose: str) -> ConsentWording | None:
    today = timezone.localdate()
    return (
        ConsentWording.objects.filter(purpose=purpose, effective_from__lte=today)
        .order_by("-version")
        .first()
    )


def consent_record(
    *,
    contact: Contact,
    purpose: str,
    basis: str,
    granted: bool,
    method: str,
    user: User | None = None,
    wording: ConsentWording | None = None,
    proof: str = "",
    recorded_at: datetime.datetime | None = None,
) -> Consent:
    """A new legal-basis row: the latest per contact and purpose is the one in force."""
    consent = Consent(
        contact=contact,
        purpose=purpose,
        basis=basis,
        granted=granted,
        method=method,
        wording=wording,
        proof=proof[:250],
        recorded_by=_actor(user),
        recorded_at=recorded_at or timezone.now(),
    )
    consent.full_clean()
    consent.save()
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        object_type="contact",
        object_id=contact.pk,
        details={"consent": purpose, "granted": granted, "method": method},
    )
    return consent


def _consent_in_force(contact: Contact, purpose: str) -> Consent | None:
    return (
        Consent.objects.filter(contact=contact, purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def contact_unsubscribe(*, contact: Contact, purpose: str) -> Consent:
    """Withdraw the contact from a purpose (from an unsubscribe link). Withdrawing twice records
    nothing new."""
    if purpose not in Purpose.values:
        raise ValidationError(_("Unknown purpose."))
    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        current = _consent_in_force(contact, purpose)
        if current is not None and not current.granted:
            return current
        consent = Consent(
            contact=contact,
            purpose=purpose,
            basis=current.basis if current else LegalBasis.CONSENT,
            granted=False,
            method=ConsentMethod.UNSUBSCRIBE,
            wording=current.wording if current else None,
        )
        consent.full_clean()
        consent.save()
        audit_record(
            actor=None,
            action=AuditAction.UNSUBSCRIBE,
            object_type="contact",
            object_id=contact.pk,
            details={"purpose": purpose},
        )
    return consent


# --- Quote requests -------------------------------------------------------------------------

NOT_LINKED = (RequestStatus.QUARANTINED, RequestStatus.REJECTED)


def split_name(full_name: str) -> tuple[str, str]:
    """'Marie-Anne de la Tour' -> ('Marie-Anne', 'de la Tour'); one word is a last name."""
    words = full_name.split()
    if len(words) < 2:
        return "", full_name.strip()
    return words[0], " ".join(words[1:])


def _action_named_in(text: str, before: datetime.datetime) -> BureauAction | None:
    """The bureau action a planner names in "how they heard of us", when exactly one action's
    full name appears in it and it began before the request: never a guess."""
    folded = fold(text or "")
    if len(folded) < ACTION_NAME_MIN_LENGTH:
        return None
    found = [
        action
        for action in BureauAction.objects.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=timezone.localdate(before))
        ).only("pk", "name")
        if len(action.name) >= ACTION_NAME_MIN_LENGTH and fold(action.name) in folded
    ]
    return found[0] if len(found) == 1 else None


def contacts_by_email(email: str) -> models.QuerySet[Contact]:
    """The contact of an address whatever its case, through the unique index on lower(email)."""
    return Contact.objects.alias(email_lower=Lower("email")).filter(email_lower=email_key(email))


def _contact_for_request(quote_request: QuoteRequest) -> Contact:
    email = email_key(quote_request.email)
    contact = contacts_by_email(email).first()
    company = None
    if quote_request.organisation.strip():
        company = company_find_or_create(
            name=quote_request.organisation, kind=quote_request.organisation_kind
        )
    if contact is not None:
        if contact.company_id is None and company is not None:
            Contact.objects.filter(pk=contact.pk).update(company=company)
            contact.company = company
        return contact
    first_name, last_name = split_name(quote_request.contact_name)
    data = {
        "first_name": first_name[:100],
        "last_name": last_name[:100] or email.split("@")[0][:100],
        "email": email,
        "phone": quote_request.phone,
        "language": quote_request.language or "fr",
        # What they wrote, kept as their words: it names no action unless one matches.
        "source_detail": quote_request.heard_from[:200],
    }
    try:
        with transaction.atomic():
            return contact_create(data=data, user=None, company=company)
    except (IntegrityError, ValidationError):
        # The same planner's other request created them a moment ago: join that contact.
        contact = contacts_by_email(email).first()
        if contact is None:
            raise
        return contact


def _request_details(quote_request: QuoteRequest) -> dict:
    return {
        "reference": quote_request.reference,
        "event_kind": quote_request.event_kind,
        "participants": quote_request.participants,
        "days": quote_request.days,
        "channel": quote_request.channel,
    }


def quote_request_link(*, quote_request: QuoteRequest) -> Interaction | None:
    """Put a quote request on its planner's timeline: the contact found by e-mail or created from
    the request, a follow-up basis (legitimate interest) with the reference as proof. Idempotent;
    spam is left out."""
    if quote_request.status in NOT_LINKED or not quote_request.email:
        return None
    with transaction.atomic():
        contact = _contact_for_request(quote_request)
        action = _action_named_in(quote_request.heard_from, quote_request.created_at)
        interaction = interaction_add(
            contact=contact,
            kind=InteractionKind.QUOTE_REQUEST,
            occurred_at=quote_request.created_at,
            action=action,
            quote_request=quote_request,
            details=_request_details(quote_request),
        )
        proof = quote_request.reference
        if not contact.consents.filter(purpose=Purpose.FOLLOW_UP, proof=proof).exists():
            consent_record(
                contact=contact,
                purpose=Purpose.FOLLOW_UP,
                basis=LegalBasis.LEGITIMATE_INTEREST,
                granted=True,
                method=ConsentMethod.QUOTE_REQUEST,
                wording=consent_wording_current(purpose=Purpose.FOLLOW_UP),
                proof=proof,
                recorded_at=quote_request.created_at,
            )
    return interaction


def _outcome_details(quote_request: QuoteRequest) -> dict:
    budget = quote_request.outcome_budget
    return {
        "reference": quote_request.reference,
        "event_kind": quote_request.event_kind,
        "participants": quote_request.outcome_participants or quote_request.participants,
        "days": quote_request.outcome_days or quote_request.days,
        "budget": str(budget) if budget is not None else None,
        "start_date": quote_request.start_date.isoformat() if quote_request.start_date else None,
        "end_date": quote_request.end_date.isoformat() if quote_request.end_date else None,
    }


def quote_request_outcome_link(*, quote_request: QuoteRequest) -> Interaction | None:
    """A won request becomes an event held in the region, with the supplier chosen and its scope;
    a lost one adds nothing (and withdraws an earlier "won" that was declared again as lost)."""
    quote_request.refresh_from_db()
    with transaction.atomic():
        held = Interaction.objects.filter(
            quote_request=quote_request, kind=InteractionKind.EVENT_HELD
        )
        if quote_request.status != RequestStatus.WON or quote_request.won_by_id is None:
            held.delete()
            return None
        linked = quote_request_link(quote_request=quote_request)
        if linked is None:
            return None
        occurred_at = quote_request.outcome_declared_at or timezone.now()
        details = _outcome_details(quote_request)
        existing = held.filter(contact=linked.contact).first()
        if existing is not None:
            existing.supplier_id = quote_request.won_by_id
            existing.details = details
            existing.save(update_fields=["supplier", "details"])
            return existing
        return interaction_add(
            contact=linked.contact,
            kind=InteractionKind.EVENT_HELD,
            occurred_at=occurred_at,
            quote_request=quote_request,
            supplier=quote_request.won_by,
            details=details,
        )


def quote_request_received_handler(sender: object, quote_request: QuoteRequest, **kwargs) -> None:
    """Receiver of `leads.signals.quote_request_received`: a CRM failure never fails intake."""
    try:
        quote_request_link(quote_request=quote_request)
    except Exception:
        logger.exception("Linking quote request %s to the CRM failed", quote_request.pk)


def quote_request_outcome_handler(sender: object, quote_request: QuoteRequest, **kwargs) -> None:
    try:
        quote_request_outcome_link(quote_request=quote_request)
    except Exception:
        logger.exception("Linking the outcome of quote request %s failed", quote_request.pk)


# --- Anonymisation and erasure --------------------------------------------------------------


def _scrub_details(details: dict) -> dict:
    return {key: value for key, value in (details or {}).items() if key in FIGURE_KEYS}


def contact_anonymise(*, contact: Contact, user: User | None = None, reason: str) -> None:
    """Remove what identifies the person; kind, origin department, region, country, company and
    topics stay for the figures, so do the timeline's dates, actions and requests."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        for name in CONTACT_PERSONAL_FIELDS:
            setattr(contact, name, "")
        contact.last_name = ANONYMISED_NAME
        contact.name_key = ""
        contact.anonymised_at = timezone.now()
        contact.save()
        for interaction in contact.interactions.all():
            interaction.summary = ""
            interaction.details = _scrub_details(interaction.details)
            interaction.save(update_fields=["summary", "details"])
        contact.consents.update(proof="")
        audit_record(
            actor=user,
            action=AuditAction.ERASE if reason == "erasure" else AuditAction.ANONYMISE,
            object_type="contact",
            object_id=contact.pk,
            details={"reason": reason},
        )


def _jsonable(value: object) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _row(instance: models.Model, exclude: Iterable[str] = ()) -> dict:
    row = model_to_dict(instance, exclude=list(exclude))
    # model_to_dict leaves out the fields forms cannot edit; these are the person's too.
    extra = ("reference", "created_at", "updated_at", "consent_at", "anonymised_at")
    for name in extra + ("retention_notice_at", "outcome_declared_at"):
        if hasattr(instance, name):
            row[name] = getattr(instance, name)
    row["id"] = instance.pk
    return row


def _contacts_of(email: str) -> models.QuerySet[Contact]:
    """The contacts of that address, and those its requests were linked to (the same person,
    whose contact may carry another address since, after a merge or an edit)."""
    key = email_key(email)
    linked = Interaction.objects.filter(quote_request__email__iexact=key).values("contact_id")
    by_email = contacts_by_email(key).values("pk")
    return Contact.objects.filter(Q(pk__in=by_email) | Q(pk__in=linked))


def _requests_of(email: str) -> models.QuerySet[QuoteRequest]:
    return QuoteRequest.objects.filter(email__iexact=email_key(email))


def person_data_export(*, email: str, user: User | None = None) -> dict:
    """Everything held about the person of that e-mail address, ready for json.dumps."""
    contacts = list(_contacts_of(email).select_related("company", "source_action"))
    ids = [contact.pk for contact in contacts]
    data = {
        "email": email_key(email),
        "exported_at": timezone.now(),
        "contacts": [
            {**_row(contact), "topics": [topic.code for topic in contact.topics.all()]}
            for contact in contacts
        ],
        "companies": [_row(contact.company) for contact in contacts if contact.company],
        "interactions": [
            _row(item) for item in Interaction.objects.filter(contact_id__in=ids).order_by("pk")
        ],
        "consents": [
            _row(item) for item in Consent.objects.filter(contact_id__in=ids).order_by("pk")
        ],
        "quote_requests": [
            _row(item, exclude=["requested_suppliers"]) for item in _requests_of(email)
        ],
        "audit_entries": [
            _row(item)
            for item in AuditEntry.objects.filter(object_type="contact", object_id__in=ids)
        ],
    }
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="person",
        details={"contacts": ids, "quote_requests": len(data["quote_requests"])},
    )
    return _jsonable(data)


@dataclass
class ErasureReport:
    contacts: int = 0
    quote_requests: int = 0
    tasks: int = 0
    import_files: int = 0
    contact_ids: list[int] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.contacts or self.quote_requests or self.tasks)


def _erase_task_rows(email: str) -> int:
    """Finished background task rows whose arguments or results name the address: deleted (queued
    ones are left to run; leads queues ids, never addresses)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend keeps no rows here
        return 0
    matching = [
        pk
        for pk, args, result, trace in DBTaskResult.objects.exclude(finished_at=None).values_list(
            "pk", "args_kwargs", "return_value", "traceback"
        )
        if email in json.dumps([args, result]).lower() or email in (trace or "").lower()
    ]
    DBTaskResult.objects.filter(pk__in=matching).delete()
    return len(matching)


def _csv_without(data: bytes, key: str) -> bytes | None:
    """The CSV file without its lines naming the address; None when none does."""
    if key.encode() not in data.lower():
        return None
    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "cp1252", data.decode("cp1252", errors="replace")
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if key not in line.lower()).encode(encoding)


def _xlsx_without(data: bytes, key: str) -> bytes | None:
    """The workbook without its rows naming the address; None when none does."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    changed = False
    for sheet in workbook.worksheets:
        rows = [
            row[0].row
            for row in sheet.iter_rows()
            if any(key in str(cell.value).lower() for cell in row if cell.value is not None)
        ]
        for number in reversed(rows):
            sheet.delete_rows(number)
        changed = changed or bool(rows)
    if not changed:
        return None
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _erase_from_imports(key: str) -> int:
    """Remove the person's rows from the kept import files, and their address from the import
    reports; the number of files rewritten. An unreadable file is left as it is, and logged."""
    rewritten = 0
    for batch in ImportBatch.objects.exclude(file=""):
        batch.report = scrub(batch.report, [key])
        try:
            with batch.file.open("rb") as handle:
                data = handle.read()
            is_xlsx = batch.file.name.lower().endswith(".xlsx")
            cleaned = _xlsx_without(data, key) if is_xlsx else _csv_without(data, key)
        except Exception:
            logger.exception("Import file %s could not be searched for an erasure", batch.pk)
            cleaned = None
        if cleaned is not None:
            name = batch.file.name
            batch.file.storage.delete(name)
            batch.file.name = batch.file.storage.save(name, ContentFile(cleaned))
            rewritten += 1
        batch.save(update_fields=["report", "file"])
    return rewritten


def person_erase(*, email: str, user: User | None = None) -> ErasureReport:
    """Erase the person of that address everywhere: contacts anonymised, quote requests
    anonymised (figures kept), task rows naming them deleted."""
    key = email_key(email)
    report = ErasureReport()
    if not key:
        return report
    with transaction.atomic():
        for contact in _contacts_of(key):
            contact_anonymise(contact=contact, user=user, reason="erasure")
            report.contact_ids.append(contact.pk)
        report.contacts = len(report.contact_ids)
        for quote_request in _requests_of(key):
            quote_request_anonymise(quote_request=quote_request)
            report.quote_requests += 1
        report.tasks = _erase_task_rows(key)
        report.import_files = _erase_from_imports(key)
        if report.found:
            audit_record(
                actor=user,
                action=AuditAction.ERASE,
                object_type="person",
                details={
                    "contacts": report.contact_ids,
                    "quote_requests": report.quote_requests,
                    "tasks": report.tasks,
                    "import_files": report.import_files,
                },
            )
    return report


# --- Retention ------------------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier, the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def retention_limit(*, today: datetime.date) -> datetime.datetime:
    """Contacts whose last interaction is before this moment are kept no longer: their last
    interaction's day is on or before `today` minus the retention period."""
    return _start_of(months_before(today, settings.CRM_RETENTION_MONTHS) + datetime.timedelta(1))


@dataclass
class RetentionReport:
    noticed: int = 0
    anonymised: int = 0
    notice_sent: bool = False
    contact_ids: list[int] = field(default_factory=list)


def _staff_addresses() -> list[str]:
    from micedesk.accounts.models import Role, User

    return list(
        User.objects.filter(is_active=True, role__in=(Role.STAFF, Role.ADMIN))
        .exclude(email="")
        .values_list("email", flat=True)
    )


def retention_link() -> str:
    try:
        path = reverse("backoffice:contacts")
    except NoReverseMatch:
        path = "/backoffice/contacts/"
    return f"{settings.SITE_URL}{path}"


def _send_notice(count: int, on: datetime.date) -> bool:
    recipients = _staff_addresses()
    if not recipients:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"count": count, "on": on, "link": retention_link()}
        subject = ngettext(
            "%(count)s contact will be anonymised soon",
            "%(count)s contacts will be anonymised soon",
            count,
        ) % {"count": count}
        body = render_to_string("crm/mail_retention_notice.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        # The notice is sent again on the next run: the contacts keep no notice date meanwhile.
        logger.exception("The retention notice could not be sent")
        return False
    return True


def retention_run(*, today: datetime.date | None = None) -> RetentionReport:
    """Anonymise the contacts with no interaction for CRM_RETENTION_MONTHS, and tell staff once,
    CRM_RETENTION_NOTICE_DAYS ahead, how many will be (a count and a link, no names)."""
    today = today or timezone.localdate()
    report = RetentionReport()
    alive = Contact.objects.filter(anonymised_at__isnull=True)
    for contact in alive.filter(last_interaction_at__lt=retention_limit(today=today)):
        contact_anonymise(contact=contact, reason="retention")
        report.contact_ids.append(contact.pk)
    report.anonymised = len(report.contact_ids)
    notice_day = today + datetime.timedelta(days=settings.CRM_RETENTION_NOTICE_DAYS)
    due = alive.filter(last_interaction_at__lt=retention_limit(today=notice_day)).filter(
        Q(retention_notice_at__isnull=True)
        | Q(retention_notice_at__lt=models.F("last_interaction_at"))
    )
    ids = list(due.values_list("pk", flat=True))
    if ids and _send_notice(len(ids), notice_day):
        Contact.objects.filter(pk__in=ids).update(retention_notice_at=timezone.now())
        report.noticed, report.notice_sent = len(ids), True
    return report


# --- Bureau actions -------------------------------------------------------------------------


def _save_action(action: BureauAction, data: dict, user: User | None) -> BureauAction:
    _assign(action, data, ACTION_FIELDS)
    action.full_clean()
    with transaction.atomic():
        action.save()
        if "topics" in data:
            action.topics.set(data["topics"])
    return action


def bureau_action_create(*, data: dict, user: User | None) -> BureauAction:
    return _save_action(BureauAction(), data, user)


def bureau_action_update(*, action: BureauAction, data: dict, user: User | None) -> BureauAction:
    return _save_action(action, data, user)
