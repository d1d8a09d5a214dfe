"""The staff's phone on site: record the contacts met at an event (offline-tolerant form), check
invited guests in, and mark appointments held or cancelled."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.backoffice.decorators import staff_required
from micedesk.crm.models import Topic
from micedesk.operations import services
from micedesk.operations.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    BureauEvent,
    EventGuest,
    EventStatus,
)
from micedesk.operations.selectors import (
    event_appointments,
    event_for_staff,
    event_guests,
    events_for,
)

# What the phone may set: the rest (invitations, registrations) is done from the office.
CHECK_IN_ATTENDANCE = (Attendance.ATTENDED, Attendance.NO_SHOW)
FIELD_APPOINTMENT_STATUSES = (AppointmentStatus.HELD, AppointmentStatus.CANCELLED)
CLOSED_STATUSES = (EventStatus.CLOSED, EventStatus.CANCELLED)


class MetContactForm(forms.Form):
    """One contact met on site. The checks the CRM makes (a known e-mail, a merge) stay in the
    service; this form refuses only what is plainly wrong before asking it."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    company = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    job_title = forms.CharField(label=gettext_lazy("Job title"), max_length=150, required=False)
    brief = forms.CharField(
        label=gettext_lazy("Their project, in brief"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    client_ref = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        topics = Topic.objects.order_by("code")
        if topics.exists():
            self.fields["topics"].queryset = topics
        else:
            del self.fields["topics"]  # an empty heading is noise on a small screen
        self.fields["email"].widget.attrs.update(autocomplete="off", inputmode="email")
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(inputmode="tel")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["topics"] = list(data.get("topics") or [])
        return data


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _fresh_form() -> MetContactForm:
    # A reference drawn by the server too, so that a form posted twice without JS is stored once.
    return MetContactForm(initial={"client_ref": str(uuid.uuid4())})


def _met(event: BureauEvent) -> QuerySet[EventGuest]:
    return (
        event_guests(event=event)
        .filter(met_on_site=True)
        .select_related("contact", "contact__company")
        .order_by("-updated_at", "-pk")
    )


def _checkable_guests(event: BureauEvent) -> QuerySet[EventGuest]:
    return (
        event_guests(event=event)
        .filter(met_on_site=False)
        .select_related("contact", "contact__company")
        .order_by("contact__last_name", "contact__first_name", "pk")
    )


@require_safe
@staff_required
def field(request: HttpRequest) -> HttpResponse:
    """The chooser: today's and upcoming events, nearest first."""
    today = timezone.localdate()
    events = (
        events_for(user=request.user)
        .filter(ends_on__gte=today)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("starts_on", "name")
    )
    return render(request, "backoffice/field_events.html", {"events": events, "today": today})


@require_http_methods(["GET", "POST"])
@staff_required
def field_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = event_for_staff(user=request.user, pk=pk)
    if request.method == "GET":
        return _render_event(request, event, _fresh_form())
    form = MetContactForm(request.POST)
    guest = _record(request, event, form)
    if guest is None:
        if _is_htmx(request):
            context = {"event": event, "form": form}
            return render(request, "backoffice/field_fragment_form.html", context, status=400)
        return _render_event(request, event, form, status=400)
    if _is_htmx(request):
        context = {"event": event, "met": _met(event)}
        return render(request, "backoffice/field_fragment_met.html", context)
    messages.success(request, _("%(name)s is recorded.") % {"name": guest.contact.full_name})
    return redirect("backoffice:field_event", pk=event.pk)


def _record(request: HttpRequest, event: BureauEvent, form: MetContactForm) -> EventGuest | None:
    if not form.is_valid():
        return None
    try:
        return services.guest_met_record(event=event, user=request.user, data=form.service_data())
    except ValidationError as error:
        _add_errors(form, error)
        return None


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def _render_event(
    request: HttpRequest, event: BureauEvent, form: MetContactForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "event": event,
        "form": form,
        "met": _met(event),
        "guests": _checkable_guests(event),
        "appointments": event_appointments(event=event).select_related(
            "participant__supplier", "participant__partner", "contact", "contact__company"
        ),
        "check_in_choices": CHECK_IN_ATTENDANCE,
        "appointment_choices": FIELD_APPOINTMENT_STATUSES,
    }
    return render(request, "backoffice/field_event.html", context, status=status)


@require_POST
@staff_required
def field_guest_attendance(request: HttpRequest, pk: int, guest_pk: int) -> HttpResponse:
    """Check a guest in (or mark them absent) from the door."""
    event = event_for_staff(user=request.user, pk=pk)
    guest = get_object_or_404(event_guests(event=event), pk=guest_pk)
    attendance = request.POST.get("attendance", "")
    status = 200
    if attendance not in CHECK_IN_ATTENDANCE:
        status, error = 400, _("Choose whether the guest came or not.")
    else:
        try:
            guest = services.guest_attendance_set(
                guest=guest, attendance=attendance, user=request.user
            )
            error = ""
        except ValidationError as refused:
            status, error = 400, " ".join(refused.messages)
    return _row_response(
        request,
        event,
        "backoffice/field_fragment_guest.html",
        {"guest": guest, "error": error, "check_in_choices": CHECK_IN_ATTENDANCE},
        status,
        error,
    )


@require_POST
@staff_required
def field_appointment_status(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """Mark an appointment held or cancelled as it happens."""
    event = event_for_staff(user=request.user, pk=pk)
    appointment = get_object_or_404(event_appointments(event=event), pk=appointment_pk)
    wanted = request.POST.get("status", "")
    status, error = 200, ""
    if wanted not in FIELD_APPOINTMENT_STATUSES:
        status, error = 400, _("Choose whether the appointment was held or cancelled.")
    else:
        try:
            appointment = _appointment_set(request, event, appointment, wanted)
        except ValidationError as refused:
            status, error = 400, " ".join(refused.messages)
    return _row_response(
        request,
        event,
        "backoffice/field_fragment_appointment.html",
        {
            "appointment": appointment,
            "error": error,
            "appointment_choices": FIELD_APPOINTMENT_STATUSES,
        },
        status,
        error,
    )


def _appointment_set(
    request: HttpRequest, event: BureauEvent, appointment: Appointment, status: str
) -> Appointment:
    return services.appointment_save(
        event=event,
        participant=appointment.participant,
        contact=appointment.contact,
        user=request.user,
        status=status,
        starts_at=appointment.starts_at,
        notes=appointment.notes,
        appointment=appointment,
    )


def _row_response(
    request: HttpRequest,
    event: BureauEvent,
    template: str,
    context: dict,
    status: int,
    error: str,
) -> HttpResponse:
    """htmx swaps the row in place; without JS the page comes back with a message."""
    if _is_htmx(request):
        return render(request, template, {"event": event, **context}, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("backoffice:field_event", pk=event.pk)
