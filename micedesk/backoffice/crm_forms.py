"""Forms of the CRM screens of the back-office: contacts, companies, bureau actions, GDPR requests,
the audit log. They check what the staff typed; writes go through micedesk.crm.services."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.accounts.models import Role, User
from micedesk.crm.models import (
    AuditAction,
    BureauAction,
    Company,
    ConsentWording,
    Contact,
    ContactKind,
    InteractionKind,
    LegalBasis,
    Purpose,
    Topic,
)
from micedesk.geo.models import Commune

# What staff add by hand to a timeline; the other kinds come from requests, imports and consents.
MANUAL_INTERACTIONS = [
    InteractionKind.CALL,
    InteractionKind.VISIT,
    InteractionKind.EMAIL,
    InteractionKind.NOTE,
    InteractionKind.MET,
]
# The contact's fields a merge chooses between, in the order the merge screen shows them.
MERGE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "company",
    "kind",
    "language",
    "city",
    "postal_code",
    "department_code",
    "region",
    "country",
    "source_action",
    "source_detail",
    "notes",
]
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pt", _("Portuguese")),
]
# Contacts and companies come from all over France, not only the destination's departments.
DEPARTMENT_CODE = re.compile(r"^(\d{2}|2A|2B|97\d)$")
DATE_INPUT = {"type": "date"}
RECENT_ACTION_DAYS = 400


def _blank_first(choices: list, label: object) -> list:
    return [("", label), *choices]


def _department(value: str) -> str:
    value = value.strip().upper()
    if value and not DEPARTMENT_CODE.match(value):
        raise ValidationError(
            _("A department is given by its code, e.g. 14, 75, 2A or 974."), code="department"
        )
    return value


def _country(value: str) -> str:
    value = value.strip().upper()
    if value and (len(value) != 2 or not value.isalpha()):
        raise ValidationError(
            _("A country is given by its two-letter code, e.g. FR or BE."), code="country"
        )
    return value


class ContactFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, e-mail or company"), required=False, max_length=100, strip=True
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_blank_first(ContactKind.choices, _("All kinds")),
    )
    department = forms.CharField(label=_("Department (code)"), required=False, max_length=3)
    country = forms.CharField(label=_("Country (code)"), required=False, max_length=2)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    source_action = forms.TypedChoiceField(
        label=_("First touch"), required=False, coerce=int, empty_value=None
    )
    consent = forms.ChoiceField(
        label=_("Legal basis in force for"),
        required=False,
        choices=_blank_first(Purpose.choices, _("Any purpose")),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        topics = [(topic.code, topic.name) for topic in Topic.objects.all()]
        self.fields["topic"].choices = _blank_first(topics, _("All topics"))
        actions = [(action.pk, str(action)) for action in BureauAction.objects.all()]
        self.fields["source_action"].choices = _blank_first(actions, _("Any first touch"))

    def clean_country(self) -> str:
        return _country(self.cleaned_data["country"])

    def clean_department(self) -> str:
        return _department(self.cleaned_data["department"])

    def filters(self) -> dict[str, object]:
        """The filters given, without the empty ones, as the selector takes them."""
        keys = ("kind", "department", "country", "topic", "source_action", "consent")
        return {key: self.cleaned_data[key] for key in keys if self.cleaned_data.get(key)}


class ContactForm(forms.ModelForm):
    """A contact's identity; the company is typed by name (found, or created on save)."""

    company_name = forms.CharField(
        label=_("Company"),
        required=False,
        max_length=200,
        help_text=_("An existing company of the same name is used; otherwise it is created."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES, initial="fr")

    class Meta:
        model = Contact
        fields = [
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
            "topics",
            "source_action",
            "source_detail",
            "notes",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.company_id:
            self.fields["company_name"].initial = self.instance.company.name
        if self.instance.pk:
            # The first touch follows the timeline once the contact exists.
            del self.fields["source_action"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_department_code(self) -> str:
        return _department(self.cleaned_data["department_code"])

    def clean_country(self) -> str:
        return _country(self.cleaned_data["country"])

    def validate_unique(self) -> None:
        """Uniqueness (the e-mail) is the service's to check: it answers with a clear message."""

    def data_for_service(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        for key in ("company_name", "source_action"):
            data.pop(key, None)
        return data


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(kind.value, kind.label) for kind in MANUAL_INTERACTIONS],
        initial=InteractionKind.CALL,
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    action = forms.ModelChoiceField(
        label=_("Bureau action"),
        queryset=BureauAction.objects.none(),
        required=False,
        help_text=_("Actions of the last year and those ahead."),
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Staff note today what happened lately; a select of every action ever held would also
        # make each contact page slower (one rendered template per option).
        since = timezone.localdate() - datetime.timedelta(days=RECENT_ACTION_DAYS)
        self.fields["action"].queryset = BureauAction.objects.filter(
            Q(starts_on__gte=since) | Q(starts_on__isnull=True)
        ).order_by("-starts_on", "name")
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0))

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("An interaction cannot be in the future."), code="future")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == InteractionKind.MET and not data.get("action"):
            self.add_error(
                "action",
                ValidationError(_("Say at which bureau action they were met."), code="required"),
            )
        return data


class ConsentForm(forms.Form):
    GRANT = "grant"
    WITHDRAW = "withdraw"

    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(GRANT, _("Record a legal basis")), (WITHDRAW, _("Withdraw"))],
        widget=forms.RadioSelect,
        initial=GRANT,
    )
    basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    wording = forms.ModelChoiceField(
        label=_("Wording shown"), queryset=ConsentWording.objects.all(), required=False
    )
    proof = forms.CharField(
        label=_("Proof"),
        required=False,
        max_length=250,
        help_text=_("E.g. the signed form's reference, the call's date and who took it."),
    )

    def clean(self) -> dict:
        data = super().clean()
        wording = data.get("wording")
        if wording and data.get("purpose") and wording.purpose != data["purpose"]:
            self.add_error(
                "wording",
                ValidationError(_("This wording is for another purpose."), code="purpose"),
            )
        granting = data.get("decision") == self.GRANT
        if granting and data.get("basis") == LegalBasis.CONSENT and not data.get("proof"):
            self.add_error(
                "proof",
                ValidationError(_("A consent needs its proof: how it was given."), code="proof"),
            )
        return data


class MergeForm(forms.Form):
    """Per field, which contact's value survives the merge."""

    KEEP = "survivor"
    TAKE = "duplicate"

    other = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: object, survivor: Contact, duplicate: Contact, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for name in MERGE_FIELDS:
            field = Contact._meta.get_field(name)
            mine, theirs = _shown(survivor, name), _shown(duplicate, name)
            self.fields[f"take_{name}"] = forms.ChoiceField(
                label=field.verbose_name,
                choices=[(self.KEEP, mine or "—"), (self.TAKE, theirs or "—")],
                initial=self.KEEP if mine or not theirs else self.TAKE,
                widget=forms.RadioSelect,
                # Not given: the survivor's value stays (filled from the duplicate when empty).
                required=False,
            )
            self.rows.append((name, field.verbose_name, mine, theirs, self[f"take_{name}"]))

    def taken(self) -> list[str]:
        """The fields whose value comes from the duplicate."""
        return [name for name in MERGE_FIELDS if self.cleaned_data.get(f"take_{name}") == self.TAKE]


def _shown(contact: Contact, name: str) -> str:
    field = Contact._meta.get_field(name)
    if field.choices:
        return getattr(contact, f"get_{name}_display")() if getattr(contact, name) else ""
    value = getattr(contact, name)
    return "" if value is None else str(value)


class CompanyFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or city"), required=False, max_length=100)


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
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
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["naf_code"].help_text = _("e.g. 70.22Z")

    def clean_naf_code(self) -> str:
        return self.cleaned_data["naf_code"].strip().upper()

    def clean_department_code(self) -> str:
        return _department(self.cleaned_data["department_code"])

    def clean_country(self) -> str:
        value = _country(self.cleaned_data["country"])
        if not value:
            raise ValidationError(_("Give the country's two-letter code."), code="required")
        return value


class BureauActionForm(forms.ModelForm):
    commune_code = forms.CharField(
        label=_("Commune (INSEE code)"), required=False, max_length=5, help_text=_("e.g. 14118")
    )

    class Meta:
        model = BureauAction
        fields = ["name", "kind", "starts_on", "ends_on", "place", "department_code", "topics"]
        widgets = {
            "starts_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.commune_id:
            self.fields["commune_code"].initial = self.instance.commune_id

    def clean_department_code(self) -> str:
        return _department(self.cleaned_data["department_code"])

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
        return data

    def data_for_service(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["commune"] = data.pop("commune_code")
        if data["commune"] and not data.get("department_code"):
            data["department_code"] = data["commune"].department_id
        return data


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"), max_length=254)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class EraseForm(PersonForm):
    confirm = forms.CharField(
        label=_("Type the e-mail address again to confirm the erasure"), max_length=254
    )

    def clean(self) -> dict:
        data = super().clean()
        typed = (data.get("confirm") or "").strip().lower()
        if data.get("email") and typed != data["email"]:
            self.add_error(
                "confirm",
                ValidationError(
                    _("The address typed is not the address of the person: nothing was erased."),
                    code="mismatch",
                ),
            )
        return data


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Who"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=_blank_first(AuditAction.choices, _("Any action")),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE_INPUT))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = User.objects.filter(
            role__in=[Role.STAFF, Role.ADMIN]
        ).order_by("email")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", ValidationError(_("The period ends before it starts."), "order"))
        return data
