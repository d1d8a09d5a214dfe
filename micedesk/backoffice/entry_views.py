"""Back-office: a quote request received by phone or e-mail, entered by staff on one page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from micedesk.backoffice.decorators import staff_required
from micedesk.leads import intake
from micedesk.leads.forms import STEPS
from micedesk.leads.models import Channel


@staff_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    sections = [(title, form_class(data)) for _code, title, form_class in STEPS]
    if data is None:
        return _page(request, sections)
    if not all(form.is_valid() for _title, form in sections):
        return _page(request, sections, status=400)
    submitted: dict = {}
    for _title, form in sections:
        submitted.update(form.as_data())
    submitted["consent_share"] = bool(submitted.get("consent_share"))
    try:
        quote_request = intake.quote_request_submit(
            data=submitted, channel=Channel.STAFF, submitted_by=request.user
        )
    except ValidationError as error:
        _spread_errors(sections, error)
        return _page(request, sections, status=400)
    return redirect("backoffice:request", pk=quote_request.pk)


def _page(request: HttpRequest, sections: list, status: int = 200) -> HttpResponse:
    context = {"sections": sections, "title": _("Enter a quote request")}
    return render(request, "backoffice/requests_new.html", context, status=status)


def _spread_errors(sections: list, error: ValidationError) -> None:
    """Each of the service's errors on the section holding that field, the others on the first."""
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in messages.items():
        owner = next((form for _title, form in sections if field in form.fields), sections[0][1])
        owner.add_error(field if field in owner.fields else None, texts)
