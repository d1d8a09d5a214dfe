"""The events API (staff): the bureau's events and the returns computed for each of them.

Mounted on the API by `micedesk.api.api`, whose error shape and key handling it shares.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from micedesk.accounts.models import User
from micedesk.api import operations_schemas as schemas
from micedesk.api.api import ApiError, commune_document, refuse_role, require_caller
from micedesk.api.schemas import ID_MAX, ErrorOut
from micedesk.operations.models import BureauEvent, SpendParameter
from micedesk.operations.returns import CategoryCost, CostSummary, EventReturns, event_returns
from micedesk.operations.selectors import event_for_staff, events_for

router = Router(tags=["events"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
EventId = Path(..., ge=1, le=ID_MAX, description="Bureau event id.")


def require_staff(request: HttpRequest) -> User:
    """The key's user if it is bureau staff: 401 without a key, 403 for any other role."""
    user = require_caller(request)
    if not user.is_bureau_staff:
        raise refuse_role()
    return user


def no_such_event() -> ApiError:
    return ApiError(
        status=404, loc=["path", "id"], msg=_("No bureau event with this id."), type="not_found"
    )


def exact(value: Decimal | int) -> str:
    """A Decimal (or int) as a plain decimal string: never a float, never an exponent."""
    return format(Decimal(value), "f")


def exact_or_none(value: Decimal | None) -> str | None:
    return None if value is None else exact(value)


def event_document(event: BureauEvent) -> dict:
    partner = event.organiser_partner
    return {
        "id": event.pk,
        "name": event.name,
        "kind": event.kind,
        "status": event.status,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "place": event.place,
        "commune": commune_document(event.commune) if event.commune else None,
        "department": event.department_code,
        "country": event.country,
        "online": event.online,
        "theme": event.theme,
        "organiser_partner": {"id": partner.pk, "name": partner.name} if partner else None,
        "campaign_slug": event.campaign_slug or None,
        "returns_url": reverse("api:events_returns", kwargs={"id": event.pk}),
    }


def cost_document(cost: CostSummary) -> dict:
    return {
        "budget": exact(cost.budget),
        "actual": exact(cost.actual),
        "actual_complete": cost.actual_complete,
        "staff_time": exact(cost.staff_time),
        "full_cost": exact(cost.full_cost),
        "contributions": exact(cost.contributions),
        "net_cost": exact(cost.net_cost),
        "by_category": [category_document(row) for row in cost.by_category],
    }


def category_document(row: CategoryCost) -> dict:
    return {
        "category": row.category,
        "label": row.label,
        "budget": exact(row.budget),
        "actual": exact(row.actual),
    }


def spend_parameter_document(parameter: SpendParameter | None) -> dict | None:
    if parameter is None:
        return None
    return {
        "year": parameter.year,
        "event_kind": parameter.event_kind,
        "spend_per_delegate_day": exact(parameter.spend_per_delegate_day),
        "source": parameter.source,
    }


def returns_document(returns: EventReturns) -> dict:
    recommendation = returns.recommendation
    return {
        "event": event_document(returns.event),
        "rule": returns.rule,
        "window_months": returns.window_months,
        "window_ends_on": returns.window_ends_on,
        "window_over": returns.window_over,
        "cost": cost_document(returns.cost),
        "contacts_met": returns.contacts_met,
        "useful_contacts": exact(returns.useful_contacts),
        "events_won": exact(returns.events_won),
        "won_requests": [
            {"id": request.pk, "reference": request.reference, "weight": exact(weight)}
            for request, weight in returns.won_requests
        ],
        "participants": exact(returns.participants),
        "delegate_days": exact(returns.delegate_days),
        "budget_total": exact(returns.budget_total),
        "by_kind": {str(kind): exact(weight) for kind, weight in returns.by_kind.items()},
        "by_origin": {str(origin): exact(weight) for origin, weight in returns.by_origin.items()},
        "economic_impact": exact(returns.economic_impact),
        "spend_parameter": spend_parameter_document(returns.spend_parameter),
        "ratios": {
            name: exact_or_none(getattr(returns, name))
            for name in (
                "cost_per_useful_contact",
                "cost_per_event_won",
                "cost_per_delegate_day",
                "impact_per_euro",
            )
        },
        "recommendation": {
            "code": recommendation.code,
            "reasons": [str(reason) for reason in recommendation.reasons],
        },
        "too_small": bool(returns.too_small),
    }


def filtered(events: QuerySet[BureauEvent], filters: schemas.EventFilters) -> QuerySet:
    if filters.year is not None:
        events = events.filter(starts_on__year=filters.year)
    if filters.kind:
        events = events.filter(kind=str(filters.kind))
    if filters.status:
        events = events.filter(status=str(filters.status))
    return events


@router.get(
    "",
    response={200: schemas.EventListOut, **ERRORS},
    operation_id="events_list",
    url_name="events_list",
    summary="The bureau's events (staff)",
    description="Trade shows, workshops, éductours, webinars, meetings, job datings and "
    "campaigns, latest first, in pages. Filter by the `year` an event starts in, its `kind` and "
    "its `status`. For staff keys only: any other key gets 403.",
)
def event_list(request: HttpRequest, filters: Query[schemas.EventFilters]) -> dict:
    user = require_staff(request)
    events = filtered(events_for(user=user), filters).select_related("commune", "organiser_partner")
    paginator = Paginator(events.order_by("-starts_on", "name", "pk"), filters.page_size)
    page = paginator.get_page(filters.page) if filters.page <= paginator.num_pages else None
    return {
        "count": paginator.count,
        "results": [event_document(event) for event in (page or [])],
    }


@router.get(
    "/{id}/returns",
    response={200: schemas.EventReturnsOut, **ERRORS},
    operation_id="events_returns",
    url_name="events_returns",
    summary="What an event brought back (staff)",
    description="Its full cost, the contacts met there, the useful ones (their later request was "
    "won by a supplier of the region within the attribution window), the events won and their "
    "scope, the economic impact, the four ratios, and the recommendation with its reasons. "
    "`rule` and `window_months` say how the requests were attributed. Decimals are strings.",
)
def event_returns_detail(request: HttpRequest, id: int = EventId) -> dict:
    user = require_staff(request)
    try:
        event = event_for_staff(user=user, pk=id)
    except (Http404, BureauEvent.DoesNotExist) as error:
        raise no_such_event() from error
    except PermissionDenied as error:
        raise refuse_role() from error
    return returns_document(event_returns(event=event))
