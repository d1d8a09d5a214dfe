"""Routing: who receives a quote request, by the policy staff set for its territory and kind of
event (direct to the best matches, through the institutional partner, or staff review first), and
the one place where dispatches are created, exactly once per request × recipient."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from micedesk.accounts.models import User
from micedesk.directory.models import Status, Supplier
from micedesk.geo.models import Partner, PartnerKind
from micedesk.geo.selectors import partners_covering
from micedesk.leads.matching import quote_request_match
from micedesk.leads.models import (
    Dispatch,
    Match,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
    RoutingMode,
    RoutingPolicy,
)
from micedesk.leads.tasks import dispatches_send_soon

DEFAULT_MODE = RoutingMode.DIRECT
DEFAULT_BEST_COUNT = 5
ROUTABLE = (RequestStatus.RECEIVED, RequestStatus.REVIEW, RequestStatus.ROUTED)
# How many ranked matches a partner receives to choose from.
PARTNER_MATCHES = 20


@dataclass(frozen=True)
class RoutingDecision:
    mode: str
    best_count: int
    department: str | None
    source: str  # "kind": department × kind of event; "department": department-wide; "default"
    policy_id: int | None = None


def request_department(quote_request: QuoteRequest) -> str | None:
    """The department a request is for: the first one asked, else the commune's."""
    if quote_request.departments:
        return str(quote_request.departments[0])
    if quote_request.commune_id:
        return quote_request.commune.department_id
    return None


def routing_policy_for(*, quote_request: QuoteRequest) -> RoutingDecision:
    """The policy for the request's department and kind of event, else the department's, else the
    default (direct to the 5 best matches) while staff have set nothing."""
    department = request_department(quote_request)
    if department:
        policies = RoutingPolicy.objects.filter(
            Q(event_kind=quote_request.event_kind) | Q(event_kind=""), department_id=department
        )
        for policy in sorted(policies, key=lambda p: p.event_kind == ""):
            source = "kind" if policy.event_kind else "department"
            return RoutingDecision(policy.mode, policy.best_count, department, source, policy.pk)
    return RoutingDecision(DEFAULT_MODE, DEFAULT_BEST_COUNT, department, "default")


def routing_log(
    *, quote_request: QuoteRequest, event: str, actor: User | None = None, **details: object
) -> RoutingLogEntry:
    return RoutingLogEntry.objects.create(
        quote_request=quote_request,
        event=event,
        actor=actor if actor is not None and actor.is_authenticated else None,
        details=details,
    )


def _is_staff(actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_bureau_staff


def quote_request_route(
    *, quote_request: QuoteRequest, actor: User | None = None, force_mode: str | None = None
) -> list[Dispatch]:
    """Match the request and send it on by its routing policy; staff may choose the mode
    (`force_mode`), which is how a request held for review goes on. Returns the request's
    dispatches created or already there for the recipients chosen now."""
    if force_mode is not None:
        if not _is_staff(actor):
            raise PermissionDenied(_("Only the bureau's staff can choose how a request is routed."))
        if force_mode not in RoutingMode.values:
            raise ValidationError({"mode": _("Unknown routing mode.")})
    with transaction.atomic():
        # One routing at a time per request (a row lock on PostgreSQL; SQLite's write
        # transactions are serialised already).
        given, quote_request = quote_request, _locked(quote_request)
        decision = routing_policy_for(quote_request=quote_request)
        mode = force_mode or decision.mode
        if mode == RoutingMode.REVIEW:
            dispatches = _hold_for_review(quote_request, decision, actor)
            given.status = quote_request.status
            return dispatches
        matches = quote_request_match(quote_request=quote_request)
        _log_matches(quote_request, matches, actor)
        if mode == RoutingMode.PARTNER:
            dispatches = _route_to_partner(quote_request, matches, decision, actor)
        else:
            dispatches = _route_direct(quote_request, matches, decision.best_count, actor)
        _mark_routed(quote_request)
        routing_log(
            quote_request=quote_request,
            event="routed",
            actor=actor,
            mode=mode,
            forced=force_mode is not None,
            policy=decision.source,
            policy_id=decision.policy_id,
            department=decision.department,
            best_count=decision.best_count,
            recipients=[_recipient(dispatch) for dispatch in dispatches],
        )
    given.status = quote_request.status
    return dispatches


def _locked(quote_request: QuoteRequest) -> QuoteRequest:
    """The request read again under a row lock, refused if it may not be routed."""
    quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
    _check_routable(quote_request)
    return quote_request


def _check_routable(quote_request: QuoteRequest) -> None:
    if quote_request.status not in ROUTABLE:
        raise ValidationError(
            {
                "status": _("A request that is %(status)s cannot be routed.")
                % {"status": quote_request.get_status_display().lower()}
            }
        )


def _hold_for_review(
    quote_request: QuoteRequest, decision: RoutingDecision, actor: User | None
) -> list[Dispatch]:
    if quote_request.status != RequestStatus.REVIEW:
        quote_request.status = RequestStatus.REVIEW
        quote_request.save(update_fields=["status"])
    routing_log(
        quote_request=quote_request,
        event="held_for_review",
        actor=actor,
        policy=decision.source,
        policy_id=decision.policy_id,
        department=decision.department,
    )
    return []


def _mark_routed(quote_request: QuoteRequest) -> None:
    if quote_request.status != RequestStatus.ROUTED:
        quote_request.status = RequestStatus.ROUTED
        quote_request.save(update_fields=["status"])


def _log_matches(quote_request: QuoteRequest, matches: list[Match], actor: User | None) -> None:
    routing_log(
        quote_request=quote_request,
        event="matched",
        actor=actor,
        eligible=sum(match.eligible for match in matches),
        stored=len(matches),
        best=[match.supplier_id for match in matches if match.eligible][:DEFAULT_BEST_COUNT],
    )


def _named_ids(quote_request: QuoteRequest) -> set[int]:
    return set(quote_request.requested_suppliers.values_list("pk", flat=True))


def _route_direct(
    quote_request: QuoteRequest, matches: list[Match], best_count: int, actor: User | None
) -> list[Dispatch]:
    """The best eligible matches, and every published supplier asked for by name."""
    best = [match for match in matches if match.eligible][:best_count]
    chosen = [_dispatch_match(quote_request, match, actor) for match in best]
    return chosen + _dispatch_named(quote_request, matches, actor, already=best)


def _dispatch_match(quote_request: QuoteRequest, match: Match, actor: User | None) -> Dispatch:
    explanation = [{"code": "routed_direct", "params": {"rank": match.rank}}, *match.reasons]
    dispatch, _created = dispatch_create(
        quote_request=quote_request, supplier=match.supplier, explanation=explanation, actor=actor
    )
    return dispatch


def _dispatch_named(
    quote_request: QuoteRequest, matches: list[Match], actor: User | None, already: list[Match]
) -> list[Dispatch]:
    """Suppliers asked for by name always receive the request (if still published), whatever
    the policy: the explanation says when they fail a constraint."""
    taken = {match.supplier_id for match in already}
    by_supplier = {match.supplier_id: match for match in matches}
    dispatches = []
    named = Supplier.objects.filter(pk__in=_named_ids(quote_request), status=Status.PUBLISHED)
    for supplier in named.order_by("pk"):
        if supplier.pk in taken:
            continue
        match = by_supplier.get(supplier.pk)
        reasons = match.reasons if match else [{"code": "asked_by_name", "params": {}}]
        dispatch, _created = dispatch_create(
            quote_request=quote_request, supplier=supplier, explanation=reasons, actor=actor
        )
        dispatches.append(dispatch)
    return dispatches


def partner_for(*, quote_request: QuoteRequest) -> Partner | None:
    """The institutional partner covering the place asked: a convention bureau whose territory
    holds the commune (the most local first), else the department's attractiveness agency."""
    if quote_request.commune_id:
        bureau = partners_covering(
            commune=quote_request.commune_id, kind=PartnerKind.CONVENTION_BUREAU
        ).first()
        if bureau is not None:
            return bureau
        agency = partners_covering(
            commune=quote_request.commune_id, kind=PartnerKind.ATTRACTIVENESS_AGENCY
        ).first()
        if agency is not None:
            return agency
    department = request_department(quote_request)
    if department is None:
        return None
    return (
        Partner.objects.filter(department_id=department, kind=PartnerKind.ATTRACTIVENESS_AGENCY)
        .order_by("name")
        .first()
    )


def _route_to_partner(
    quote_request: QuoteRequest,
    matches: list[Match],
    decision: RoutingDecision,
    actor: User | None,
) -> list[Dispatch]:
    """The partner receives the request with the ranked matches and forwards it to the suppliers
    it picks; with no partner for the place, the request goes direct rather than nowhere."""
    partner = partner_for(quote_request=quote_request)
    if partner is None:
        routing_log(
            quote_request=quote_request,
            event="partner_missing",
            actor=actor,
            department=decision.department,
        )
        return _route_direct(quote_request, matches, decision.best_count, actor)
    ranked = [
        {
            "supplier_id": match.supplier_id,
            "name": match.supplier.name,
            "rank": match.rank,
            "score": match.score,
            "reasons": match.reasons,
        }
        for match in matches
        if match.eligible
    ][:PARTNER_MATCHES]
    place = quote_request.commune.name if quote_request.commune_id else decision.department
    explanation = [
        {"code": "partner_territory", "params": {"partner": partner.name, "place": place}},
        {"code": "ranked_matches", "params": {"matches": ranked}},
    ]
    dispatch, _created = dispatch_create(
        quote_request=quote_request, partner=partner, explanation=explanation, actor=actor
    )
    return [dispatch, *_dispatch_named(quote_request, matches, actor, already=[])]


def quote_request_reroute(
    *, quote_request: QuoteRequest, supplier_ids: list[int], actor: User
) -> list[Dispatch]:
    """Staff send a request to more suppliers. A supplier that already has it is not sent it
    again: its existing dispatch is returned."""
    if not _is_staff(actor):
        raise PermissionDenied(_("Only the bureau's staff can re-route a request."))
    suppliers = list(Supplier.objects.filter(pk__in=supplier_ids).order_by("pk"))
    unknown = set(supplier_ids) - {supplier.pk for supplier in suppliers}
    if unknown:
        raise ValidationError(
            {"supplier_ids": _("Unknown suppliers: %(ids)s") % {"ids": sorted(unknown)}}
        )
    with transaction.atomic():
        given, quote_request = quote_request, _locked(quote_request)
        reasons = dict(
            Match.objects.filter(quote_request=quote_request).values_list("supplier_id", "reasons")
        )
        results = [
            dispatch_create(
                quote_request=quote_request,
                supplier=supplier,
                explanation=[
                    {"code": "rerouted_by_staff", "params": {}},
                    *reasons.get(supplier.pk, []),
                ],
                actor=actor,
            )
            for supplier in suppliers
        ]
        _mark_routed(quote_request)
        routing_log(
            quote_request=quote_request,
            event="rerouted",
            actor=actor,
            added=[dispatch.supplier_id for dispatch, created in results if created],
            already=[dispatch.supplier_id for dispatch, created in results if not created],
        )
    given.status = quote_request.status
    return [dispatch for dispatch, _created in results]


def dispatch_create(
    *,
    quote_request: QuoteRequest,
    supplier: Supplier | None = None,
    partner: Partner | None = None,
    explanation: list | None = None,
    forwarded_by: Partner | None = None,
    actor: User | None = None,
) -> tuple[Dispatch, bool]:
    """The dispatch of a request to one recipient (a supplier or a partner), created once.

    The database's unique constraints decide: a concurrent creator's insert fails inside a
    savepoint, and the row that won is returned, on SQLite and PostgreSQL alike. Sending is queued
    for when the transaction commits."""
    if (supplier is None) == (partner is None):
        raise ValueError("A dispatch goes to a supplier or to a partner, exactly one of them.")
    recipient = {"supplier": supplier} if supplier is not None else {"partner": partner}
    existing = Dispatch.objects.filter(quote_request=quote_request, **recipient).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                quote_request=quote_request,
                explanation=explanation or [],
                forwarded_by=forwarded_by,
                **recipient,
            )
    except IntegrityError:
        winner = Dispatch.objects.filter(quote_request=quote_request, **recipient).first()
        if winner is None:
            raise  # not the uniqueness of the recipient: a real error
        return winner, False
    routing_log(
        quote_request=quote_request,
        event="dispatched",
        actor=actor,
        forwarded_by=forwarded_by.pk if forwarded_by is not None else None,
        **_recipient(dispatch),
    )
    dispatches_send_soon()
    return dispatch, True


def _recipient(dispatch: Dispatch) -> dict:
    if dispatch.supplier_id is not None:
        return {"kind": "supplier", "id": dispatch.supplier_id}
    return {"kind": "partner", "id": dispatch.partner_id}
