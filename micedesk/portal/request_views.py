"""The planner's side of quote requests on the portal: the request form in steps (the draft waits in
the session, each step is a POST that checks its own fields), and the private page to follow it."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from micedesk.directory.models import Supplier
from micedesk.leads import intake, links, responses
from micedesk.leads.forms import STEP_OF_FIELD, STEPS, OutcomeForm
from micedesk.leads.models import QuoteRequest
from micedesk.leads.selectors import quote_request_for_planner, quote_request_outcome_due
from micedesk.operations.models import BureauEvent

logger = logging.getLogger(__name__)

DRAFT_KEY = "quote_request_draft"
SENT_KEY = "quote_request_sent"
STEP_CODES = [code for code, _title, _form in STEPS]


def _draft(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(DRAFT_KEY) or {})


def _save_draft(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT_KEY] = draft


def _step_url(code: str) -> str:
    return reverse("portal:request_step", kwargs={"step": code})


@require_GET
def request_start(request: HttpRequest) -> HttpResponse:
    """The form's entry: `?supplier=<id>` (from a supplier's page) starts a request to that supplier,
    who stays included whatever the planner changes in the steps."""
    _remember_campaign(request, request.GET.get("campagne"))
    supplier_id = request.GET.get("supplier")
    if supplier_id is None:
        return redirect(_step_url(STEP_CODES[0]))
    supplier = (
        Supplier.objects.published().filter(pk=supplier_id).select_related("commune").first()
        if supplier_id.isdigit()
        else None
    )
    if supplier is None:
        raise Http404(_("This supplier is not listed."))
    draft = _draft(request)
    draft["supplier_ids"] = [supplier.pk]
    draft.setdefault("departments", [supplier.commune.department_id])
    _save_draft(request, draft)
    return redirect(_step_url(STEP_CODES[0]))


def _remember_campaign(request: HttpRequest, slug: str | None) -> None:
    """`?campagne=<slug>` (from a campaign page) is kept in the draft until the request is sent,
    so the request carries its campaign. An unknown campaign is ignored: it only measures."""
    if not slug or len(slug) > intake.CAMPAIGN_MAX_LENGTH:
        return
    if not BureauEvent.objects.filter(campaign_slug=slug).exists():
        return
    draft = _draft(request)
    draft["campaign"] = slug
    _save_draft(request, draft)


@require_http_methods(["GET", "POST"])
def request_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_CODES:
        raise Http404(_("There is no such step."))
    index = STEP_CODES.index(step)
    _code, _title, form_class = STEPS[index]
    draft = _draft(request)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            draft.update(form.as_data())
            _save_draft(request, draft)
            if step != STEP_CODES[-1]:
                return redirect(_step_url(STEP_CODES[index + 1]))
            return _submit(request, draft)
        status = 400
    else:
        form = form_class(initial=form_class.initial_from(draft))
        status = 200
    return _render_step(request, step, form, draft, status=status)


def _render_step(
    request: HttpRequest,
    step: str,
    form: Any,
    draft: dict[str, Any],
    *,
    status: int = 200,
    errors: list[tuple[str, str, str]] | None = None,
) -> HttpResponse:
    index = STEP_CODES.index(step)
    context = {
        "form": form,
        "step": step,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_title": STEPS[index][1],
        "steps": [
            {"code": code, "title": title, "url": _step_url(code), "current": code == step}
            for code, title, _form in STEPS
        ],
        "previous_url": _step_url(STEP_CODES[index - 1]) if index else "",
        "is_last": step == STEP_CODES[-1],
        "suppliers": _asked_suppliers(draft),
        "errors": errors or [],
    }
    if step == STEP_CODES[-1]:
        context["summary"] = _summary(draft)
        context["missing"] = _missing(draft)
    return render(request, "portal/request_step.html", context, status=status)


def _asked_suppliers(draft: dict[str, Any]) -> list[Supplier]:
    ids = [pk for pk in draft.get("supplier_ids") or [] if isinstance(pk, int)]
    return list(Supplier.objects.published().filter(pk__in=ids).order_by("name"))


def _missing(draft: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What intake will refuse as missing, each with the step where it is given. The consent is
    answered on the last step itself, so it is not counted missing there."""
    data = {"consent_share": False, **draft}
    return [
        (field, message, _step_url(STEP_OF_FIELD.get(field, STEP_CODES[0])))
        for field, message in intake.quote_request_missing(data=data)
    ]


def _summary(draft: dict[str, Any]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The draft as the planner typed it, step by step, for a last look before sending."""
    summary = []
    for code, title, form_class in STEPS[:-1]:
        form = form_class(initial=form_class.initial_from(draft))
        rows = []
        for name, field in form.fields.items():
            if name == intake.HONEYPOT_FIELD:
                continue
            shown = _shown(field, form.initial.get(name))
            if shown:
                rows.append((str(field.label), shown))
        summary.append((str(title), _step_url(code), rows))
    return summary


def _shown(field: Any, value: object) -> str:
    if value in (None, "", [], False):
        return ""
    if value is True:
        return _("Yes")
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    return str(choices.get(value, value))


def _submit(request: HttpRequest, draft: dict[str, Any]) -> HttpResponse:
    send_form = STEPS[-1][2](initial=STEPS[-1][2].initial_from(draft))
    try:
        quote_request = intake.quote_request_submit(
            data=draft, channel="portal", client_key=request.META.get("REMOTE_ADDR", "")
        )
    except intake.TooManyRequests as error:
        response = render(
            request,
            "portal/request_too_many.html",
            {"message": error.messages[0], "retry_minutes": max(1, error.retry_after // 60)},
            status=429,
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    except ValidationError as error:
        errors = [
            (field, message, _step_url(STEP_OF_FIELD.get(field, STEP_CODES[0])))
            for field, messages in error.message_dict.items()
            for message in messages
        ]
        return _render_step(request, STEP_CODES[-1], send_form, draft, status=400, errors=errors)
    transaction.on_commit(lambda: _acknowledge(quote_request))
    request.session.pop(DRAFT_KEY, None)
    request.session[SENT_KEY] = quote_request.reference
    return redirect("portal:request_sent")


def _acknowledge(quote_request: QuoteRequest) -> None:
    # The request is stored and routed whatever happens to this mail: a failure is logged only.
    try:
        links.quote_request_acknowledge(quote_request=quote_request)
    except Exception:
        logger.exception("Acknowledgement of quote request %s not sent", quote_request.reference)


@require_GET
def request_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(SENT_KEY)
    if not reference:
        return redirect(_step_url(STEP_CODES[0]))
    return render(request, "portal/request_sent.html", {"reference": reference})


LINK_REFUSAL_STATUS = ((links.ExpiredLink, 410), (links.ForgedLink, 403), (links.InvalidLink, 404))


@require_http_methods(["GET", "POST"])
def request_follow(request: HttpRequest, token: str) -> HttpResponse:
    """The planner's private page: who answered, and once the event is over, how it ended."""
    try:
        quote_request = quote_request_for_planner(token=token)
    except links.InvalidLink as error:
        status = next(code for kind, code in LINK_REFUSAL_STATUS if isinstance(error, kind))
        context = {"message": str(error)}
        return render(request, "portal/request_link_invalid.html", context, status=status)
    outcome_due = quote_request_outcome_due(quote_request=quote_request)
    posted = request.POST if request.method == "POST" else None
    form = OutcomeForm(posted, suppliers=_outcome_suppliers(quote_request)) if outcome_due else None
    status = 200
    if posted is not None and form is None:
        status = 409
    elif posted is not None:
        if _declare(quote_request, form):
            return redirect(request.path)
        status = 400
    context = {
        "quote_request": quote_request,
        "dispatches": quote_request.supplier_dispatches,
        "form": form,
        "refused": status == 409,
    }
    response = render(request, "portal/request_follow.html", context, status=status)
    # The token must not leak to other sites; "no-referrer" would make the browser send
    # "Origin: null" with the outcome form, which CSRF protection refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _outcome_suppliers(quote_request: QuoteRequest) -> list[Supplier]:
    suppliers = {dispatch.supplier for dispatch in quote_request.supplier_dispatches}
    suppliers.update(quote_request.requested_suppliers.all())
    return sorted(suppliers, key=lambda supplier: (supplier.name, supplier.pk))


def _declare(quote_request: QuoteRequest, form: OutcomeForm) -> bool:
    if not form.is_valid():
        return False
    try:
        responses.quote_request_declare_outcome(
            quote_request=quote_request,
            supplier=form.chosen(),
            participants=form.cleaned_data["participants"],
            days=form.cleaned_data["days"],
            budget=form.cleaned_data["budget"],
            declared_by="planner",
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return False
    return True
