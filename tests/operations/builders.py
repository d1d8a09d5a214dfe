"""Builders of the operations tests (and of the screens built on them): bureau events with their
CRM action, participants, guests, contacts met, cost lines, and won requests of a met contact as
intake, the outcome and the CRM link leave them."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from micedesk.crm.models import Contact, Interaction, InteractionKind
from micedesk.crm.services import quote_request_link
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from micedesk.leads.models import QuoteRequest, RequestStatus
from micedesk.operations import services
from micedesk.operations.models import (
    Attendance,
    BureauEvent,
    CostLine,
    EventGuest,
    EventParticipant,
    EventStatus,
    ParticipantRole,
)
from tests import factories
from tests.crm import builders as crm_builders
from tests.leads.builders import quote_request

_numbers = itertools.count(1)
DAY = datetime.date(2024, 3, 14)


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """That day at `hour`, Paris time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def event(**fields: object) -> BureauEvent:
    """An event and its CRM action through the service: a workshop in Caen on 14 March 2024 held
    (status given by `status`, default held) unless told otherwise."""
    status = fields.pop("status", EventStatus.HELD)
    starts_on = fields.setdefault("starts_on", DAY)
    fields.setdefault("ends_on", starts_on)
    fields.setdefault("name", f"Workshop {next(_numbers)}")
    fields.setdefault("kind", "workshop")
    fields.setdefault("place", "Caen")
    fields.setdefault("department_code", "14")
    made = services.event_create(data=fields, user=None)
    if made.status != status:
        BureauEvent.objects.filter(pk=made.pk).update(status=status)
        made.status = status
    return made


def participant(
    event: BureauEvent,
    *,
    supplier: Supplier | None = None,
    partner: Partner | None = None,
    role: str = ParticipantRole.EXHIBITOR,
    cost_share: Decimal | int = 0,
    **fields: object,
) -> EventParticipant:
    """A supplier (a new one when neither supplier nor partner is given) taking part."""
    if supplier is None and partner is None:
        supplier = factories.SupplierFactory(email=f"sales{next(_numbers)}@venue.example")
    return EventParticipant.objects.create(
        event=event,
        supplier=supplier,
        partner=partner,
        role=role,
        cost_share=Decimal(cost_share),
        **fields,
    )


def contact(**fields: object) -> Contact:
    """A CRM contact (Paris, France) with a unique e-mail address."""
    return crm_builders.contact(**fields)


def guest(
    event: BureauEvent, contact: Contact, attendance: str = Attendance.INVITED, **fields: object
) -> EventGuest:
    """A guest row only (no timeline item): use `met` for a touch."""
    return EventGuest.objects.create(event=event, contact=contact, attendance=attendance, **fields)


def met(
    event: BureauEvent,
    contact: Contact,
    *,
    at: datetime.datetime | None = None,
    kind: str = InteractionKind.MET,
) -> Interaction:
    """The contact met at the event: a MET item on its timeline against the event's action and
    the guest row met on site."""
    EventGuest.objects.update_or_create(
        event=event,
        contact=contact,
        defaults={"attendance": Attendance.ATTENDED, "met_on_site": True},
    )
    return Interaction.objects.create(
        contact=contact, kind=kind, action=event.action, occurred_at=at or aware(event.starts_on)
    )


def cost_line(event: BureauEvent, **fields: object) -> CostLine:
    fields.setdefault("category", "stand")
    fields.setdefault("budget", Decimal("1000.00"))
    return CostLine.objects.create(event=event, **fields)


def regional_supplier(**fields: object) -> Supplier:
    """A published supplier in Caen (Normandy): its wins count."""
    return factories.SupplierFactory(**fields)


def won_request(
    contact: Contact,
    *,
    created_at: datetime.datetime,
    supplier: Supplier | None = None,
    link: bool = True,
    **fields: object,
) -> QuoteRequest:
    """A request of that contact (same e-mail) won by a supplier of the region, linked to the
    contact's timeline as the CRM does (`link=False` leaves only the e-mail to match)."""
    supplier = supplier or regional_supplier()
    fields.setdefault("participants", 40)
    fields.setdefault("days", 2)
    request = quote_request(
        email=contact.email,
        contact_name=contact.full_name,
        created_at=created_at,
        status=RequestStatus.WON,
        won_by=supplier,
        outcome_declared_at=created_at + datetime.timedelta(days=30),
        **fields,
    )
    if link:
        quote_request_link(quote_request=request)
    return request
