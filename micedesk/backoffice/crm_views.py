"""Views of the CRM in the back-office: contacts and their timeline, merges, companies, bureau
actions, a person's data on request (export, erasure), the register of processing activities and
the audit log. Staff only; reads go through micedesk.crm.selectors (which log views of personal
data), writes through micedesk.crm.services."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from micedesk.backoffice.crm_forms import (
    AuditFilterForm,
    BureauActionForm,
    CompanyFilterForm,
    CompanyForm,
    ConsentForm,
    ContactFilterForm,
    ContactForm,
    EraseForm,
    InteractionForm,
    MergeForm,
    PersonForm,
)
from micedesk.backoffice.decorators import staff_required
from micedesk.crm import selectors, services
from micedesk.crm.keys import company_key
from micedesk.crm.models import (
    AuditAction,
    BureauAction,
    Company,
    ConsentMethod,
    Contact,
    InteractionKind,
    ProcessingActivity,
    Purpose,
)
from micedesk.leads.models import QuoteRequest

PAGE_SIZE = 50
# A spreadsheet runs a cell starting with these as a formula: such values get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HELD_LABELS = {
    "contacts": gettext_lazy("Contacts"),
    "companies": gettext_lazy("Their companies"),
    "interactions": gettext_lazy("Timeline items"),
    "consents": gettext_lazy("Legal basis records"),
    "quote_requests": gettext_lazy("Quote requests"),
    "audit_entries": gettext_lazy("Audit log entries"),
}
REPORT_LABELS = {
    "contacts": gettext_lazy("Contacts anonymised"),
    "quote_requests": gettext_lazy("Quote requests anonymised"),
    "tasks": gettext_lazy("Background task records deleted"),
    "contact_ids": gettext_lazy("Numbers of the contacts"),
    "import_files": gettext_lazy("Import files cleaned"),
}


@dataclass
class Window:
    """A page of results read without counting them all: one row more than shown says whether
    a next page exists (a COUNT over 100,000 filtered contacts would cost more than the page)."""

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def _window(queryset: QuerySet, request: HttpRequest) -> Window:
    try:
        number = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return Window(items=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on the form's fields, or above the form for the others."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, texts in error.message_dict.items():
        form.add_error(field if field in form.fields else None, texts)


def _posted(request: HttpRequest):
    """The data of a POST (even empty: an empty form is refused, not shown again), else None."""
    return request.POST if request.method == "POST" else None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _contact(request: HttpRequest, pk: int) -> Contact:
    """The contact, its view logged by the selector; 404 for an unknown or anonymised one."""
    contact = selectors.contact_for(user=request.user, pk=pk)
    if contact.anonymised_at:
        raise Http404
    return contact


# Contacts


@staff_required
@require_safe
def contacts(request: HttpRequest) -> HttpResponse:
    form = ContactFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "window": None}
        return render(request, "backoffice/crm_contacts.html", context, status=400)
    filters = form.filters() if form.is_bound else {}
    found = selectors.contact_search(
        user=request.user,
        q=form.cleaned_data.get("q", "") if form.is_bound else "",
        filters=filters,
    )
    # The folded "last first" key is indexed: a page is read along the index, not sorted.
    found = found.select_related("company", "source_action").order_by("name_key", "pk")
    context = {
        "form": form,
        "window": _window(found, request),
        "query": _query_without_page(request),
    }
    return render(request, "backoffice/crm_contacts.html", context)


def _timeline_context(request: HttpRequest, contact: Contact, form: InteractionForm | None = None):
    return {
        "contact": contact,
        "timeline": selectors.contact_timeline(user=request.user, contact=contact),
        "interaction_form": form or InteractionForm(),
    }


def _contact_page(
    request: HttpRequest, contact: Contact, *, forms_: dict | None = None, status: int = 200
) -> HttpResponse:
    forms_ = forms_ or {}
    context = _timeline_context(request, contact, forms_.get("interaction"))
    context.update(
        {
            "origin": _origin(contact),
            "attribution": selectors.contact_attribution(contact=contact),
            "consents": _consents(contact),
            "consent_form": forms_.get("consent") or ConsentForm(),
            # Looking for duplicates reads the whole base: only when asked.
            "duplicates": (
                selectors.duplicate_candidates(contact=contact, limit=10)
                if request.GET.get("duplicates")
                else None
            ),
        }
    )
    return render(request, "backoffice/crm_contact.html", context, status=status)


def _origin(contact: Contact) -> list[str]:
    """Where the contact comes from, the parts known: city (postal code), department, region,
    country."""
    city = contact.city + (f" ({contact.postal_code})" if contact.postal_code else "")
    department = (
        _("department %(code)s") % {"code": contact.department_code}
        if contact.department_code
        else ""
    )
    parts = [city.strip(), department, contact.region, contact.country]
    return [part for part in parts if part]


def _consents(contact: Contact) -> list[tuple[str, str, object]]:
    """Each purpose with its label and the legal basis in force (None when there is none)."""
    in_force = selectors.consents_in_force(contact=contact)
    return [(purpose, label, in_force.get(purpose)) for purpose, label in Purpose.choices]


@staff_required
@require_safe
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_page(request, _contact(request, pk))


def _company_named(name: str, user) -> Company | None:
    """The company typed on a contact's form: an existing one of that name, else a new one."""
    name = name.strip()
    return services.company_find_or_create(name=name, user=user) if name else None


@staff_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    form = ContactForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            # The company typed is created only along with the contact: nothing half-written.
            with transaction.atomic():
                created = services.contact_create(
                    data=form.data_for_service(),
                    user=request.user,
                    company=_company_named(form.cleaned_data["company_name"], request.user),
                    source_action=form.cleaned_data.get("source_action"),
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The contact is created."))
            return redirect("backoffice:contact", pk=created.pk)
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/crm_contact_form.html", {"form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    # The form works on a copy: the service compares the contact before and after.
    form = ContactForm(_posted(request), instance=copy.copy(contact))
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            with transaction.atomic():
                data["company"] = _company_named(form.cleaned_data["company_name"], request.user)
                services.contact_update(contact=contact, data=data, user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The contact is saved."))
            return redirect("backoffice:contact", pk=contact.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "contact": contact}
    return render(request, "backoffice/crm_contact_form.html", context, status=status)


@staff_required
@require_POST
def contact_interaction_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds a call, visit, e-mail, note or meeting to the timeline; htmx swaps the timeline."""
    contact = _contact(request, pk)
    form = InteractionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.interaction_add(
                contact=contact,
                kind=data["kind"],
                user=request.user,
                occurred_at=data["occurred_at"],
                action=data["action"],
                summary=data["summary"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # A note typed by staff is personal data: its writing goes to the audit log.
            services.audit_record(
                actor=request.user,
                action=AuditAction.CHANGE,
                object_type="contact",
                object_id=contact.pk,
                details={"interaction": item.pk, "kind": item.kind},
            )
            if not _is_htmx(request):
                messages.success(request, _("The interaction is added to the timeline."))
                return redirect("backoffice:contact", pk=pk)
            context = _timeline_context(request, contact)
            context["added"] = True
            return render(request, "backoffice/crm_fragment_timeline.html", context)
    if _is_htmx(request):
        context = _timeline_context(request, contact, form)
        return render(request, "backoffice/crm_fragment_timeline.html", context, status=400)
    return _contact_page(request, contact, forms_={"interaction": form}, status=400)


@staff_required
@require_POST
def contact_consent(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                contact=contact,
                purpose=data["purpose"],
                basis=data["basis"],
                granted=data["decision"] == ConsentForm.GRANT,
                method=ConsentMethod.STAFF,
                user=request.user,
                wording=data["wording"],
                proof=data["proof"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The legal basis is recorded."))
            return redirect("backoffice:contact", pk=pk)
    return _contact_page(request, contact, forms_={"consent": form}, status=400)


def _history_counts(contact: Contact) -> dict[str, int]:
    return {
        "interactions": contact.interactions.count(),
        "consents": contact.consents.count(),
        "topics": contact.topics.count(),
    }


def _merge_refused(request: HttpRequest, survivor: Contact, message: str) -> HttpResponse:
    context = {"survivor": survivor, "refusal": message}
    return render(request, "backoffice/crm_contact_merge.html", context, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Two contacts side by side: per field, which value survives; the duplicate's history
    follows the survivor and the duplicate is deleted."""
    survivor = _contact(request, pk)
    raw = request.POST.get("other") if request.method == "POST" else request.GET.get("other")
    try:
        other_pk = int(raw or "")
    except ValueError:
        return _merge_refused(request, survivor, _("Say which contact to merge into this one."))
    if other_pk == survivor.pk:
        return _merge_refused(request, survivor, _("A contact cannot be merged with itself."))
    duplicate = _contact(request, other_pk)
    form = MergeForm(
        _posted(request),
        survivor=survivor,
        duplicate=duplicate,
        initial={"other": duplicate.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_merge(
                survivor=survivor, duplicate=duplicate, user=request.user, take=form.taken()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The contacts are merged."))
            return redirect("backoffice:contact", pk=survivor.pk)
    context = {
        "survivor": survivor,
        "duplicate": duplicate,
        "form": form,
        "counts": (_history_counts(survivor), _history_counts(duplicate)),
    }
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/crm_contact_merge.html", context, status=status)


# Companies


@staff_required
@require_safe
def companies(request: HttpRequest) -> HttpResponse:
    form = CompanyFilterForm(request.GET or None)
    found = selectors.companies_for(user=request.user)
    text = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    if text:
        found = found.filter(Q(name_key__contains=company_key(text)) | Q(city__icontains=text))
    window = _window(found.order_by("name", "pk"), request)
    # Contacts are counted for the page's companies only, not grouped over the whole base.
    counts = dict(
        Contact.objects.filter(company__in=window.items)
        .values_list("company")
        .annotate(count=Count("pk"))
    )
    for item in window.items:
        item.contact_count = counts.get(item.pk, 0)
    context = {"form": form, "window": window, "query": _query_without_page(request)}
    return render(request, "backoffice/crm_companies.html", context)


def _company(request: HttpRequest, pk: int) -> Company:
    company = selectors.companies_for(user=request.user).filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


@staff_required
@require_safe
def company(request: HttpRequest, pk: int) -> HttpResponse:
    company = _company(request, pk)
    people = company.contacts.filter(anonymised_at__isnull=True).order_by("last_name", "pk")
    requests = (
        QuoteRequest.objects.filter(crm_interactions__contact__company=company)
        .distinct()
        .order_by("-created_at")[:100]
    )
    context = {"company": company, "contacts": people[:200], "requests": requests}
    return render(request, "backoffice/crm_company.html", context)


def _company_form_page(request: HttpRequest, company: Company | None) -> HttpResponse:
    form = CompanyForm(_posted(request), instance=copy.copy(company) if company else None)
    if request.method == "POST" and form.is_valid():
        try:
            if company is None:
                company = services.company_create(data=form.cleaned_data, user=request.user)
            else:
                services.company_update(company=company, data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The company is saved."))
            return redirect("backoffice:company", pk=company.pk)
    context = {"form": form, "company": company}
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/crm_company_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def company_new(request: HttpRequest) -> HttpResponse:
    return _company_form_page(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _company_form_page(request, _company(request, pk))


# Bureau actions

ACTION_KINDS = (InteractionKind.MET, InteractionKind.INVITED, InteractionKind.ATTENDED)


@staff_required
@require_safe
def bureau_actions(request: HttpRequest) -> HttpResponse:
    found = selectors.bureau_actions_for(user=request.user).select_related("commune")
    context = {"window": _window(found, request), "query": ""}
    return render(request, "backoffice/crm_actions.html", context)


def _bureau_action(request: HttpRequest, pk: int) -> BureauAction:
    action = selectors.bureau_actions_for(user=request.user).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


@staff_required
@require_safe
def bureau_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = _bureau_action(request, pk)
    per_kind = dict(
        action.interactions.filter(kind__in=ACTION_KINDS)
        .values_list("kind")
        .annotate(people=Count("contact", distinct=True))
    )
    counts = [(kind, kind.label, per_kind.get(kind.value, 0)) for kind in ACTION_KINDS]
    recent = (
        action.interactions.filter(contact__anonymised_at__isnull=True)
        .select_related("contact", "contact__company")
        .order_by("-occurred_at", "-pk")[:50]
    )
    context = {
        "action": action,
        "counts": counts,
        "sourced": action.sourced_contacts.count(),
        "recent": recent,
    }
    return render(request, "backoffice/crm_action.html", context)


def _action_form_page(request: HttpRequest, action: BureauAction | None) -> HttpResponse:
    form = BureauActionForm(_posted(request), instance=copy.copy(action) if action else None)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            if action is None:
                action = services.bureau_action_create(data=data, user=request.user)
            else:
                services.bureau_action_update(action=action, data=data, user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The bureau action is saved."))
            return redirect("backoffice:bureau_action", pk=action.pk)
    context = {"form": form, "action": action}
    status = 400 if form.is_bound else 200
    return render(request, "backoffice/crm_action_form.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def bureau_action_new(request: HttpRequest) -> HttpResponse:
    return _action_form_page(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def bureau_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action_form_page(request, _bureau_action(request, pk))


# GDPR: a person's data, the register, the audit log


def _items(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _held_counts(data: dict) -> list[tuple[str, str, int]]:
    """How many items of each kind the export holds (its lists), with their labels."""
    return [
        (key, HELD_LABELS.get(key, key), len(value))
        for key, value in data.items()
        if isinstance(value, list)
    ]


def _person_page(
    request: HttpRequest,
    *,
    form: PersonForm,
    erase_form: EraseForm | None = None,
    held: list | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "erase_form": erase_form,
        "held": held,
        "held_total": sum(count for _key, _label, count in held or []),
        "export_formats": [("json", _("Download as JSON")), ("csv", _("Download as CSV"))],
    }
    return render(request, "backoffice/crm_gdpr_person.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def gdpr_person(request: HttpRequest) -> HttpResponse:
    """Enter an e-mail: what is held about that person (counts). POST, so that the address stays
    out of URLs and server logs."""
    if request.method == "GET":
        return _person_page(request, form=PersonForm())
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _person_page(request, form=form, status=400)
    email = form.cleaned_data["email"]
    # Showing what is held discloses it: the service logs it as an export by this user.
    held = _held_counts(services.person_data_export(email=email, user=request.user))
    erase_form = EraseForm(initial={"email": email})
    return _person_page(request, form=form, erase_form=erase_form, held=held)


def _flat_rows(data: dict) -> Iterator[list[str]]:
    """One row per value: table, item number, field, value (nested values as JSON)."""
    for table, value in data.items():
        for number, item in enumerate(_items(value), start=1):
            fields = item.items() if isinstance(item, dict) else [("value", item)]
            for field, cell in fields:
                yield [str(table), str(number), str(field), _cell(cell)]


def _cell(value: object) -> str:
    if isinstance(value, dict | list):
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    else:
        text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _export_csv(data: dict) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(["table", "item", "field", "value"])
    writer.writerows(_flat_rows(data))
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


@staff_required
@require_POST
def gdpr_export(request: HttpRequest, file_format: str) -> HttpResponse:
    form = PersonForm(request.POST)
    if file_format not in ("json", "csv") or not form.is_valid():
        return _person_page(request, form=form, status=400)
    data = services.person_data_export(email=form.cleaned_data["email"], user=request.user)
    if file_format == "json":
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body.encode("utf-8"), content_type="application/json")
    else:
        response = HttpResponse(_export_csv(data), content_type="text/csv; charset=utf-8")
    name = f"personal-data-{timezone.localdate().isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def gdpr_erase(request: HttpRequest) -> HttpResponse:
    """Erases a person everywhere once the staff member typed the address again."""
    form = EraseForm(request.POST)
    if not form.is_valid():
        person = PersonForm(initial={"email": request.POST.get("email", "")})
        return _person_page(request, form=person, erase_form=form, status=400)
    report = services.person_erase(email=form.cleaned_data["email"], user=request.user)
    messages.success(request, _("The person's data is erased."))
    return render(request, "backoffice/crm_gdpr_erased.html", {"report": _report_rows(report)})


def _report_rows(report: object) -> list[tuple[str, object]]:
    """The erasure report's figures, whatever their number, as (name, value) rows."""
    if isinstance(report, dict):
        values = report
    elif hasattr(report, "__dataclass_fields__"):
        values = {name: getattr(report, name) for name in report.__dataclass_fields__}
    else:
        values = vars(report)
    return [(name, REPORT_LABELS.get(name, name), value) for name, value in values.items()]


@staff_required
@require_safe
def gdpr_register(request: HttpRequest) -> HttpResponse:
    context = {"activities": ProcessingActivity.objects.all()}
    return render(request, "backoffice/crm_gdpr_register.html", context)


@staff_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "window": None}
        return render(request, "backoffice/crm_audit.html", context, status=400)
    entries = selectors.audit_entries_for(user=request.user).select_related("actor")
    data = form.cleaned_data if form.is_bound else {}
    if data.get("actor"):
        entries = entries.filter(actor=data["actor"])
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("start"):
        entries = entries.filter(at__date__gte=data["start"])
    if data.get("end"):
        entries = entries.filter(at__date__lte=data["end"])
    window = _window(entries.order_by("-at", "-pk"), request)
    for entry in window.items:
        entry.details_text = json.dumps(entry.details, cls=DjangoJSONEncoder, sort_keys=True)
    context = {"form": form, "window": window, "query": _query_without_page(request)}
    return render(request, "backoffice/crm_audit.html", context)
