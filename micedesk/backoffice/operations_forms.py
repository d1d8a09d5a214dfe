"""Forms of the back-office screens of the bureau's events: the event, its participants, guests,
appointments, costs and the cost import. They check what staff typed; writes go through
micedesk.operations.services."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from micedesk.crm.models import ActionKind, Contact, Segment, Topic
from micedesk.directory.models import Supplier
from micedesk.geo.models import Commune, Partner
from micedesk.operations.models import (
    EVENT_KINDS,
    Appointment,
    AppointmentStatus,
    Attendance,
    BureauEvent,
    CostLine,
    EventParticipant,
    EventStatus,
    ParticipantRole,
)

DATE_INPUT = {"type": "date"}
DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DEPARTMENT_CODE = re.compile(r"^(\d{2}|2[AB]|\d{3})$")
# Statuses the edit form offers: closing and cancelling have their own confirmed buttons.
EDITABLE_STATUSES = [EventStatus.PLANNED, EventStatus.CONFIRMED, EventStatus.HELD]
CAMPAIGN_FIELDS = ("campaign_slug", "campaign_title", "campaign_text")
# The plan: 3 or 4 suppliers presenting for 5 to 10 minutes each.
WEBINAR_MINUTES = (5, 10)
COST_IMPORT_MAX_BYTES = 2 * 1024 * 1024


def _blank_first(choices: list, label: object) -> list:
    return [("", label), *choices]


class EventFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank_first(EVENT_KINDS, _("All kinds"))
        self.fields["status"].choices = _blank_first(EventStatus.choices, _("All statuses"))


class EventForm(forms.ModelForm):
    commune_code = forms.CharField(
        label=_("Commune (INSEE code)"), required=False, max_length=5, help_text=_("e.g. 14118")
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Themes (CRM topics)"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = BureauEvent
        fields = [
            "name",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "place",
            "commune_code",
            "department_code",
            "country",
            "online",
            "theme",
            "topics",
            "description",
            "organiser_partner",
            "campaign_slug",
            "campaign_title",
            "campaign_text",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "campaign_text": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "campaign_slug": _("Campaigns only: the page is /campagnes/<address>/ on the portal."),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in EventStatus.choices if value in EDITABLE_STATUSES
        ]
        self.fields["organiser_partner"].empty_label = _("The bureau")
        if self.instance.pk:
            self.fields["commune_code"].initial = self.instance.commune_id
            self.fields["topics"].initial = list(self.instance.action.topics.all())
            if self.instance.status not in EDITABLE_STATUSES:
                # A closed or cancelled event keeps its status: the form does not change it.
                del self.fields["status"]

    def clean_department_code(self) -> str:
        value = self.cleaned_data["department_code"].strip().upper()
        if value and not DEPARTMENT_CODE.match(value):
            raise ValidationError(
                _("A department is given by its code, e.g. 14, 75, 2A or 974."), code="department"
            )
        return value

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()

    def clean_commune_code(self) -> Commune | None:
        code = self.cleaned_data["commune_code"].strip()
        if not code:
            return None
        commune = Commune.objects.filter(pk=code).first()
        if commune is None:
            raise ValidationError(_("No commune has this INSEE code."), code="unknown")
        return commune

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and starts > ends:
            self.add_error("ends_on", ValidationError(_("It ends before it starts."), code="order"))
        if data.get("kind") == ActionKind.CAMPAIGN:
            if not data.get("campaign_slug"):
                self.add_error(
                    "campaign_slug",
                    ValidationError(_("A campaign needs the address of its page."), code="slug"),
                )
        elif data.get("kind"):
            # Only a campaign has portal pages: the fields of another kind are left empty.
            data["campaign_slug"], data["campaign_title"], data["campaign_text"] = None, "", ""
        return data

    def data_for_service(self) -> dict[str, object]:
        data = {name: value for name, value in self.cleaned_data.items() if name in self.fields}
        data["commune"] = data.pop("commune_code")
        data["topics"] = list(data.get("topics") or [])
        if data["commune"] and not data.get("department_code"):
            data["department_code"] = data["commune"].department_id
        if not data.get("campaign_slug"):
            data["campaign_slug"] = None
        return data


class PartySearchForm(forms.Form):
    q = forms.CharField(label=_("Supplier or partner name"), max_length=100, min_length=2)


class ParticipantForm(forms.ModelForm):
    """A participant's role, contribution and, for webinars and éductours, its slot."""

    class Meta:
        model = EventParticipant
        fields = ["role", "cost_share", "position", "starts_at", "minutes", "notes"]
        widgets = {"starts_at": forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT)}

    def __init__(self, *args: object, event: BureauEvent, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["starts_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
        # The order only matters in a webinar or an éductour: the other forms leave it out.
        self.fields["position"].required = False
        if not self.instance.pk:
            self.fields["role"].initial = default_role(event.kind)

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0

    def clean(self) -> dict:
        data = super().clean()
        if self.event.kind == ActionKind.WEBINAR and data.get("role") == ParticipantRole.PRESENTER:
            self._check_webinar_slot(data)
        return data

    def _check_webinar_slot(self, data: dict) -> None:
        low, high = WEBINAR_MINUTES
        minutes = data.get("minutes")
        if minutes is not None and not low <= minutes <= high:
            self.add_error(
                "minutes",
                ValidationError(
                    _("A webinar presentation lasts %(low)s to %(high)s minutes.")
                    % {"low": low, "high": high},
                    code="slot_length",
                ),
            )
            return
        starts = data.get("starts_at")
        if starts and minutes:
            other = slot_overlapping(self.event, starts, minutes, exclude=self.instance.pk)
            if other is not None:
                self.add_error(
                    "starts_at",
                    ValidationError(
                        _("This slot overlaps the presentation of %(other)s.") % {"other": other},
                        code="overlap",
                    ),
                )

    def data_for_service(self) -> dict[str, object]:
        return dict(self.cleaned_data)


def default_role(kind: str) -> str:
    """The role a new participant most likely has at an event of this kind."""
    return {
        ActionKind.WEBINAR: ParticipantRole.PRESENTER,
        ActionKind.EDUCTOUR: ParticipantRole.VISITED,
        ActionKind.WORKSHOP: ParticipantRole.EXHIBITOR,
        ActionKind.TRADE_SHOW: ParticipantRole.CO_EXHIBITOR,
    }.get(kind, ParticipantRole.GUEST)


def slot_overlapping(
    event: BureauEvent, starts: datetime.datetime, minutes: int, *, exclude: int | None
) -> EventParticipant | None:
    """Another timed presentation of the event whose slot overlaps [starts, starts + minutes)."""
    ends = starts + datetime.timedelta(minutes=minutes)
    others = event.participants.filter(starts_at__isnull=False, minutes__isnull=False)
    for other in others.exclude(pk=exclude).select_related("partner", "supplier"):
        other_ends = other.starts_at + datetime.timedelta(minutes=other.minutes)
        if other.starts_at < ends and starts < other_ends:
            return other
    return None


class ParticipantAddForm(ParticipantForm):
    """Adding a partner or a supplier found by the search: `party` is "supplier:<id>" or
    "partner:<id>"."""

    party = forms.RegexField(regex=r"^(supplier|partner):\d+$", widget=forms.HiddenInput)

    class Meta(ParticipantForm.Meta):
        pass

    def party_kwargs(self) -> dict[str, object]:
        kind, pk = self.cleaned_data["party"].split(":")
        model = Supplier if kind == "supplier" else Partner
        found = model.objects.filter(pk=int(pk)).first()
        if found is None:
            raise ValidationError(_("This supplier or partner no longer exists."), code="party")
        return {kind: found}


class SegmentChoiceForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("Saved CRM segment"), queryset=Segment.objects.order_by("name")
    )


class ContactSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, e-mail or company"), max_length=100, min_length=2)


class GuestAddForm(forms.Form):
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.filter(anonymised_at__isnull=True), widget=forms.HiddenInput
    )
    attendance = forms.ChoiceField(
        label=_("Attendance"), choices=Attendance.choices, initial=Attendance.INVITED
    )


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)


class GuestFilterForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), required=False)
    met = forms.BooleanField(label=_("Met on site only"), required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendance"].choices = _blank_first(Attendance.choices, _("Any"))


class AppointmentForm(forms.ModelForm):
    """An appointment between a participant and one of the event's guests."""

    class Meta:
        model = Appointment
        fields = ["participant", "contact", "status", "starts_at", "notes"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, event: BureauEvent, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["participant"].queryset = event.participants.select_related(
            "partner", "supplier"
        )
        self.fields["contact"].queryset = Contact.objects.filter(
            event_guests__event=event, anonymised_at__isnull=True
        ).order_by("last_name", "first_name", "pk")
        self.fields["contact"].label = _("Guest")
        self.fields["starts_at"].input_formats = [DATETIME_FORMAT, "%Y-%m-%d %H:%M"]

    def validate_unique(self) -> None:
        # The service says when the pair already has an appointment, in its own words.
        pass


class AppointmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AppointmentStatus.choices)


class CostLineForm(forms.ModelForm):
    class Meta:
        model = CostLine
        fields = ["category", "label", "budget", "actual", "hours", "hourly_rate"]
        help_texts = {"budget": _("Empty for staff time: hours × hourly rate.")}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Staff time without a budget is priced by the service as hours × rate.
        self.fields["budget"].required = False

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("hours") is None) != (data.get("hourly_rate") is None):
            raise ValidationError(
                _("Staff time needs both the hours and the hourly rate."), code="staff_time"
            )
        return data


class CostImportForm(forms.Form):
    upload = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: category;label;budget;actual;hours;hourly_rate (the last two only for staff time)."
        ),
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > COST_IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."), code="size")
        return upload
