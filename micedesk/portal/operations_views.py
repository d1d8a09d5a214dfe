"""The portal's pages of the bureau's events: a campaign's page (counted, without any personal
data) and the partners' satisfaction survey reached through a private link."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.signing import BadSignature
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from micedesk.crm.models import ActionKind
from micedesk.directory.models import Supplier
from micedesk.directory.vocab import THEMES
from micedesk.operations import services
from micedesk.operations.models import BureauEvent, EventStatus, PartnerSurvey

CAMPAIGN_SUPPLIERS_SHOWN = 12
# Robots, link previews and scripts are not visitors; a missing user agent is not a browser either.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|scan|monitor|fetch|curl|wget|python|java/|httpclient|"
    r"facebookexternalhit|lighthouse",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(BOT_USER_AGENT.search(user_agent))


@require_safe
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        BureauEvent.objects.exclude(status=EventStatus.CANCELLED),
        campaign_slug=slug,
        kind=ActionKind.CAMPAIGN,
    )
    if request.method == "GET" and not is_bot(request.headers.get("User-Agent", "")):
        services.campaign_visit_count(event=event)
    context = {
        "event": event,
        "suppliers": campaign_suppliers(event),
        "request_url": f"{reverse('portal:request_start')}?campagne={event.campaign_slug}",
    }
    return render(request, "portal/campaign.html", context)


def campaign_suppliers(event: BureauEvent) -> QuerySet[Supplier]:
    """A short selection: the published suppliers of the campaign's theme, else of its
    department, else none (the page then only invites to ask)."""
    suppliers = Supplier.objects.published().select_related("commune")
    bit = _theme_bit(event.theme)
    if bit:
        suppliers = suppliers.annotate(theme_hit=F("theme_mask").bitand(bit)).filter(
            theme_hit__gt=0
        )
    elif event.department_code:
        suppliers = suppliers.filter(commune__department_id=event.department_code)
    else:
        return suppliers.none()
    return suppliers.order_by("name")[:CAMPAIGN_SUPPLIERS_SHOWN]


def _theme_bit(theme: str) -> int:
    wanted = theme.strip().casefold()
    if not wanted:
        return 0
    for flag in THEMES:
        if wanted in (flag.code, str(flag.label).casefold()):
            return flag.bit
    return 0


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with this event, from 0 (not at all) to 10 (very)?"),
        choices=[(str(value), str(value)) for value in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    would_return = forms.TypedChoiceField(
        label=_("Would you take part again?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    improve = forms.CharField(
        label=_("What should we improve?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


# survey_read refuses a token that is forged or names no survey: both answer 400 here.
BAD_TOKEN_ERRORS = (services.BadSurveyToken, BadSignature, ObjectDoesNotExist, ValueError)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.survey_read(token)
    except BAD_TOKEN_ERRORS:
        return _private(render(request, "portal/survey_invalid.html", status=400))
    if found.answered_at is not None:
        return _answered(request, found, status=200 if request.method == "GET" else 409)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _answer(found, form):
            return redirect(request.path)
        found.refresh_from_db()
        if found.answered_at is not None:  # answered meanwhile, from another tab or device
            return _answered(request, found, status=409)
        status = 400
    else:
        status = 200
    context = {"survey": found, "event": found.event, "form": form}
    return _private(render(request, "portal/survey.html", context, status=status))


def _answer(survey: PartnerSurvey, form: SurveyForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.survey_answer(
            survey=survey,
            score=form.cleaned_data["score"],
            would_return=form.cleaned_data["would_return"],
            improve=form.cleaned_data["improve"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return False
    return True


def _answered(request: HttpRequest, survey: PartnerSurvey, *, status: int) -> HttpResponse:
    context = {"survey": survey, "event": survey.event, "just_posted": request.method == "POST"}
    return _private(render(request, "portal/survey_answered.html", context, status=status))


def _private(response: HttpResponse) -> HttpResponse:
    # The token is the key to the survey: keep it from other sites and from search engines.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
