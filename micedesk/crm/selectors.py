"""Reads of the CRM, for the bureau's staff only: every function refuses anyone else (GDPR: no file
of planners shared with suppliers or partners). Viewing a contact is written to the audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from micedesk.core.text import fold
from micedesk.crm.keys import email_key
from micedesk.crm.models import (
    OUTBOUND_INTERACTION_KINDS,
    AuditAction,
    AuditEntry,
    BureauAction,
    Company,
    Consent,
    Contact,
    Interaction,
    Purpose,
)
from micedesk.crm.services import audit_record

if TYPE_CHECKING:
    from micedesk.accounts.models import User


def _require_staff(user: User | None) -> None:
    if user is None or not user.is_authenticated or not user.is_bureau_staff:
        raise PermissionDenied(gettext("Only the bureau's staff can see contacts."))


# --- Contacts -------------------------------------------------------------------------------


def contacts_for(*, user: User) -> QuerySet[Contact]:
    _require_staff(user)
    return Contact.objects.select_related("company", "source_action")


def with_basis(contacts: QuerySet[Contact], purpose: str) -> QuerySet[Contact]:
    """The contacts whose basis in force for `purpose` is granted (the latest row decides)."""
    latest = Consent.objects.filter(contact=OuterRef("pk"), purpose=purpose).order_by(
        "-recorded_at", "-pk"
    )
    return contacts.annotate(basis_granted=Subquery(latest.values("granted")[:1])).filter(
        basis_granted=True
    )


def _text_filter(q: str) -> Q:
    folded = fold(q.strip())
    words = [word for word in folded.replace(",", " ").split() if word]
    condition = Q()
    for word in words:
        condition &= (
            Q(name_key__contains=word)
            | Q(email__icontains=word)
            | Q(company__name_key__contains=word)
        )
    return condition


def contact_search(*, user: User, q: str = "", filters: dict | None = None) -> QuerySet[Contact]:
    """Contacts by name, e-mail or company (accents and case ignored), filtered by kind,
    department, country, topic (code or id), source action (id), consent (purpose granted).
    Anonymised contacts are left out unless `filters["anonymised"]` is true."""
    contacts = contacts_for(user=user)
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    if q.strip():
        contacts = contacts.filter(_text_filter(q))
    if not filters.get("anonymised"):
        contacts = contacts.filter(anonymised_at__isnull=True)
    for key, lookup in (
        ("kind", "kind"),
        ("department", "department_code"),
        ("country", "country"),
    ):
        if key in filters:
            contacts = contacts.filter(**{lookup: filters[key]})
    if "topic" in filters:
        topic = str(filters["topic"])
        lookup = "topic_id" if topic.isdigit() else "topic__code"
        contacts = contacts.filter(
            Exists(Contact.topics.through.objects.filter(contact=OuterRef("pk"), **{lookup: topic}))
        )
    if "source_action" in filters:
        contacts = contacts.filter(source_action_id=filters["source_action"])
    if "consent" in filters and filters["consent"] in Purpose.values:
        contacts = with_basis(contacts, filters["consent"])
    if "company" in filters:
        contacts = contacts.filter(company_id=filters["company"])
    return contacts


def contact_for(*, user: User, pk: int) -> Contact:
    """One contact, its viewing written to the audit log; Http404 when there is none."""
    contact = contacts_for(user=user).filter(pk=pk).first()
    if contact is None:
        raise Http404(gettext("No such contact."))
    audit_record(actor=user, action=AuditAction.VIEW, object_type="contact", object_id=contact.pk)
    return contact


def contact_timeline(*, user: User, contact: Contact) -> list[Interaction]:
    _require_staff(user)
    return list(
        contact.interactions.select_related("author", "action", "quote_request", "supplier")
    )


@dataclass
class Attribution:
    first_touch: Interaction | None
    touches: list[Interaction]


def contact_attribution(*, contact: Contact) -> Attribution:
    """The first touch (the earliest interaction through a bureau action) and every touch; what the
    bureau sent out (invitations, mailings) is not a touch."""
    touches = list(
        contact.interactions.filter(action__isnull=False)
        .exclude(kind__in=OUTBOUND_INTERACTION_KINDS)
        .select_related("action")
        .order_by("occurred_at", "pk")
    )
    return Attribution(first_touch=touches[0] if touches else None, touches=touches)


# --- Consent --------------------------------------------------------------------------------


def consents_in_force(*, contact: Contact) -> dict[str, Consent | None]:
    """The latest row per purpose (granted or withdrawn), None when nothing was ever recorded."""
    in_force: dict[str, Consent | None] = dict.fromkeys(Purpose.values)
    for consent in contact.consents.select_related("wording").order_by("recorded_at", "pk"):
        in_force[consent.purpose] = consent
    return in_force


def contact_has_basis(*, contact: Contact, purpose: str) -> bool:
    consent = consents_in_force(contact=contact).get(purpose)
    return consent is not None and consent.granted


# --- Duplicates and quality -----------------------------------------------------------------

SAME_EMAIL = "same_email"
SAME_NAME = "same_name"
SAME_INITIAL_AND_COMPANY = "same_initial_and_company"
REASON_LABELS = {
    SAME_EMAIL: _("Same e-mail address"),
    SAME_NAME: _("Same name"),
    SAME_INITIAL_AND_COMPANY: _("Same last name and initial, same company"),
}


@dataclass
class DuplicatePair:
    a: Contact
    b: Contact
    reasons: list[str]

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[reason]) for reason in self.reasons]


def _initial_key(row: tuple) -> tuple | None:
    _pk, _name_key, first_name, last_name, company_id, _email = row
    if company_id is None or not first_name:
        return None
    return (fold(last_name).strip(), fold(first_name)[:1], company_id)


def _keys(row: tuple) -> list[tuple[str, object]]:
    pk, name_key, _first, _last, _company, email = row
    keys: list[tuple[str, object]] = []
    if email:
        keys.append((SAME_EMAIL, email_key(email)))
    if name_key:
        keys.append((SAME_NAME, name_key))
    initial = _initial_key(row)
    if initial is not None:
        keys.append((SAME_INITIAL_AND_COMPANY, initial))
    return keys


def duplicate_candidates(
    *, contact: Contact | None = None, limit: int = 100
) -> list[DuplicatePair]:
    """Pairs of contacts that may be one person: same address, same name, or same last name and
    initial in the same company. With `contact`, only the pairs it is in."""
    rows = Contact.objects.filter(anonymised_at__isnull=True).values_list(
        "pk", "name_key", "first_name", "last_name", "company_id", "email"
    )
    groups: dict[tuple[str, object], list[int]] = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        for key in _keys(row):
            groups[key].append(row[0])
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for (reason, _value), pks in groups.items():
        if len(pks) < 2 or len(pks) > 50:  # a very common name is not a lead
            continue
        for index, first in enumerate(pks):
            for second in pks[index + 1 :]:
                pair = (min(first, second), max(first, second))
                if contact is None or contact.pk in pair:
                    reasons[pair].append(reason)
    pairs = sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0]))[:limit]
    contacts = Contact.objects.select_related("company").in_bulk(
        {pk for pair, _reasons in pairs for pk in pair}
    )
    return [DuplicatePair(contacts[a], contacts[b], found) for (a, b), found in pairs]


QUALITY_FIELDS = (
    ("email", _("E-mail")),
    ("phone", _("Phone")),
    ("job_title", _("Job title")),
    ("company", _("Company")),
    ("department_code", _("Department")),
    ("country", _("Country")),
    ("language", _("Language")),
    ("topics", _("Topics of interest")),
    ("source_action", _("First touch")),
)
WORK_LIST_SIZE = 50


@dataclass
class FieldCompleteness:
    field: str
    label: str
    filled: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 0


@dataclass
class QualityReport:
    total: int
    completeness: list[FieldCompleteness]
    without_origin: int
    without_source: int
    duplicates: list[DuplicatePair]
    work_list: list[Contact] = field(default_factory=list)


def _filled(contacts: QuerySet[Contact], name: str) -> int:
    if name == "topics":
        return contacts.filter(
            Exists(Contact.topics.through.objects.filter(contact=OuterRef("pk")))
        ).count()
    if name in ("company", "source_action"):
        return contacts.filter(**{f"{name}__isnull": False}).count()
    return contacts.exclude(**{name: ""}).count()


NO_ORIGIN = Q(department_code="", country="")


def quality_report(*, user: User) -> QualityReport:
    """How complete the base is, field by field; suspected duplicates; the contacts without
    origin or first touch, oldest first, to fix."""
    contacts = contacts_for(user=user).filter(anonymised_at__isnull=True)
    total = contacts.count()
    completeness = [
        FieldCompleteness(name, str(label), _filled(contacts, name), total)
        for name, label in QUALITY_FIELDS
    ]
    to_fix = contacts.filter(NO_ORIGIN | Q(source_action__isnull=True)).order_by("created_at", "pk")
    return QualityReport(
        total=total,
        completeness=completeness,
        without_origin=contacts.filter(NO_ORIGIN).count(),
        without_source=contacts.filter(source_action__isnull=True).count(),
        duplicates=duplicate_candidates(),
        work_list=list(to_fix[:WORK_LIST_SIZE]),
    )


# --- Companies, actions, audit log ----------------------------------------------------------


def companies_for(*, user: User) -> QuerySet[Company]:
    _require_staff(user)
    return Company.objects.all()


def bureau_actions_for(*, user: User) -> QuerySet[BureauAction]:
    _require_staff(user)
    return BureauAction.objects.prefetch_related("topics")


def audit_entries_for(*, user: User) -> QuerySet[AuditEntry]:
    _require_staff(user)
    return AuditEntry.objects.select_related("actor")
