"""Reads on the bureau's events, scoped to who asks: staff see everything; a supplier's or a
partner's members see the events they take part in and, once an event is closed, its aggregate
results, never the identity of the contacts met."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from micedesk.operations.models import (
    Appointment,
    AppointmentStatus,
    BureauEvent,
    EventGuest,
    EventParticipant,
    EventStatus,
)

if TYPE_CHECKING:
    from micedesk.accounts.models import User


def _is_staff(user: User | None) -> bool:
    return bool(getattr(user, "is_bureau_staff", False))


def _member_filter(user: User, prefix: str = "") -> Q | None:
    """Participations of the user's suppliers and partners; None for other users."""
    if getattr(user, "is_supplier_member", False):
        return Q(**{f"{prefix}supplier__members": user})
    if getattr(user, "is_partner_member", False):
        return Q(**{f"{prefix}partner__members": user})
    return None


def events_for(*, user: User) -> QuerySet[BureauEvent]:
    """Staff: all events; supplier and partner members: those they take part in (partners also
    those they organise); anyone else: none."""
    events = BureauEvent.objects.select_related("commune", "organiser_partner")
    if _is_staff(user):
        return events.all()
    member = _member_filter(user, "participants__")
    if member is None:
        return events.none()
    if getattr(user, "is_partner_member", False):
        member |= Q(organiser_partner__members=user)
    ids = BureauEvent.objects.filter(member).values("pk")
    return events.filter(pk__in=ids)


def event_for_staff(*, user: User, pk: int) -> BureauEvent:
    """One event for the back-office: PermissionDenied for non-staff, Http404 when missing."""
    if not _is_staff(user):
        raise PermissionDenied
    event = (
        BureauEvent.objects.select_related("action", "commune", "organiser_partner", "owner")
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    return event


def event_for_member(*, user: User, pk: int) -> BureauEvent:
    """One event a member takes part in; Http404 otherwise (its existence is not revealed)."""
    event = events_for(user=user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def participations_for(*, user: User) -> QuerySet[EventParticipant]:
    """The user's own organisations' participations, newest event first."""
    member = _member_filter(user)
    if member is None:
        return EventParticipant.objects.none()
    return (
        EventParticipant.objects.filter(member)
        .select_related("event", "supplier", "partner")
        .order_by("-event__starts_on", "pk")
        .distinct()
    )


def _takes_part(user: User, event: BureauEvent) -> bool:
    member = _member_filter(user)
    return member is not None and event.participants.filter(member).exists()


def published_results_for(*, user: User, event: BureauEvent) -> dict:
    """What a participant sees of a closed event: counts and totals only. `available` is False
    until the event is closed. Http404 for someone who did not take part."""
    if not (_is_staff(user) or _takes_part(user, event)):
        raise Http404
    if event.status != EventStatus.CLOSED:
        return {"available": False}
    from micedesk.operations.returns import event_returns

    returns = event_returns(event=event)
    return {
        "available": True,
        "contacts_met": returns.contacts_met,
        "guests_attended": event.guests.filter(attendance="attended").count(),
        "appointments_held": event.appointments.filter(status=AppointmentStatus.HELD).count(),
        "useful_contacts": returns.useful_contacts,
        "events_won": returns.events_won,
        "delegate_days": returns.delegate_days,
        "economic_impact": returns.economic_impact,
        "window_ends_on": returns.window_ends_on,
        "window_over": returns.window_over,
    }


def year_calendar(*, year: int) -> QuerySet[BureauEvent]:
    """The year's events in date order, cancelled ones aside."""
    return (
        BureauEvent.objects.filter(starts_on__year=year)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("commune", "organiser_partner")
        .order_by("starts_on", "name")
    )


def event_guests(*, event: BureauEvent) -> QuerySet[EventGuest]:
    return event.guests.select_related("contact", "contact__company").order_by(
        "contact__last_name", "contact__first_name", "pk"
    )


def event_appointments(*, event: BureauEvent) -> QuerySet[Appointment]:
    return event.appointments.select_related(
        "participant__supplier", "participant__partner", "contact", "contact__company"
    ).order_by("starts_at", "pk")


def event_participants(*, event: BureauEvent) -> QuerySet[EventParticipant]:
    return event.participants.select_related("supplier", "partner").order_by("position", "pk")


def campaign_figures(*, event: BureauEvent) -> dict | None:
    """A campaign's portal visits (counted per day, no person) and the quote requests sent from its
    pages, with how many were won; None for an event without campaign pages."""
    if not event.campaign_slug:
        return None
    from micedesk.leads.models import QuoteRequest, RequestStatus

    requests = QuoteRequest.objects.filter(campaign=event.campaign_slug)
    return {
        "visits": event.visits.aggregate(total=Sum("count"))["total"] or 0,
        "requests": requests.count(),
        "won": requests.filter(status=RequestStatus.WON).count(),
    }
