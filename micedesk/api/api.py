"""The JSON API (django-ninja): the supplier search and the public listing, as the caller's role sees
them; quote requests from partner web sites, their reading by role, and suppliers' answers."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import Status

from micedesk.accounts.models import User
from micedesk.api import schemas
from micedesk.api.auth import ApiKeyBearer, ApiKeyRefused, caller, caller_key_id
from micedesk.core.search import query_terms
from micedesk.directory.models import MeetingRoom, Supplier
from micedesk.directory.selectors import (
    SearchResult,
    SupplierSearch,
    supplier_public_detail,
    supplier_search,
)
from micedesk.directory.vocab import EQUIPMENT, QUALIFICATION_LEVEL_CODES
from micedesk.geo.models import Commune
from micedesk.geo.selectors import commune_of_region, departments_of_region, partners_of_member
from micedesk.leads.intake import API_KEY_CLIENT_PREFIX, TooManyRequests, quote_request_submit
from micedesk.leads.matching import match_explanation
from micedesk.leads.models import Channel, Dispatch, QuoteRequest
from micedesk.leads.responses import dispatch_answer
from micedesk.leads.selectors import dispatches_for, quote_requests_for

logger = logging.getLogger("django.request")

DESCRIPTION = """\
The supplier directory of the destination (venues with their meeting rooms, agencies, service and
activity providers), quote requests sent by partner web sites and staff, and suppliers' answers to
the requests dispatched to them.

**Authentication.** Send `Authorization: Bearer KEY` with a key from
`python manage.py create_api_key --user EMAIL`; a key sees what its user's role sees (bureau staff
see drafts; a supplier member sees its own drafts). Without the header, only published listings
are visible. A malformed, unknown or revoked key is refused with 401, never downgraded.

**Errors.** Every error answers `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`:
`loc` names where the problem is (`["query", "layout"]`, `["path", "id"]`,
`["header", "Authorization"]`). Bad parameters get 422, unknown ids 404, refused keys 401.
"""


class MicedeskAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> dict:
        """The generated document, with the region's department codes as the `department` enum."""
        document = super().get_openapi_schema(**kwargs)
        codes = sorted(region_department_codes())
        for operations in document["paths"].values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    parameter["schema"] = not_nullable(parameter["schema"])
                    if parameter["name"] == "department" and codes:
                        items = {**parameter["schema"]["items"], "enum": codes}
                        parameter["schema"] = {**parameter["schema"], "items": items}
        return document


def not_nullable(schema: dict) -> dict:
    """A parameter's schema without its `null` alternative: a query string cannot send null."""
    choices = schema.get("anyOf", [])
    others = [choice for choice in choices if choice != {"type": "null"}]
    if len(choices) != 2 or len(others) != 1:
        return schema
    outer = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**others[0], **outer}


api = MicedeskAPI(
    title="micedesk API",
    version="1",
    description=DESCRIPTION,
    auth=ApiKeyBearer(),
    urls_namespace="api",
)


def in_request_language(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Labels and messages in the caller's language (Accept-Language), French by default.

    The API sits outside the portal's language prefixes, so the locale middleware alone would
    always answer in the default language.
    """

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(translation.get_language_from_request(request)):
            return run(request, *args, **kwargs)

    return wrapper


api.add_decorator(in_request_language)


# Errors: one shape for all of them.


class ApiError(Exception):
    def __init__(self, *, status: int, loc: Iterable[str | int], msg: str, type: str) -> None:
        super().__init__(msg)
        self.status, self.loc, self.msg, self.type = status, list(loc), msg, type


def error_body(loc: Iterable[str | int], msg: str, type: str) -> dict:
    return {"detail": [{"loc": list(loc), "msg": msg, "type": type}]}


def error_item(loc: Iterable[str | int], msg: str, type: str) -> dict:
    return {"loc": list(loc), "msg": msg, "type": type}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = [
        error_item(
            parameter_location(error.get("loc", ())),
            str(error.get("msg", "")),
            str(error.get("type", "invalid")),
        )
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


def parameter_location(loc: Iterable[object]) -> list[str | int]:
    """`["query", "equipment", 0]`: ninja leaves the schema's argument name in some locations."""
    parts = [part if isinstance(part, int) else str(part) for part in loc]
    if parts[:2] in (["query", "filters"], ["body", "payload"]):
        del parts[1]
    return parts


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, error_body(exc.loc, exc.msg, exc.type), status=exc.status)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        body = error_body(["header", "Authorization"], exc.message, "invalid_api_key")
        if not isinstance(exc, ApiKeyRefused):
            body = error_body(["header", "Authorization"], _("Authentication failed."), "auth")
        response = api.create_response(request, body, status=exc.status_code)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    body = error_body([], exc.message, "http_error")
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body([], _("Not found."), "not_found"), status=404)


@api.exception_handler(Exception)
def on_server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged with its traceback like any Django 500, answered in the API's error shape."""
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    body = error_body([], _("Internal error; it has been logged."), "server_error")
    return api.create_response(request, body, status=500)


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/ that is not an endpoint."""
    return JsonResponse(error_body([], _("No such endpoint."), "not_found"), status=404)


# Reference data the parameters are checked against.


def region_department_codes() -> set[str]:
    return set(departments_of_region().values_list("code", flat=True))


def region_commune(insee_code: str) -> Commune | None:
    return commune_of_region(insee_code=insee_code)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(value) for value in values))


def search_errors(filters: schemas.SupplierFilters, commune: Commune | None) -> list[dict]:
    """What the schema cannot check alone: codes against the database, parameters that go together."""
    errors = []
    unknown = (
        sorted(set(filters.department) - region_department_codes()) if filters.department else []
    )
    if unknown:
        message = _("Not a department of the region: %(codes)s.") % {"codes": ", ".join(unknown)}
        errors.append(error_item(["query", "department"], message, "unknown_department"))
    if filters.commune and commune is None:
        message = _("No commune of the region has this INSEE code.")
        errors.append(error_item(["query", "commune"], message, "unknown_commune"))
    if filters.radius_km is not None and not filters.commune:
        message = _("A radius needs a commune to measure from.")
        errors.append(error_item(["query", "radius_km"], message, "commune_required"))
    if filters.sort == "distance" and not filters.commune:
        message = _("Sorting by distance needs a commune to measure from.")
        errors.append(error_item(["query", "sort"], message, "commune_required"))
    measuring = filters.radius_km is not None or filters.sort == "distance"
    if (
        commune is not None
        and measuring
        and (commune.latitude is None or commune.longitude is None)
    ):
        message = _("This commune has no coordinates to measure distances from.")
        errors.append(error_item(["query", "commune"], message, "commune_without_coordinates"))
    return errors


LEVEL_BY_CODE = {code: level for level, code in QUALIFICATION_LEVEL_CODES.items()}


def search_from(filters: schemas.SupplierFilters) -> SupplierSearch:
    """The selector's search from the parameters; raises a 422 for any that is wrong."""
    commune = region_commune(filters.commune) if filters.commune else None
    errors = search_errors(filters, commune)
    if errors:
        raise ValidationError(errors)
    return SupplierSearch(
        # A query with no searchable word (punctuation, stop words) is no text filter at all.
        q=filters.q if query_terms(filters.q) else "",
        departments=_unique(filters.department),
        kinds=_unique(filters.kind),
        commune=commune,
        radius_km=filters.radius_km,
        layout=str(filters.layout) if filters.layout else None,
        min_capacity=filters.min_capacity,
        min_bedrooms=filters.min_bedrooms,
        equipment=_unique(filters.equipment),
        labels=_unique(filters.label),
        themes=_unique(filters.theme),
        level=LEVEL_BY_CODE[str(filters.level)] if filters.level else 0,
        sort=str(filters.sort),
        page=filters.page,
        page_size=filters.page_size,
    )


# Documents.


def absolute_url(url: str) -> str:
    return url if "://" in url else settings.SITE_URL + url


def portal_url(supplier: Supplier) -> str:
    """The canonical page of the supplier on the portal, in the default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return absolute_url(supplier.get_absolute_url())


def decimal_string(value: object) -> str | None:
    """Decimals travel as strings, exactly as stored: never through a float."""
    return None if value is None else str(value)


def offered(capacities: dict[str, int | None]) -> dict[str, int]:
    return {layout: value for layout, value in capacities.items() if value}


def commune_document(commune: Commune) -> dict:
    return {"insee_code": commune.insee_code, "name": commune.name}


def supplier_summary(supplier: Supplier) -> dict:
    return {
        "id": supplier.pk,
        "name": supplier.name,
        "kind": supplier.kind,
        "category": supplier.category,
        "commune": commune_document(supplier.commune),
        "department": supplier.department_code,
        "max_capacity": offered(supplier.capacities),
        "bedrooms": supplier.bedrooms,
        "url": portal_url(supplier),
        "distance_km": getattr(supplier, "distance_km", None),
        "qualification_level": QUALIFICATION_LEVEL_CODES[supplier.qualification_level],
    }


def search_document(result: SearchResult) -> dict:
    return {
        "count": result.count,
        "results": [supplier_summary(supplier) for supplier in result.results],
        "facets": {
            name: [
                {"code": v.code, "label": v.label, "count": v.count, "selected": v.selected}
                for v in values
            ]
            for name, values in result.facets.items()
        },
    }


def room_document(room: MeetingRoom) -> dict:
    return {
        "name": room.name,
        "area_m2": decimal_string(room.area_m2),
        "ceiling_height_m": decimal_string(room.ceiling_height_m),
        "natural_light": room.natural_light,
        "blackout": room.blackout,
        "step_free_access": room.step_free_access,
        "capacities": room.capacities,
        "equipment": EQUIPMENT.codes_in(room.equipment_mask),
        "power_outlets": room.power_outlets,
    }


def supplier_document(supplier: Supplier) -> dict:
    plain = (
        "id name slug kind category status description_fr description_en address postal_code "
        "latitude longitude bedrooms beds restaurant_covers parking_spaces paris_travel_minutes "
        "labels themes equipment email phone website"
    ).split()
    decimals = ("station_distance_km", "day_delegate_price_min", "day_delegate_price_max")
    return {
        **{name: getattr(supplier, name) for name in plain},
        **{name: decimal_string(getattr(supplier, name)) for name in decimals},
        "department": supplier.department_code,
        "commune": commune_document(supplier.commune),
        "max_capacity": offered(supplier.capacities),
        "url": portal_url(supplier),
        "qualification_level": QUALIFICATION_LEVEL_CODES[supplier.qualification_level],
        "qualification_valid_until": (
            supplier.qualification_valid_until if supplier.qualification_level else None
        ),
        "rooms": [room_document(room) for room in supplier.rooms.all()],
        "photos": [
            {"url": absolute_url(photo.image.url), "caption": photo.caption}
            for photo in supplier.photos.all()
        ],
    }


# Endpoints.

ERRORS = {401: schemas.ErrorOut, 422: schemas.ErrorOut}
# The bearer key is optional: the empty requirement lets anonymous callers in.
OPTIONAL_AUTH = {"security": [{}]}


@api.get(
    "/v1/suppliers",
    response={200: schemas.SupplierListOut, **ERRORS},
    operation_id="suppliers_search",
    summary="Search suppliers",
    description="The portal's search: text, facets, sorting and pages. Repeat a list parameter "
    "to give several values. Facet counts say how many suppliers each value would match.",
    tags=["suppliers"],
    openapi_extra=OPTIONAL_AUTH,
)
def supplier_list(request: HttpRequest, filters: Query[schemas.SupplierFilters]) -> dict:
    result = supplier_search(search=search_from(filters), user=caller(request))
    return search_document(result)


@api.get(
    "/v1/suppliers/{id}",
    response={200: schemas.SupplierDetailOut, 404: schemas.ErrorOut, **ERRORS},
    operation_id="suppliers_get",
    summary="One supplier's whole listing",
    description="Rooms with their capacity per layout, equipment, labels, themes and contact. "
    "An id the caller may not see answers 404, like an unknown one.",
    tags=["suppliers"],
    openapi_extra=OPTIONAL_AUTH,
)
def supplier_detail(
    request: HttpRequest, id: int = Path(..., ge=1, le=schemas.ID_MAX, description="Supplier id.")
) -> dict:
    supplier = supplier_public_detail(pk=id, user=caller(request))
    if supplier is None:
        raise ApiError(
            status=404, loc=["path", "id"], msg=_("No supplier with this id."), type="not_found"
        )
    return supplier_document(supplier)


# Quote requests and dispatches.

WRITE_ERRORS = {
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
    404: schemas.ErrorOut,
    422: schemas.ErrorOut,
}


def require_caller(request: HttpRequest) -> User:
    """The key's user; 401 for the public, which these endpoints never serve."""
    user = caller(request)
    if user is None:
        raise ApiError(
            status=401,
            loc=["header", "Authorization"],
            msg=_("This endpoint needs an API key."),
            type="auth_required",
        )
    return user


def refuse_role() -> ApiError:
    return ApiError(
        status=403,
        loc=["header", "Authorization"],
        msg=_("This API key's role may not do this."),
        type="forbidden",
    )


def body_errors(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as the API's 422: one item per message, `loc` naming the field."""
    items = []
    for field, errors in error.error_dict.items():
        loc = ["body"] if field == NON_FIELD_ERRORS else ["body", field]
        for item in errors:
            message = item.message % item.params if item.params else item.message
            items.append(error_item(loc, str(message), item.code or "invalid"))
    return ValidationError(items)


def too_many(request: HttpRequest, error: TooManyRequests) -> HttpResponse:
    body = error_body(["body"], error.messages[0], "rate_limited")
    response = api.create_response(request, body, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def submission_data(payload: schemas.QuoteRequestIn) -> dict:
    """The intake's data: what was sent, codes as plain strings, absent values left out."""
    return payload.model_dump(mode="json", exclude_none=True)


def planner_document(quote_request: QuoteRequest, user: User) -> dict:
    """The planner's personal details for staff, and for a supplier that was sent the request if
    the planner consented to share them; otherwise only the kind of organisation and sector."""
    shared = user.is_bureau_staff or (user.is_supplier_member and quote_request.consent_share)
    personal = ("contact_name", "organisation", "email", "phone")
    return {
        "shared": shared,
        "organisation_kind": quote_request.organisation_kind,
        "sector": quote_request.sector,
        **{name: getattr(quote_request, name) if shared else None for name in personal},
    }


def quote_request_document(quote_request: QuoteRequest, user: User) -> dict:
    plain = (
        "id reference status channel created_at event_kind start_date end_date flexible_dates "
        "participants days bedrooms departments duplicate_of_id"
    ).split()
    document = {name: getattr(quote_request, name) for name in plain}
    document["duplicate_of"] = document.pop("duplicate_of_id")
    commune = quote_request.commune
    return {
        **document,
        "layout": quote_request.layout or None,
        "commune": commune_document(commune) if commune is not None else None,
        "planner": planner_document(quote_request, user),
    }


def explanation_language(request: HttpRequest, quote_request: QuoteRequest) -> str:
    """The caller's language when it asks for one, else the request's."""
    if request.headers.get("Accept-Language"):
        return translation.get_language_from_request(request)
    return quote_request.language


def dispatch_document(dispatch: Dispatch, language: str) -> dict:
    recipient = dispatch.supplier or dispatch.partner
    return {
        "id": dispatch.pk,
        "recipient": {
            "kind": "supplier" if dispatch.supplier_id else "partner",
            "id": recipient.pk,
            "name": recipient.name,
        },
        "status": dispatch.status,
        "sent_at": dispatch.sent_at,
        "first_answer_at": dispatch.first_answer_at,
        "explanation": match_explanation(reasons=dispatch.explanation or [], language=language),
    }


def visible_request(user: User, id: int) -> QuoteRequest:
    quote_request = quote_requests_for(user=user).select_related("commune").filter(pk=id).first()
    if quote_request is None:
        raise ApiError(
            status=404,
            loc=["path", "id"],
            msg=_("No quote request with this id."),
            type="not_found",
        )
    return quote_request


RequestId = Path(..., ge=1, le=schemas.ID_MAX, description="Quote request id.")


@api.post(
    "/v1/quote-requests",
    response={
        201: schemas.QuoteRequestCreatedOut,
        400: schemas.ErrorOut,
        429: schemas.ErrorOut,
        **WRITE_ERRORS,
    },
    operation_id="quote_requests_create",
    summary="Send a planner's quote request",
    description="For partner web sites (a partner member's key) and the bureau's staff. The request "
    "is qualified like one from the portal: a duplicate of an earlier request is linked to it "
    "(`duplicate_of`) and not sent again; suspected spam waits for staff. Each key may send "
    "120 requests a minute; beyond, 429 with `Retry-After` (seconds).",
    tags=["quote requests"],
)
def quote_request_create(
    request: HttpRequest, payload: schemas.QuoteRequestIn
) -> Status | HttpResponse:
    user = require_caller(request)
    if not (user.is_bureau_staff or user.is_partner_member):
        raise refuse_role()
    via_partner = partners_of_member(user=user).first() if user.is_partner_member else None
    try:
        quote_request = quote_request_submit(
            data=submission_data(payload),
            channel=Channel.API,
            submitted_by=user,
            via_partner=via_partner,
            client_key=f"{API_KEY_CLIENT_PREFIX}{caller_key_id(request)}",
        )
    except TooManyRequests as error:
        return too_many(request, error)
    except DjangoValidationError as error:
        raise body_errors(error) from error
    return Status(
        201,
        {
            "id": quote_request.pk,
            "status": quote_request.status,
            "duplicate_of": quote_request.duplicate_of_id,
        },
    )


@api.get(
    "/v1/quote-requests",
    response={200: schemas.QuoteRequestListOut, **WRITE_ERRORS},
    operation_id="quote_requests_list",
    summary="The quote requests the caller may read",
    description="Newest first. Staff read every request; a partner member those of its territory "
    "or sent to its partner; a supplier member those sent to its suppliers. The planner's "
    "personal details are given to staff, and to a supplier only if the planner consented.",
    tags=["quote requests"],
)
def quote_request_list(request: HttpRequest, filters: Query[schemas.QuoteRequestFilters]) -> dict:
    user = require_caller(request)
    requests = (
        quote_requests_for(user=user).select_related("commune").order_by("-created_at", "-pk")
    )
    paginator = Paginator(requests, filters.page_size)
    page = paginator.get_page(filters.page) if filters.page <= paginator.num_pages else None
    return {
        "count": paginator.count,
        "results": [quote_request_document(item, user) for item in (page or [])],
    }


@api.get(
    "/v1/quote-requests/{id}",
    response={200: schemas.QuoteRequestOut, **WRITE_ERRORS},
    operation_id="quote_requests_get",
    summary="One quote request",
    description="A request the caller may not read answers 404, like an unknown one.",
    tags=["quote requests"],
)
def quote_request_detail(request: HttpRequest, id: int = RequestId) -> dict:
    user = require_caller(request)
    return quote_request_document(visible_request(user, id), user)


@api.get(
    "/v1/quote-requests/{id}/dispatches",
    response={200: list[schemas.DispatchOut], **WRITE_ERRORS},
    operation_id="quote_requests_dispatches",
    summary="Where a quote request was sent (staff)",
    description="One item per recipient, with why it was chosen: `explanation` is in the language "
    "of `Accept-Language`, or the planner's without it.",
    tags=["quote requests"],
)
def quote_request_dispatches(request: HttpRequest, id: int = RequestId) -> list[dict]:
    user = require_caller(request)
    if not user.is_bureau_staff:
        raise refuse_role()
    quote_request = visible_request(user, id)
    language = explanation_language(request, quote_request)
    dispatches = dispatches_for(user=user).filter(quote_request=quote_request).order_by("pk")
    return [dispatch_document(dispatch, language) for dispatch in dispatches]


@api.post(
    "/v1/dispatches/{id}/response",
    response={200: schemas.DispatchAnswerOut, 400: schemas.ErrorOut, **WRITE_ERRORS},
    operation_id="dispatches_answer",
    summary="A supplier answers a quote request",
    description="For a supplier member's key, on the dispatches sent to its suppliers (any other "
    "id answers 404). `interested`, `declined` (with `reason`), `proposal` (with `amount`), "
    "then `won` or `lost` (with `lost_to`); a move the dispatch's status does not allow is "
    "refused with 422.",
    tags=["quote requests"],
)
def dispatch_response(
    request: HttpRequest,
    payload: schemas.DispatchAnswerIn,
    id: int = Path(..., ge=1, le=schemas.ID_MAX, description="Dispatch id."),
) -> dict:
    user = require_caller(request)
    if not user.is_supplier_member:
        raise refuse_role()
    dispatch = dispatches_for(user=user).filter(pk=id, supplier__isnull=False).first()
    if dispatch is None:
        raise ApiError(
            status=404, loc=["path", "id"], msg=_("No dispatch with this id."), type="not_found"
        )
    try:
        dispatch = dispatch_answer(
            dispatch=dispatch,
            user=user,
            status=str(payload.status),
            reason=payload.reason,
            amount=payload.amount,
            lost_to=payload.lost_to,
        )
    except PermissionDenied as error:
        raise ApiError(
            status=404, loc=["path", "id"], msg=_("No dispatch with this id."), type="not_found"
        ) from error
    except DjangoValidationError as error:
        raise body_errors(error) from error
    return {
        "id": dispatch.pk,
        "status": dispatch.status,
        "first_answer_at": dispatch.first_answer_at,
        "proposal_amount": decimal_string(dispatch.proposal_amount),
    }


# The bureau's events (staff), in their own module: imported last, as it uses the helpers above.
from micedesk.api.operations_api import router as events_router  # noqa: E402

api.add_router("/v1/events", events_router)

# The action plan (staff), likewise.
from micedesk.api.plan_api import router as plan_router  # noqa: E402

api.add_router("/v1/plan", plan_router)
