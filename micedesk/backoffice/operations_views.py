"""Back-office screens of the bureau's events: the list and the year's calendar, creating and
editing an event, and on its page the participants (webinar schedule, éductour programme), the
guests (invited from a CRM segment, attendance), the appointments, the costs and their import, the
partner surveys, closing and cancelling. Staff only; reads go through micedesk.operations.selectors,
writes through micedesk.operations.services."""

from __future__ import annotations

import copy
import csv
import io
from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.backoffice.decorators import staff_required
from micedesk.backoffice.operations_forms import (
    AppointmentForm,
    AppointmentStatusForm,
    AttendanceForm,
    ContactSearchForm,
    CostImportForm,
    CostLineForm,
    EventFilterForm,
    EventForm,
    GuestAddForm,
    GuestFilterForm,
    ParticipantAddForm,
    ParticipantForm,
    PartySearchForm,
    SegmentChoiceForm,
)
from micedesk.crm.models import ActionKind, Contact, Segment
from micedesk.crm.segments import segment_evaluate
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from micedesk.operations import ical, returns, selectors, services
from micedesk.operations.models import (
    AppointmentStatus,
    Attendance,
    BureauEvent,
    CostCategory,
    CostLine,
    EventGuest,
    EventParticipant,
    EventStatus,
    ParticipantRole,
)

SEARCH_LIMIT = 20
GUEST_LIMIT = 500
CALENDAR = "text/calendar; charset=utf-8"
COST_TEMPLATE_ROWS = [
    ["category", "label", "budget", "actual", "hours", "hourly_rate"],
    [CostCategory.STAND, "Stand 18 m²", "4500,00", "4620,50", "", ""],
    [CostCategory.TRANSPORT, "Train Paris", "600", "", "", ""],
    [CostCategory.STAFF, "Preparation and presence", "0", "", "35", "42,00"],
]


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on the form's fields, or above the form for the others."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _optional_url(name: str, *args: object) -> str | None:
    # Screens built by other helpers: the page works without them until they are wired.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _event(request: HttpRequest, pk: int) -> BureauEvent:
    return selectors.event_for_staff(user=request.user, pk=pk)


def _back(event: BureauEvent, section: str) -> HttpResponse:
    return redirect(reverse("backoffice:event", args=[event.pk]) + f"#{section}")


def _refused(request: HttpRequest, event: BureauEvent, error: ValidationError, section: str):
    messages.error(request, " ".join(error.messages))
    return _back(event, section)


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The list, the calendar, iCalendar


def _filtered_events(request: HttpRequest, form: EventFilterForm) -> QuerySet[BureauEvent]:
    events = selectors.events_for(user=request.user).select_related("commune", "organiser_partner")
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("year"):
        events = events.filter(starts_on__year=data["year"])
    if data.get("kind"):
        events = events.filter(kind=data["kind"])
    if data.get("status"):
        events = events.filter(status=data["status"])
    return events


def _upcoming_first(events: QuerySet[BureauEvent]) -> list[BureauEvent]:
    """Events to come, the nearest first, then past ones, the latest first."""
    today = timezone.localdate()
    coming = list(events.filter(ends_on__gte=today).order_by("starts_on", "name"))
    past = list(events.filter(ends_on__lt=today).order_by("-starts_on", "name"))
    return coming + past


@staff_required
@require_safe
def events(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {
        "form": form,
        "events": _upcoming_first(_filtered_events(request, form)),
        "today": timezone.localdate(),
        "this_year": timezone.localdate().year,
    }
    return render(request, "backoffice/operations_events.html", context, status=status)


def _by_month(events: QuerySet[BureauEvent]) -> list[tuple[object, list[BureauEvent]]]:
    months: OrderedDict = OrderedDict()
    for event in events:
        months.setdefault(event.starts_on.replace(day=1), []).append(event)
    return list(months.items())


def _year(year: int) -> int:
    if not 1990 <= year <= 2100:
        raise Http404
    return year


@staff_required
@require_safe
def event_calendar(request: HttpRequest, year: int) -> HttpResponse:
    events = selectors.year_calendar(year=_year(year)).select_related("commune")
    context = {"year": year, "months": _by_month(events), "count": len(events)}
    return render(request, "backoffice/operations_calendar.html", context)


@staff_required
@require_safe
def event_calendar_ics(request: HttpRequest, year: int) -> HttpResponse:
    events = selectors.year_calendar(year=_year(year))
    body = ical.calendar_ics(events=events, name=_("Bureau events %(year)s") % {"year": year})
    return _attachment(body, CALENDAR, f"bureau-events-{year}.ics")


@staff_required
@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    name = slugify(event.name) or "event"
    return _attachment(ical.event_ics(event=event), CALENDAR, f"{name}.ics")


# Creating and editing


def _event_form_page(request: HttpRequest, event: BureauEvent | None) -> HttpResponse:
    form = EventForm(_posted(request), instance=copy.copy(event) if event else None)
    if request.method == "POST" and form.is_valid():
        try:
            event = _event_save(request, form, event)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("backoffice:event", pk=event.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "event": event}
    return render(request, "backoffice/operations_event_form.html", context, status=status)


def _event_save(request: HttpRequest, form: EventForm, event: BureauEvent | None) -> BureauEvent:
    data = form.data_for_service()
    if event is None:
        return services.event_create(data=data, user=request.user)
    new_status = data.pop("status", None)
    event = services.event_update(event=event, data=data, user=request.user)
    if new_status and new_status != event.status:
        event = services.event_status_set(event=event, status=new_status, user=request.user)
    return event


@staff_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form_page(request, _event(request, pk))


# The event's page


def _party_results(request: HttpRequest) -> tuple[PartySearchForm | None, list]:
    if "party_q" not in request.GET:
        return None, []
    form = PartySearchForm({"q": request.GET["party_q"]})
    if not form.is_valid():
        return form, []
    text = form.cleaned_data["q"]
    suppliers = Supplier.objects.filter(name__icontains=text).select_related("commune")
    partners = Partner.objects.filter(name__icontains=text)
    found = [("partner", item) for item in partners.order_by("name")[:SEARCH_LIMIT]]
    found += [("supplier", item) for item in suppliers.order_by("name")[:SEARCH_LIMIT]]
    return form, found


def _contact_results(request: HttpRequest) -> tuple[ContactSearchForm | None, list[Contact]]:
    if "contact_q" not in request.GET:
        return None, []
    form = ContactSearchForm({"q": request.GET["contact_q"]})
    if not form.is_valid():
        return form, []
    text = form.cleaned_data["q"]
    found = Contact.objects.filter(anonymised_at__isnull=True).filter(
        Q(last_name__icontains=text)
        | Q(first_name__icontains=text)
        | Q(email__icontains=text)
        | Q(company__name__icontains=text)
    )
    return form, list(found.select_related("company").order_by("last_name", "pk")[:SEARCH_LIMIT])


def _guests(request: HttpRequest, event: BureauEvent) -> tuple[GuestFilterForm, list[EventGuest]]:
    form = GuestFilterForm(request.GET or None)
    guests = selectors.event_guests(event=event)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("attendance"):
        guests = guests.filter(attendance=data["attendance"])
    if data.get("met"):
        guests = guests.filter(met_on_site=True)
    if data.get("q"):
        guests = guests.filter(
            Q(contact__last_name__icontains=data["q"]) | Q(contact__first_name__icontains=data["q"])
        )
    return form, list(guests.select_related("contact", "contact__company")[:GUEST_LIMIT])


def _appointment_counts(event: BureauEvent) -> list[EventParticipant]:
    """Each participant with its appointments requested, planned and held: the workshop figures."""
    per_status = {
        status: Count("appointments", filter=Q(appointments__status=status))
        for status in (
            AppointmentStatus.REQUESTED,
            AppointmentStatus.PLANNED,
            AppointmentStatus.HELD,
        )
    }
    return list(
        selectors.event_participants(event=event).annotate(
            requested=per_status[AppointmentStatus.REQUESTED],
            planned=per_status[AppointmentStatus.PLANNED],
            held=per_status[AppointmentStatus.HELD],
        )
    )


def _surveys(event: BureauEvent) -> dict[str, object]:
    surveys = event.surveys.select_related("participant__partner", "participant__supplier")
    answered = surveys.filter(answered_at__isnull=False)
    return {
        "surveys": list(surveys),
        "answered": answered.count(),
        "average": answered.aggregate(average=Avg("score"))["average"],
        "would_return": answered.filter(would_return=True).count(),
    }


def _event_context(request: HttpRequest, event: BureauEvent, **forms_: object) -> dict:
    party_search, parties = _party_results(request)
    contact_search, found_contacts = _contact_results(request)
    guest_filter, guests = _guests(request, event)
    participants = _appointment_counts(event)
    return {
        "event": event,
        "topics": list(event.action.topics.all()),
        "participants": participants,
        "presenters": sum(p.role == ParticipantRole.PRESENTER for p in participants),
        "is_webinar": event.kind == ActionKind.WEBINAR,
        "is_eductour": event.kind == ActionKind.EDUCTOUR,
        "party_search": party_search or PartySearchForm(),
        "parties": parties,
        "participant_form": forms_.get("participant") or ParticipantForm(event=event),
        "segment_form": SegmentChoiceForm(),
        "contact_search": contact_search or ContactSearchForm(),
        "found_contacts": found_contacts,
        "attendances": Attendance.choices,
        "guest_filter": guest_filter,
        "guests": guests,
        "guest_limit": GUEST_LIMIT,
        "appointments": selectors.event_appointments(event=event),
        "appointment_statuses": AppointmentStatus.choices,
        "appointment_form": forms_.get("appointment") or AppointmentForm(event=event),
        "costs": returns.cost_summary(event=event),
        "cost_lines": list(event.costs.all()),
        "cost_form": forms_.get("cost") or CostLineForm(),
        **_surveys(event),
        "returns_url": _optional_url("backoffice:event_returns", event.pk),
        "field_url": _optional_url("backoffice:field_event", event.pk),
        "is_open": event.status not in (EventStatus.CLOSED, EventStatus.CANCELLED),
    }


def _event_page(request: HttpRequest, event: BureauEvent, *, status: int = 200, **forms_):
    context = _event_context(request, event, **forms_)
    return render(request, "backoffice/operations_event.html", context, status=status)


@staff_required
@require_safe
def event(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_page(request, _event(request, pk))


# Participants


@staff_required
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = ParticipantAddForm(request.POST, event=event)
    if form.is_valid():
        data = form.data_for_service()
        data.pop("party")
        try:
            services.participant_add(event=event, user=request.user, **form.party_kwargs(), **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The participant is added."))
            return _back(event, "participants")
    return _event_page(request, event, status=400, participant=form)


def _participant(event: BureauEvent, participant_pk: int) -> EventParticipant:
    participant = event.participants.filter(pk=participant_pk).first()
    if participant is None:
        raise Http404
    return participant


@staff_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    event = _event(request, pk)
    participant = _participant(event, participant_pk)
    form = ParticipantForm(_posted(request), instance=copy.copy(participant), event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=participant, user=request.user, data=form.data_for_service()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The participant is saved."))
            return _back(event, "participants")
    context = {"event": event, "participant": participant, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/operations_participant_form.html", context, status=status)


@staff_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    event = _event(request, pk)
    participant = _participant(event, participant_pk)
    try:
        services.participant_remove(participant=participant, user=request.user)
    except ValidationError as error:
        return _refused(request, event, error, "participants")
    messages.success(request, _("The participant is removed."))
    return _back(event, "participants")


# Guests


@staff_required
@require_http_methods(["GET", "POST"])
def guests_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a saved segment, see how many contacts it holds and why, then confirm the invitations."""
    event = _event(request, pk)
    form = SegmentChoiceForm(request.POST if request.method == "POST" else request.GET or None)
    context: dict[str, object] = {"event": event, "form": form}
    if not form.is_bound or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "backoffice/operations_invite.html", context, status=status)
    segment: Segment = form.cleaned_data["segment"]
    if request.method == "POST":
        try:
            added = services.guests_invite_segment(event=event, segment=segment, user=request.user)
        except ValidationError as error:
            context["refusal"] = error.messages
        else:
            messages.success(
                request,
                ngettext("%(count)s contact invited.", "%(count)s contacts invited.", added)
                % {"count": added},
            )
            return _back(event, "guests")
    try:
        context["result"] = segment_evaluate(segment=segment, user=request.user)
    except ValidationError as error:
        context["rules_error"] = error.messages
    status = 400 if context.get("refusal") or context.get("rules_error") else 200
    return render(request, "backoffice/operations_invite.html", context, status=status)


@staff_required
@require_POST
def guest_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = GuestAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a contact from the search."))
        return _back(event, "guests")
    try:
        services.guest_add(
            event=event,
            contact=form.cleaned_data["contact"],
            user=request.user,
            attendance=form.cleaned_data["attendance"],
        )
    except ValidationError as error:
        return _refused(request, event, error, "guests")
    messages.success(request, _("The contact is added to the guests."))
    return _back(event, "guests")


@staff_required
@require_POST
def guest_attendance(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    """Sets a guest's attendance; htmx swaps the row."""
    event = _event(request, pk)
    guest = event.guests.select_related("contact", "contact__company").filter(pk=guest_pk).first()
    if guest is None:
        raise Http404
    form = AttendanceForm(request.POST)
    error_text = ""
    if form.is_valid():
        try:
            guest = services.guest_attendance_set(
                guest=guest, attendance=form.cleaned_data["attendance"], user=request.user
            )
        except ValidationError as error:
            error_text = " ".join(error.messages)
    else:
        error_text = _("Choose an attendance from the list.")
    if not _is_htmx(request):
        if error_text:
            messages.error(request, error_text)
        return _back(event, "guests")
    context = {"event": event, "guest": guest, "attendances": Attendance.choices}
    context["error"] = error_text
    status = 400 if error_text else 200
    return render(request, "backoffice/operations_fragment_guest.html", context, status=status)


# Appointments


@staff_required
@require_POST
def appointment_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = AppointmentForm(request.POST, event=event)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.appointment_save(
                event=event,
                participant=data["participant"],
                contact=data["contact"],
                user=request.user,
                status=data["status"],
                starts_at=data["starts_at"],
                notes=data["notes"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The appointment is saved."))
            return _back(event, "appointments")
    return _event_page(request, event, status=400, appointment=form)


@staff_required
@require_POST
def appointment_status(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """Moves an appointment to requested, planned, held or cancelled; htmx swaps the row."""
    event = _event(request, pk)
    appointment = selectors.event_appointments(event=event).filter(pk=appointment_pk).first()
    if appointment is None:
        raise Http404
    form = AppointmentStatusForm(request.POST)
    error_text = ""
    if form.is_valid():
        try:
            appointment = services.appointment_save(
                event=event,
                participant=appointment.participant,
                contact=appointment.contact,
                user=request.user,
                status=form.cleaned_data["status"],
                starts_at=appointment.starts_at,
                notes=appointment.notes,
                appointment=appointment,
            )
        except ValidationError as error:
            error_text = " ".join(error.messages)
    else:
        error_text = _("Choose a status from the list.")
    if not _is_htmx(request):
        if error_text:
            messages.error(request, error_text)
        return _back(event, "appointments")
    context = {
        "event": event,
        "appointment": appointment,
        "appointment_statuses": AppointmentStatus.choices,
        "error": error_text,
    }
    status = 400 if error_text else 200
    return render(
        request, "backoffice/operations_fragment_appointment.html", context, status=status
    )


# Costs


@staff_required
@require_POST
def cost_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = CostLineForm(request.POST)
    if form.is_valid():
        try:
            services.cost_line_save(event=event, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The cost line is saved."))
            return _back(event, "costs")
    return _event_page(request, event, status=400, cost=form)


def _cost_line(event: BureauEvent, line_pk: int) -> CostLine:
    line = event.costs.filter(pk=line_pk).first()
    if line is None:
        raise Http404
    return line


@staff_required
@require_http_methods(["GET", "POST"])
def cost_line_edit(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    event = _event(request, pk)
    line = _cost_line(event, line_pk)
    form = CostLineForm(_posted(request), instance=copy.copy(line))
    if request.method == "POST" and form.is_valid():
        try:
            services.cost_line_save(
                event=event, user=request.user, data=form.cleaned_data, line=line
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The cost line is saved."))
            return _back(event, "costs")
    context = {"event": event, "line": line, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/operations_cost_form.html", context, status=status)


@staff_required
@require_POST
def cost_line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    event = _event(request, pk)
    try:
        services.cost_line_delete(line=_cost_line(event, line_pk), user=request.user)
    except ValidationError as error:
        return _refused(request, event, error, "costs")
    messages.success(request, _("The cost line is deleted."))
    return _back(event, "costs")


@staff_required
@require_http_methods(["GET", "POST"])
def costs_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload actuals as CSV: all lines are written, or none and the refused lines are listed."""
    event = _event(request, pk)
    form = CostImportForm(_posted(request), request.FILES or None)
    context: dict[str, object] = {"event": event, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            report = services.costs_import(
                event=event, upload=form.cleaned_data["upload"], user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            context["report"] = report
            if report.ok:
                messages.success(request, _("The cost lines are imported."))
                return _back(event, "costs")
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/operations_costs_import.html", context, status=status)


@staff_required
@require_safe
def costs_template(request: HttpRequest) -> HttpResponse:
    """A CSV to fill in, in the columns and separator the import reads."""
    stream = io.StringIO()
    csv.writer(stream, delimiter=";").writerows(COST_TEMPLATE_ROWS)
    body = ("\ufeff" + stream.getvalue()).encode("utf-8")
    return _attachment(body, "text/csv; charset=utf-8", "event-costs-template.csv")


# Surveys, closing, cancelling


@staff_required
@require_POST
def surveys_send(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    try:
        sent = services.surveys_send(event=event, user=request.user)
    except ValidationError as error:
        return _refused(request, event, error, "surveys")
    messages.success(
        request,
        ngettext("%(count)s survey sent.", "%(count)s surveys sent.", sent) % {"count": sent},
    )
    return _back(event, "surveys")


def _confirm_page(request: HttpRequest, pk: int, *, change: str) -> HttpResponse:
    event = _event(request, pk)
    context: dict[str, object] = {"event": event, "change": change}
    if request.method == "POST":
        service = services.event_close if change == "close" else services.event_cancel
        try:
            service(event=event, user=request.user)
        except ValidationError as error:
            context["refusal"] = error.messages
            return render(request, "backoffice/operations_confirm.html", context, status=400)
        done = _("The event is closed.") if change == "close" else _("The event is cancelled.")
        messages.success(request, done)
        return redirect("backoffice:event", pk=event.pk)
    return render(request, "backoffice/operations_confirm.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def event_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_page(request, pk, change="close")


@staff_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_page(request, pk, change="cancel")
