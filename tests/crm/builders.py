"""Builders of the CRM tests: contacts, companies, bureau actions, timeline items and consents,
stored directly (the services are tested on their own)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from micedesk.crm.keys import company_key, person_key
from micedesk.crm.models import (
    ActionKind,
    BureauAction,
    Company,
    Consent,
    ConsentMethod,
    Contact,
    Interaction,
    InteractionKind,
    LegalBasis,
    Purpose,
    Topic,
)

_numbers = itertools.count(1)


def topic(code: str = "seminaires", name_fr: str = "Séminaires", **fields: object) -> Topic:
    found, _created = Topic.objects.get_or_create(
        code=code, defaults={"name_fr": name_fr, "name_en": fields.pop("name_en", code), **fields}
    )
    return found


def company(name: str | None = None, **fields: object) -> Company:
    name = name or f"Demo company {next(_numbers)}"
    return Company.objects.create(name=name, name_key=company_key(name), **fields)


def contact(
    first_name: str = "Alex",
    last_name: str | None = None,
    *,
    topics: list[Topic] | tuple = (),
    **fields: object,
) -> Contact:
    """A contact with a unique e-mail unless told otherwise (`email=""` for none)."""
    number = next(_numbers)
    last_name = last_name or f"Planner{number}"
    fields.setdefault("email", f"contact{number}@company.example")
    fields.setdefault("department_code", "75")
    fields.setdefault("country", "FR")
    created = Contact.objects.create(
        first_name=first_name,
        last_name=last_name,
        name_key=person_key(first_name, last_name),
        **fields,
    )
    if topics:
        created.topics.set(topics)
    return created


def bureau_action(
    name: str | None = None,
    *,
    kind: str = ActionKind.WORKSHOP,
    starts_on: datetime.date | None = None,
    topics: list[Topic] | tuple = (),
    **fields: object,
) -> BureauAction:
    action = BureauAction.objects.create(
        name=name or f"Workshop {next(_numbers)}",
        kind=kind,
        starts_on=starts_on or timezone.localdate(),
        **fields,
    )
    if topics:
        action.topics.set(topics)
    return action


def interaction(
    contact: Contact,
    kind: str = InteractionKind.MET,
    *,
    occurred_at: datetime.datetime | None = None,
    action: BureauAction | None = None,
    **fields: object,
) -> Interaction:
    """A timeline item; the contact's last interaction moves forward, never back."""
    occurred_at = occurred_at or timezone.now()
    item = Interaction.objects.create(
        contact=contact, kind=kind, occurred_at=occurred_at, action=action, **fields
    )
    if occurred_at > contact.last_interaction_at:
        Contact.objects.filter(pk=contact.pk).update(last_interaction_at=occurred_at)
        contact.last_interaction_at = occurred_at
    return item


def consent(
    contact: Contact,
    purpose: str = Purpose.MAILING,
    *,
    granted: bool = True,
    basis: str = LegalBasis.CONSENT,
    method: str = ConsentMethod.WEB_FORM,
    recorded_at: datetime.datetime | None = None,
    **fields: object,
) -> Consent:
    return Consent.objects.create(
        contact=contact,
        purpose=purpose,
        basis=basis,
        granted=granted,
        method=method,
        recorded_at=recorded_at or timezone.now(),
        **fields,
    )
