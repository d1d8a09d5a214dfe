"""Writes on the bureau's events: the event and its CRM action kept in step, participants, guests
and contacts met, appointments, costs and their import, partner surveys, the returns parameters
and the campaign visit counter.

Services take the acting user; `None` stands for the platform itself (demo data, tasks). Any other
user must be bureau staff: suppliers and partners only read (selectors)."""

from __future__ import annotations

import csv
import datetime
import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from micedesk.core.text import fold
from micedesk.crm import services as crm_services
from micedesk.crm.models import Contact, Interaction, InteractionKind, Segment, Topic
from micedesk.crm.segments import segment_evaluate
from micedesk.operations.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    BureauEvent,
    CampaignVisit,
    CostCategory,
    CostLine,
    EventGuest,
    EventParticipant,
    EventStatus,
    ParticipantRole,
    PartnerSurvey,
    ReturnsSettings,
    SpendParameter,
)

if TYPE_CHECKING:
    from micedesk.accounts.models import User
    from micedesk.directory.models import Supplier
    from micedesk.geo.models import Partner

logger = logging.getLogger(__name__)

EVENT_FIELDS = (
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "place",
    "commune",
    "department_code",
    "country",
    "online",
    "theme",
    "description",
    "organiser_partner",
    "campaign_slug",
    "campaign_title",
    "campaign_text",
    "owner",
)
PARTICIPANT_FIELDS = ("role", "cost_share", "position", "starts_at", "minutes", "notes")
COST_FIELDS = ("category", "label", "budget", "actual", "hours", "hourly_rate")
SPEND_FIELDS = ("event_kind", "year", "spend_per_delegate_day", "source", "notes")
SETTINGS_FIELDS = ("window_months", "rule", "min_useful_contacts")
GUEST_CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "job_title")
SURVEY_SALT = "micedesk.operations.survey"
# Contacts met: a MET or ATTENDED item on the timeline against the event's action is a touch.
TOUCH_KINDS = (InteractionKind.MET, InteractionKind.ATTENDED)
COST_IMPORT_MAX_BYTES = 2 * 1024 * 1024
COST_IMPORT_MAX_LINES = 2000


# --- Shared ---------------------------------------------------------------------------------


def _require_staff(user: User | None) -> None:
    """`None` is the platform itself; a person must be bureau staff."""
    if user is not None and not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied


def _actor(user: User | None) -> User | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


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


def _aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """That day at `hour` in the site's time zone (Europe/Paris)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def event_moment(event: BureauEvent) -> datetime.datetime:
    """When a touch recorded after the fact happened: the event's first morning, never later than
    now (a touch is never in the future)."""
    return min(_aware(event.starts_on), timezone.now())


# --- Events ---------------------------------------------------------------------------------


def _action_data(event: BureauEvent, data: dict) -> dict:
    action = {
        "name": event.name[:200],
        "kind": event.kind,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "place": event.place,
        "commune": event.commune,
        "department_code": event.department_code,
    }
    if "topics" in data:
        action["topics"] = list(data["topics"] or [])
    return action


def _event_clean(event: BureauEvent) -> None:
    if not event.campaign_slug:
        event.campaign_slug = None
    if event.commune_id and not event.department_code:
        event.department_code = event.commune.department_id
    event.clean_fields(exclude=["action"])
    if event.starts_on > event.ends_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    event.full_clean(exclude=["action"])


def event_create(*, data: dict, user: User | None) -> BureauEvent:
    """A new event and, in the same transaction, its CRM action (name, kind, dates, place,
    commune, department, themes). `data` holds the model's fields and optionally `topics`."""
    _require_staff(user)
    event = BureauEvent(owner=_actor(user))
    _assign(event, data, EVENT_FIELDS)
    if "status" in data:
        event.status = data["status"] or EventStatus.PLANNED
    if event.status in (EventStatus.CLOSED, EventStatus.CANCELLED):
        raise ValidationError({"status": _("A new event is planned, confirmed or held.")})
    _event_clean(event)
    if event.status == EventStatus.HELD and timezone.localdate() < event.starts_on:
        raise ValidationError(_("An event cannot be marked as held before its start date."))
    with transaction.atomic():
        event.action = crm_services.bureau_action_create(data=_action_data(event, data), user=user)
        event.save()
    return event


def event_update(*, event: BureauEvent, data: dict, user: User | None) -> BureauEvent:
    """Change an event; its CRM action follows. A closed or cancelled event keeps its status."""
    _require_staff(user)
    _assign(event, data, EVENT_FIELDS)
    _event_clean(event)
    with transaction.atomic():
        event.save()
        crm_services.bureau_action_update(
            action=event.action, data=_action_data(event, data), user=user
        )
    return event


def _set_status(event: BureauEvent, status: str, **extra: Any) -> BureauEvent:
    event.status = status
    for name, value in extra.items():
        setattr(event, name, value)
    event.save(update_fields=["status", *extra])
    return event


def event_close(*, event: BureauEvent, user: User | None) -> BureauEvent:
    """Held → closed: the costs and attendance are final and surveys may go out. Refused before
    the end date and from any other status."""
    _require_staff(user)
    if event.status != EventStatus.HELD:
        raise ValidationError(_("Only an event that was held can be closed."))
    if timezone.localdate() < event.ends_on:
        raise ValidationError(_("An event cannot be closed before its end date."))
    return _set_status(event, EventStatus.CLOSED, closed_at=timezone.now())


def event_cancel(*, event: BureauEvent, user: User | None) -> BureauEvent:
    _require_staff(user)
    if event.status in (EventStatus.HELD, EventStatus.CLOSED):
        raise ValidationError(_("An event that was held cannot be cancelled."))
    return _set_status(event, EventStatus.CANCELLED)


def event_status_set(*, event: BureauEvent, status: str, user: User | None) -> BureauEvent:
    """Move an event along planned → confirmed → held → closed, or cancel it. Held is refused
    before the start date; a closed event stays closed."""
    _require_staff(user)
    if status not in EventStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == EventStatus.CLOSED:
        return event_close(event=event, user=user)
    if status == EventStatus.CANCELLED:
        return event_cancel(event=event, user=user)
    if event.status == EventStatus.CLOSED:
        raise ValidationError(_("A closed event cannot change status."))
    if status == EventStatus.HELD and timezone.localdate() < event.starts_on:
        raise ValidationError(_("An event cannot be marked as held before its start date."))
    return _set_status(event, status)


# --- Participants ---------------------------------------------------------------------------


def _participant_clean(participant: EventParticipant) -> None:
    if (participant.partner_id is None) == (participant.supplier_id is None):
        raise ValidationError(_("A participant is either a partner or a supplier, not both."))
    if participant.role not in ParticipantRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    others = EventParticipant.objects.filter(event=participant.event).exclude(pk=participant.pk)
    if participant.supplier_id and others.filter(supplier_id=participant.supplier_id).exists():
        raise ValidationError(_("This supplier already takes part in the event."))
    if participant.partner_id and others.filter(partner_id=participant.partner_id).exists():
        raise ValidationError(_("This partner already takes part in the event."))
    participant.full_clean()


def participant_add(
    *,
    event: BureauEvent,
    user: User | None,
    role: str,
    partner: Partner | None = None,
    supplier: Supplier | None = None,
    cost_share: Decimal | int = 0,
    position: int = 0,
    starts_at: datetime.datetime | None = None,
    minutes: int | None = None,
    notes: str = "",
) -> EventParticipant:
    """A partner or a supplier taking part, with its contribution to the cost."""
    _require_staff(user)
    participant = EventParticipant(
        event=event,
        partner=partner,
        supplier=supplier,
        role=role,
        cost_share=Decimal(cost_share),
        position=position,
        starts_at=starts_at,
        minutes=minutes,
        notes=notes.strip(),
    )
    _participant_clean(participant)
    participant.save()
    return participant


def participant_update(
    *, participant: EventParticipant, user: User | None, data: dict
) -> EventParticipant:
    _require_staff(user)
    _assign(participant, data, PARTICIPANT_FIELDS)
    _participant_clean(participant)
    participant.save()
    return participant


def participant_remove(*, participant: EventParticipant, user: User | None) -> None:
    """Refused once its survey was answered or its appointments held: they are the record."""
    _require_staff(user)
    if participant.appointments.filter(status=AppointmentStatus.HELD).exists():
        raise ValidationError(_("This participant held appointments: it cannot be removed."))
    if PartnerSurvey.objects.filter(participant=participant, answered_at__isnull=False).exists():
        raise ValidationError(_("This participant answered the survey: it cannot be removed."))
    participant.delete()


# --- Guests ---------------------------------------------------------------------------------


def _timeline_once(
    *, event: BureauEvent, contact: Contact, kind: str, user: User | None, **extra: Any
) -> Interaction:
    """The contact's timeline item of `kind` for the event's action, added once."""
    existing = Interaction.objects.filter(contact=contact, action=event.action, kind=kind).first()
    if existing is not None:
        return existing
    return crm_services.interaction_add(
        contact=contact, kind=kind, user=user, action=event.action, **extra
    )


def _invite_summary(event: BureauEvent) -> str:
    return gettext("Invited to %(event)s") % {"event": event.name}


def guests_invite_segment(*, event: BureauEvent, segment: Segment, user: User | None) -> int:
    """Invite the contacts of a CRM segment: an INVITED guest row and an INVITED timeline item
    for each contact not already a guest. Idempotent; returns the number of guests added."""
    _require_staff(user)
    if event.status in (EventStatus.CLOSED, EventStatus.CANCELLED):
        raise ValidationError(_("Invitations are closed for this event."))
    result = segment_evaluate(segment=segment, user=user)
    already = set(event.guests.values_list("contact_id", flat=True))
    invited = set(
        Interaction.objects.filter(action=event.action, kind=InteractionKind.INVITED).values_list(
            "contact_id", flat=True
        )
    )
    now = timezone.now()
    added = 0
    with transaction.atomic():
        for contact in result.contacts:
            if contact.pk in already:
                continue
            EventGuest.objects.create(
                event=event, contact=contact, attendance=Attendance.INVITED, invited_at=now
            )
            if contact.pk not in invited:
                crm_services.interaction_add(
                    contact=contact,
                    kind=InteractionKind.INVITED,
                    user=user,
                    action=event.action,
                    occurred_at=now,
                    summary=_invite_summary(event),
                    details={"segment": segment.pk},
                )
            added += 1
    return added


def guest_add(
    *,
    event: BureauEvent,
    contact: Contact,
    user: User | None,
    attendance: str = Attendance.INVITED,
) -> EventGuest:
    """Add one contact to the guests (idempotent), then set the attendance given."""
    _require_staff(user)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Unknown attendance.")})
    with transaction.atomic():
        guest, created = EventGuest.objects.get_or_create(
            event=event,
            contact=contact,
            defaults={"attendance": Attendance.INVITED, "invited_at": timezone.now()},
        )
        if created:
            _timeline_once(
                event=event,
                contact=contact,
                kind=InteractionKind.INVITED,
                user=user,
                summary=_invite_summary(event),
            )
        if attendance != guest.attendance:
            guest = guest_attendance_set(guest=guest, attendance=attendance, user=user)
    return guest


def guest_attendance_set(*, guest: EventGuest, attendance: str, user: User | None) -> EventGuest:
    """Registered, attended, did not come, declined. Attended adds an ATTENDED item on the
    contact's timeline (once): the touch the returns computation reads."""
    _require_staff(user)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Unknown attendance.")})
    event = guest.event
    if attendance in (Attendance.ATTENDED, Attendance.NO_SHOW) and (
        timezone.localdate() < event.starts_on
    ):
        raise ValidationError(_("Attendance is recorded once the event has started."))
    with transaction.atomic():
        guest.attendance = attendance
        if attendance == Attendance.REGISTERED and guest.registered_at is None:
            guest.registered_at = timezone.now()
        guest.full_clean()
        guest.save()
        if attendance == Attendance.ATTENDED:
            _timeline_once(
                event=event,
                contact=guest.contact,
                kind=InteractionKind.ATTENDED,
                user=user,
                occurred_at=event_moment(event),
                summary=gettext("Attended %(event)s") % {"event": event.name},
            )
    return guest


def _met_errors(data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not str(data.get("last_name") or "").strip():
        errors["last_name"] = gettext("Give the person's last name.")
    email = str(data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = gettext("Enter a valid e-mail address.")
    elif not str(data.get("phone") or "").strip():
        errors["email"] = gettext("Give an e-mail address or a phone number to follow up.")
    ref = str(data.get("client_ref") or "").strip()
    if ref:
        try:
            uuid.UUID(ref)
        except ValueError:
            errors["client_ref"] = gettext("The form's reference is not valid: reload the page.")
    for name, limit in (("first_name", 100), ("last_name", 100), ("phone", 30), ("company", 200)):
        if len(str(data.get(name) or "").strip()) > limit:
            errors[name] = gettext("At most %(limit)s characters.") % {"limit": limit}
    return errors


def _topics_of(values: object) -> list[Topic]:
    """Topics given as instances, primary keys or codes; unknown ones are refused."""
    items = list(values or [])
    topics = [item for item in items if isinstance(item, Topic)]
    keys = [str(item) for item in items if not isinstance(item, Topic)]
    if keys:
        found = list(
            Topic.objects.filter(
                models.Q(code__in=keys) | models.Q(pk__in=[k for k in keys if k.isdigit()])
            )
        )
        if len(found) < len(set(keys)):
            raise ValidationError({"topics": gettext("Unknown topic.")})
        topics += found
    return topics


def _met_contact(data: dict, topics: list[Topic], user: User | None) -> Contact:
    email = str(data.get("email") or "").strip().lower()
    contact = crm_services.contacts_by_email(email).first() if email else None
    company_name = str(data.get("company") or "").strip()
    if contact is None:
        company = (
            crm_services.company_find_or_create(name=company_name, user=user)
            if company_name
            else None
        )
        values = {name: str(data.get(name) or "").strip() for name in GUEST_CONTACT_FIELDS}
        values["email"] = email
        values["job_title"] = values["job_title"][:150]
        values["topics"] = topics
        return crm_services.contact_create(data=values, user=user, company=company)
    # A known contact: fill what was empty, never overwrite what the CRM holds.
    updates = {
        name: str(data.get(name) or "").strip()
        for name in ("first_name", "phone", "job_title")
        if not getattr(contact, name) and str(data.get(name) or "").strip()
    }
    if updates:
        contact = crm_services.contact_update(contact=contact, data=updates, user=user)
    if topics:
        contact.topics.add(*topics)
    return contact


def guest_met_record(*, event: BureauEvent, user: User | None, data: dict) -> EventGuest:
    """A contact met on site (the phone form): the contact found by e-mail or created, a guest
    met on site, and a MET item on their timeline with the brief. `client_ref`, a uuid made by
    the phone, makes a form sent twice (poor network) record once."""
    _require_staff(user)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event was cancelled."))
    errors = _met_errors(data)
    if errors:
        raise ValidationError(errors)
    ref = str(data.get("client_ref") or "").strip()
    topics = _topics_of(data.get("topics"))
    brief = str(data.get("brief") or "").strip()
    with transaction.atomic():
        # The event's row lock makes a form sent twice at once wait for the first to commit.
        BureauEvent.objects.select_for_update().filter(pk=event.pk).first()
        if ref:
            done = Interaction.objects.filter(
                action=event.action, kind=InteractionKind.MET, details__client_ref=ref
            ).first()
            if done is not None:
                return EventGuest.objects.get(event=event, contact_id=done.contact_id)
        contact = _met_contact(data, topics, user)
        guest, _created = EventGuest.objects.get_or_create(event=event, contact=contact)
        guest.met_on_site = True
        guest.attendance = Attendance.ATTENDED
        guest.met_by = _actor(user)
        if brief:
            guest.brief = f"{guest.brief}\n{brief}".strip() if guest.brief else brief
        guest.save()
        crm_services.interaction_add(
            contact=contact,
            kind=InteractionKind.MET,
            user=user,
            action=event.action,
            summary=brief,
            details={"client_ref": ref} if ref else {},
        )
    return guest


# --- Appointments ---------------------------------------------------------------------------


def appointment_save(
    *,
    event: BureauEvent,
    participant: EventParticipant,
    contact: Contact,
    user: User | None,
    status: str = AppointmentStatus.REQUESTED,
    starts_at: datetime.datetime | None = None,
    notes: str = "",
    appointment: Appointment | None = None,
) -> Appointment:
    """Create or change an appointment between a participant and a contact. Held means they
    met: a MET item on the contact's timeline (once)."""
    _require_staff(user)
    if participant.event_id != event.pk:
        raise ValidationError({"participant": _("This participant does not take part.")})
    if status not in AppointmentStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status == AppointmentStatus.HELD and timezone.localdate() < event.starts_on:
        raise ValidationError(_("An appointment is held once the event has started."))
    clash = Appointment.objects.filter(participant=participant, contact=contact)
    if appointment is not None:
        clash = clash.exclude(pk=appointment.pk)
    if clash.exists():
        raise ValidationError(_("This participant already has an appointment with this contact."))
    appointment = appointment or Appointment(event=event)
    appointment.participant, appointment.contact = participant, contact
    appointment.status, appointment.starts_at, appointment.notes = status, starts_at, notes.strip()
    appointment.full_clean()
    with transaction.atomic():
        appointment.save()
        if status == AppointmentStatus.HELD:
            _timeline_once(
                event=event,
                contact=contact,
                kind=InteractionKind.MET,
                user=user,
                occurred_at=min(starts_at or event_moment(event), timezone.now()),
                summary=gettext("Appointment with %(who)s") % {"who": participant},
            )
    return appointment


# --- Costs ----------------------------------------------------------------------------------


def _cost_clean(line: CostLine) -> None:
    if (line.hours is None) != (line.hourly_rate is None):
        raise ValidationError(_("Staff time needs both the hours and the hourly rate."))
    line.clean_fields()
    if line.hours is not None and not line.budget:
        # Staff time priced: hours × rate is its budget unless one was given.
        line.budget = (line.hours * line.hourly_rate).quantize(Decimal("0.01"))
    line.full_clean()


def cost_line_save(
    *, event: BureauEvent, user: User | None, data: dict, line: CostLine | None = None
) -> CostLine:
    _require_staff(user)
    line = line or CostLine(event=event)
    if line.event_id != event.pk:
        raise ValidationError(_("This cost line belongs to another event."))
    values = dict(data)
    for name in ("actual", "hours", "hourly_rate"):
        if name in values and values[name] in ("", None):
            values[name] = None
    if values.get("budget") in ("", None):
        values["budget"] = Decimal(0)
    _assign(line, values, COST_FIELDS)
    _cost_clean(line)
    line.save()
    return line


def cost_line_delete(*, line: CostLine, user: User | None) -> None:
    _require_staff(user)
    line.delete()


@dataclass
class CostImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# French names as a spreadsheet of the bureau writes them (the translated labels are added too).
FRENCH_CATEGORY_NAMES = {
    "stand": ("stand", "location du stand", "location et amenagement du stand", "amenagement"),
    "animation": ("animation", "animations"),
    "transport": ("transport", "transports", "deplacements", "deplacement"),
    "accommodation": ("hebergement", "hotel", "hotellerie"),
    "catering": ("restauration", "repas", "traiteur"),
    "venue": ("location de salle", "location du lieu", "salle", "lieu"),
    "agency": ("agence", "honoraires", "frais d'agence", "honoraires d'agence"),
    "media": ("media", "medias", "achat media", "achats media", "publicite"),
    "preparation": ("preparation", "temps de preparation"),
    "staff": ("temps agent", "temps des agents", "temps de travail", "personnel", "temps passe"),
    "other": ("autre", "autres", "divers"),
}


def _category_key(text: str) -> str:
    return " ".join(fold(text).replace("\u2019", "'").split())


def _category_names() -> dict[str, str]:
    """Codes, English and French labels, folded, to the category code."""
    names: dict[str, str] = {
        _category_key(name): code
        for code, french in FRENCH_CATEGORY_NAMES.items()
        for name in french
    }
    for language in ("en", "fr"):
        with translation.override(language):
            for code, label in CostCategory.choices:
                names[_category_key(str(label))] = code
                names[_category_key(code)] = code
    return names


def _decimal(text: str, label: str, line: int, errors: list) -> Decimal | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        errors.append((line, gettext("%(column)s is not a number.") % {"column": label}))
        return None
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** 10:
        errors.append((line, gettext("%(column)s is out of range.") % {"column": label}))
        return None
    return value.quantize(Decimal("0.01"))


def _read_upload(upload: Any) -> str:
    raw = upload if isinstance(upload, bytes) else upload.read()
    if len(raw) > COST_IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is too large (2 MB at most)."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file could not be read as text."))


def _cost_row(
    event: BureauEvent, row: list[str], number: int, names: dict, errors: list
) -> CostLine | None:
    before = len(errors)
    cells = [cell.strip() for cell in row] + [""] * 6
    category = names.get(_category_key(cells[0]))
    if category is None:
        errors.append((number, gettext("Unknown category “%(name)s”.") % {"name": cells[0]}))
    amounts = [
        _decimal(cells[index], label, number, errors)
        for index, label in (
            (2, gettext("Budget")),
            (3, gettext("Actual")),
            (4, gettext("Hours")),
            (5, gettext("Hourly rate")),
        )
    ]
    if len(errors) > before:
        return None
    budget, actual, hours, rate = amounts
    line = CostLine(
        event=event,
        category=category,
        label=cells[1][:200],
        budget=budget or Decimal(0),
        actual=actual,
        hours=hours,
        hourly_rate=rate,
        imported=True,
    )
    try:
        _cost_clean(line)
    except ValidationError as error:
        errors.append((number, " ".join(error.messages)))
        return None
    return line


def _is_header(row: list[str]) -> bool:
    return bool(row) and fold(row[0].strip()) in ("category", "categorie")


def costs_import(*, event: BureauEvent, upload: Any, user: User | None) -> CostImportReport:
    """Cost lines from a CSV file `category;label;budget;actual[;hours;hourly_rate]` (header
    optional, French or English category names, decimal comma accepted). All or nothing: one
    refused line and no line is written; the report says which and why."""
    _require_staff(user)
    text = _read_upload(upload)
    report = CostImportReport()
    names = _category_names()
    lines: list[CostLine] = []
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if len(rows) > COST_IMPORT_MAX_LINES:
        raise ValidationError(_("Too many lines (2,000 at most)."))
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row) or (number == 1 and _is_header(row)):
            continue
        line = _cost_row(event, row, number, names, report.errors)
        if line is not None:
            lines.append(line)
    if not lines and not report.errors:
        report.errors.append((0, gettext("The file holds no cost line.")))
    if report.errors:
        return report
    with transaction.atomic():
        CostLine.objects.bulk_create(lines)
    report.created = len(lines)
    return report


# --- Surveys --------------------------------------------------------------------------------


class BadSurveyToken(Exception):
    """The survey link was altered, or names a survey that no longer exists."""


def survey_token(*, survey: PartnerSurvey) -> str:
    return signing.Signer(salt=SURVEY_SALT).sign_object({"s": survey.pk})


def survey_url(*, survey: PartnerSurvey) -> str:
    token = survey_token(survey=survey)
    try:
        path = reverse("portal:survey", args=[token])
    except NoReverseMatch:
        path = f"/enquete/{token}/"
    return f"{settings.SITE_URL}{path}"


def survey_read(token: str) -> PartnerSurvey:
    """The survey a private link names; BadSurveyToken otherwise."""
    try:
        payload = signing.Signer(salt=SURVEY_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as error:
        raise BadSurveyToken("bad signature") from error
    if not isinstance(payload, dict):
        raise BadSurveyToken("bad payload")
    survey = (
        PartnerSurvey.objects.select_related("event", "participant__supplier")
        .select_related("participant__partner")
        .filter(pk=payload.get("s"))
        .first()
    )
    if survey is None:
        raise BadSurveyToken("no such survey")
    return survey


def _participant_email(participant: EventParticipant) -> str:
    party = participant.supplier or participant.partner
    if party is None:
        return ""
    if party.email:
        return party.email
    member = party.members.filter(is_active=True).order_by("pk").first()
    return member.email if member is not None else ""


def _send_survey(survey: PartnerSurvey) -> bool:
    """Claim the survey (a conditional update), send, release the claim if the mail failed."""
    claimed = PartnerSurvey.objects.filter(pk=survey.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    context = {"survey": survey, "event": survey.event, "url": survey_url(survey=survey)}
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your opinion on %(event)s") % {"event": survey.event.name}
        body = render_to_string("operations/mail_survey.txt", context)
    try:
        send_mail(subject, body, None, [survey.email])
    except Exception:
        logger.exception("Sending survey %s failed", survey.pk)
        PartnerSurvey.objects.filter(pk=survey.pk).update(sent_at=None)
        return False
    return True


def surveys_send(*, event: BureauEvent, user: User | None) -> int:
    """Send the satisfaction survey to each participant with an e-mail address, once. Closed
    events only. A mail that failed is sent again by the next call. Returns the mails sent."""
    _require_staff(user)
    if event.status != EventStatus.CLOSED:
        raise ValidationError(_("Surveys are sent once the event is closed."))
    participants = event.participants.select_related("supplier", "partner")
    for participant in participants.filter(survey__isnull=True):
        email = _participant_email(participant)
        if email:
            try:
                with transaction.atomic():
                    PartnerSurvey.objects.create(event=event, participant=participant, email=email)
            except IntegrityError:
                pass  # another run created it at the same moment
    sent = 0
    for survey in event.surveys.filter(sent_at__isnull=True).select_related("event"):
        sent += _send_survey(survey)
    return sent


def survey_answer(
    *, survey: PartnerSurvey, score: int, would_return: bool | None, improve: str = ""
) -> PartnerSurvey:
    """Record the answer; a second answer is refused (a conditional update: one wins)."""
    try:
        score = int(score)
    except (TypeError, ValueError) as error:
        raise ValidationError({"score": _("Give a score from 0 to 10.")}) from error
    if not 0 <= score <= 10:
        raise ValidationError({"score": _("Give a score from 0 to 10.")})
    improve = (improve or "").strip()
    if len(improve) > 5000:
        raise ValidationError({"improve": _("At most 5,000 characters.")})
    answered = PartnerSurvey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
        answered_at=timezone.now(), score=score, would_return=would_return, improve=improve
    )
    if not answered:
        raise ValidationError(_("This survey was already answered. Thank you."))
    survey.refresh_from_db()
    return survey


# --- Returns parameters ---------------------------------------------------------------------


def spend_parameter_save(
    *, data: dict, user: User | None, parameter: SpendParameter | None = None
) -> SpendParameter:
    _require_staff(user)
    parameter = parameter or SpendParameter()
    _assign(parameter, data, SPEND_FIELDS)
    parameter.event_kind = parameter.event_kind or ""
    others = SpendParameter.objects.filter(
        event_kind=parameter.event_kind, year=parameter.year
    ).exclude(pk=parameter.pk)
    if parameter.year and others.exists():
        raise ValidationError(_("There is already a figure for this kind and year."))
    parameter.full_clean()
    parameter.save()
    return parameter


def returns_settings_save(*, data: dict, user: User | None) -> ReturnsSettings:
    _require_staff(user)
    row = ReturnsSettings.objects.filter(pk=1).first() or ReturnsSettings(pk=1)
    _assign(row, data, SETTINGS_FIELDS)
    row.full_clean(validate_unique=False)
    row.save()
    return row


# --- Campaign visits ------------------------------------------------------------------------


def campaign_visit_count(*, event: BureauEvent, day: datetime.date | None = None) -> None:
    """One more visit to the campaign's pages today: an atomic increment, the day's row created
    by the first visit (a concurrent creation falls back to the increment)."""
    day = day or timezone.localdate()
    counter = CampaignVisit.objects.filter(event=event, day=day)
    if counter.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            CampaignVisit.objects.create(event=event, day=day, count=1)
    except IntegrityError:
        counter.update(count=F("count") + 1)


# --- Reference ------------------------------------------------------------------------------


def operations_reference_load() -> None:
    """The spend parameters with their sources and the returns settings row; idempotent."""
    from micedesk.operations.reference import reference_load

    reference_load()
