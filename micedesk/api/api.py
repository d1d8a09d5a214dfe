"""The JSON API (django-ninja): the supplier search and the public listing, as the caller's role sees them."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError

from micedesk.api import schemas
from micedesk.api.auth import ApiKeyBearer, ApiKeyRefused, caller
from micedesk.core.search import query_terms
from micedesk.directory.models import MeetingRoom, Supplier
from micedesk.directory.selectors import (
    SearchResult,
    SupplierSearch,
    supplier_public_detail,
    supplier_search,
)
from micedesk.directory.vocab import EQUIPMENT
from micedesk.geo.models import Commune
from micedesk.geo.selectors import commune_of_region, departments_of_region

logger = logging.getLogger("django.request")

DESCRIPTION = """\
The supplier directory of the destination: venues with their meeting rooms, agencies, service and
activity providers.

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
    if parts[:2] == ["query", "filters"]:
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
    return api.create_response(request, error_body([], exc.message, "http_error"), exc.status_code)


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
