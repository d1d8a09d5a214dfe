"""A member's own part in the bureau's events: role, contribution, time slot, its own
appointments, the results the bureau publishes once an event is closed, and the .ics file."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from micedesk.extranet.decorators import extranet_member_required
from micedesk.operations.ical import event_ics
from micedesk.operations.models import Appointment, BureauEvent, EventStatus
from micedesk.operations.selectors import (
    event_for_member,
    participations_for,
    published_results_for,
)

# The published results in the order they are shown; anything else the selector adds stays out.
RESULT_LABELS = (
    ("contacts_met", _("Contacts met")),
    ("appointments_held", _("Appointments held")),
    ("useful_contacts", _("Useful contacts")),
    ("events_won", _("Events won")),
    ("delegate_days", _("Delegate-days")),
    ("economic_impact", _("Economic impact (€)")),
)


def _own_participations(request: HttpRequest):
    # Only the member's own appointments, and of their contacts only what a card shows.
    appointments = Appointment.objects.select_related("contact__company").order_by(
        "starts_at", "pk"
    )
    return (
        participations_for(user=request.user)
        .select_related("event", "supplier", "partner")
        .prefetch_related(Prefetch("appointments", queryset=appointments))
    )


@require_safe
@extranet_member_required
def my_events(request: HttpRequest) -> HttpResponse:
    participations = _own_participations(request).order_by("-event__starts_on", "event__name")
    return render(request, "extranet/operations_events.html", {"participations": participations})


@require_safe
@extranet_member_required
def my_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = _own_event(request, pk)
    participations = list(_own_participations(request).filter(event=event))
    published: dict = {}
    if event.status == EventStatus.CLOSED:
        published = published_results_for(user=request.user, event=event)
    context = {
        "event": event,
        "participations": participations,
        "results": [(label, published[key]) for key, label in RESULT_LABELS if key in published],
        "window_ends_on": None if published.get("window_over") else published.get("window_ends_on"),
    }
    return render(request, "extranet/operations_event.html", context)


@require_safe
@extranet_member_required
def my_event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = _own_event(request, pk)
    response = HttpResponse(event_ics(event=event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evenement-{event.pk}.ics"'
    return response


def _own_event(request: HttpRequest, pk: int) -> BureauEvent:
    """An event the member's organisation takes part in; any other is a 404, not a 403, so
    that the list of the bureau's events cannot be probed."""
    return event_for_member(user=request.user, pk=pk)
