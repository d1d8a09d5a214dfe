"""Views of the quote requests in the extranet: a supplier member reads and answers the dispatches
sent to its suppliers; a partner member reads its territory and forwards what it received."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from micedesk.extranet.decorators import extranet_member_required
from micedesk.geo.selectors import partners_of_member
from micedesk.leads.matching import match_explanation
from micedesk.leads.models import Dispatch, DispatchStatus, Match
from micedesk.leads.outbox import request_needs
from micedesk.leads.responses import dispatch_answer, dispatch_forward, dispatch_mark_viewed
from micedesk.leads.selectors import (
    dispatch_is_late,
    dispatch_is_recipient,
    dispatches_for,
    planner_details_for,
    quote_requests_for,
)

LIST_SIZE = 200
S = DispatchStatus


class AnswerForm(forms.Form):
    """A supplier's answer; the service checks which values go with which status."""

    status = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[
            (S.INTERESTED, gettext_lazy("Interested")),
            (S.DECLINED, gettext_lazy("Declined")),
            (S.PROPOSAL, gettext_lazy("Proposal sent")),
            (S.WON, gettext_lazy("Won")),
            (S.LOST, gettext_lazy("Lost")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why you decline"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = forms.CharField(label=gettext_lazy("Amount of the proposal (€)"), required=False)
    lost_to = forms.CharField(label=gettext_lazy("Lost to"), required=False)
    lost_reason = forms.CharField(
        label=gettext_lazy("Why it was lost"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ForwardForm(forms.Form):
    """The suppliers a partner picks among the ranked matches of the request."""

    supplier_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Suppliers to forward the request to"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, matches: list[Match], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier_ids"].choices = [
            (match.supplier_id, match.supplier.name) for match in matches
        ]


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors on the form's fields, or above the form for the others."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _visible_dispatch(request: HttpRequest, pk: int) -> Dispatch:
    """A dispatch the member may read; any other is a 404, so that no one learns what exists."""
    dispatch = dispatches_for(user=request.user).filter(pk=pk).first()
    if dispatch is None:
        raise Http404
    return dispatch


def _own_dispatch(request: HttpRequest, pk: int) -> Dispatch:
    """A dispatch to the member's own supplier or partner: only its recipient acts on it."""
    dispatch = _visible_dispatch(request, pk)
    if not dispatch_is_recipient(dispatch=dispatch, user=request.user):
        raise Http404
    return dispatch


def _ranked_matches(dispatch: Dispatch) -> list[Match]:
    matches = list(
        Match.objects.filter(quote_request_id=dispatch.quote_request_id, eligible=True)
        .select_related("supplier", "supplier__commune")
        .order_by("rank", "-score", "pk")
    )
    language = get_language() or "fr"
    for match in matches:
        match.explanation_text = match_explanation(reasons=match.reasons, language=language)
    return matches


@extranet_member_required
@require_safe
def requests_list(request: HttpRequest) -> HttpResponse:
    """The dispatches sent to the member's suppliers; for a partner also its territory's requests."""
    dispatches = dispatches_for(user=request.user).order_by("-created_at", "-pk")
    context: dict[str, object] = {}
    if request.user.is_partner_member:
        partners = partners_of_member(user=request.user)
        context["territory"] = _territory_requests(request)
        dispatches = dispatches.filter(partner__in=partners)
    context["dispatches"] = dispatches[:LIST_SIZE]
    return render(request, "extranet/requests_list.html", context)


def _territory_requests(request: HttpRequest) -> QuerySet:
    visible = dispatches_for(user=request.user).order_by("created_at", "pk")
    return (
        quote_requests_for(user=request.user)
        .select_related("commune")
        .prefetch_related(Prefetch("dispatches", queryset=visible, to_attr="visible_dispatches"))
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )


def _dispatch_page(
    request: HttpRequest,
    dispatch: Dispatch,
    *,
    answer_form: AnswerForm | None = None,
    forward_form: ForwardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    recipient = dispatch_is_recipient(dispatch=dispatch, user=request.user)
    matches = _ranked_matches(dispatch) if dispatch.partner_id and recipient else []
    context = {
        "dispatch": dispatch,
        "quote_request": dispatch.quote_request,
        "planner": planner_details_for(dispatch=dispatch, user=request.user),
        "needs": request_needs(dispatch.quote_request),
        "is_recipient": recipient,
        "matches": matches,
        "answer_form": answer_form or AnswerForm(),
        "forward_form": forward_form or ForwardForm(matches=matches),
        "forwarded": dispatch.quote_request.dispatches.filter(forwarded_by=dispatch.partner_id)
        .select_related("supplier")
        .order_by("pk")
        if dispatch.partner_id
        else [],
    }
    return render(request, "extranet/dispatch_detail.html", context, status=status)


@extranet_member_required
@require_safe
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A dispatch: opening it marks it viewed when the reader is its recipient."""
    dispatch = _visible_dispatch(request, pk)
    if dispatch_is_recipient(dispatch=dispatch, user=request.user):
        dispatch = dispatch_mark_viewed(dispatch=dispatch, user=request.user)
        dispatch.is_late = dispatch_is_late(dispatch=dispatch)
    return _dispatch_page(request, dispatch)


@extranet_member_required
@require_POST
def dispatch_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _own_dispatch(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispatch_answer(
                dispatch=dispatch,
                user=request.user,
                status=data["status"],
                reason=data["reason"],
                amount=data["amount"] or None,
                lost_to=data["lost_to"],
                lost_reason=data["lost_reason"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your answer is recorded."))
            return redirect("extranet:dispatch", pk=dispatch.pk)
    return _dispatch_page(request, dispatch, answer_form=form, status=400)


@extranet_member_required
@require_POST
def dispatch_forward_view(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _own_dispatch(request, pk)
    if dispatch.partner_id is None:
        raise Http404
    form = ForwardForm(request.POST, matches=_ranked_matches(dispatch))
    if form.is_valid():
        try:
            forwarded = dispatch_forward(
                dispatch=dispatch, user=request.user, supplier_ids=form.cleaned_data["supplier_ids"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The request is forwarded to %(count)d supplier.",
                    "The request is forwarded to %(count)d suppliers.",
                    len(forwarded),
                )
                % {"count": len(forwarded)},
            )
            return redirect("extranet:dispatch", pk=dispatch.pk)
    return _dispatch_page(request, dispatch, forward_form=form, status=400)
