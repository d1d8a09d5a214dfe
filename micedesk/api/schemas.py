"""Typed shapes of the JSON API: the query parameters it accepts and the documents it answers."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import Strict, StringConstraints, WithJsonSchema

from micedesk.directory.models import Status
from micedesk.directory.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, SORTS
from micedesk.directory.vocab import (
    EQUIPMENT,
    LABELS,
    LAYOUTS,
    QUALIFICATION_LEVEL_CODES,
    THEMES,
    Category,
    Kind,
)
from micedesk.leads.intake import REQUEST_SERVICES
from micedesk.leads.models import (
    Channel,
    DispatchStatus,
    EventKind,
    OrganisationKind,
    RequestStatus,
)
from micedesk.leads.responses import ANSWERS

# Bounds that keep every number inside a 64-bit database integer, whatever a caller sends.
COUNT_MAX = 1_000_000
PAGE_MAX = 1_000_000
RADIUS_KM_MAX = 500
ID_MAX = 2**63 - 1
Q_MAX_LENGTH = 200

DEPARTMENT_PATTERN = r"^(?:[0-9]{2,3}|2[AB])$"
COMMUNE_PATTERN = r"^[0-9][0-9AB][0-9]{3}$"
DECIMAL_PATTERN = r"^[0-9]+(?:\.[0-9]+)?$"


def _codes(name: str, codes: list[str]) -> type[StrEnum]:
    """A string enum of vocabulary codes, so that the OpenAPI document lists every accepted value."""
    return StrEnum(name, [(code, code) for code in codes])


KindCode = _codes("KindCode", list(Kind.values))
CategoryCode = _codes("CategoryCode", list(Category.values))
StatusCode = _codes("StatusCode", list(Status.values))
LayoutCode = _codes("LayoutCode", LAYOUTS)
EquipmentCode = _codes("EquipmentCode", EQUIPMENT.codes)
LabelCode = _codes("LabelCode", LABELS.codes)
ThemeCode = _codes("ThemeCode", THEMES.codes)
SortOrder = _codes("SortOrder", list(SORTS))
LevelCode = _codes("LevelCode", list(QUALIFICATION_LEVEL_CODES.values()))

DepartmentCode = Annotated[str, StringConstraints(pattern=DEPARTMENT_PATTERN)]
DecimalString = Annotated[str, StringConstraints(pattern=DECIMAL_PATTERN)]


class SupplierFilters(Schema):
    """The query parameters of the supplier search: the portal's search, one parameter per facet."""

    q: str = Field(
        "",
        max_length=Q_MAX_LENGTH,
        description="Words to look for in names, places and descriptions; accents, case and "
        "plurals are ignored.",
        examples=["château bord de mer"],
    )
    department: list[DepartmentCode] = Field(
        default_factory=list,
        description="INSEE code of a department of the region; repeat for several "
        "(`department=14&department=76`).",
        examples=[["14", "76"]],
    )
    kind: list[KindCode] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Kind of supplier; repeat for several."
    )
    layout: LayoutCode | None = Field(  # type: ignore[valid-type]
        None, description="Room layout the supplier must offer (with `min_capacity` if given)."
    )
    min_capacity: int | None = Field(
        None,
        ge=0,
        le=COUNT_MAX,
        description="Minimum number of people in one room: in `layout` if given, else in any layout.",
    )
    min_bedrooms: int | None = Field(None, ge=0, le=COUNT_MAX, description="Minimum bedrooms.")
    equipment: list[EquipmentCode] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Equipment the supplier must have; repeat: all required."
    )
    label: list[LabelCode] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Label or certification; repeat: all required."
    )
    theme: list[ThemeCode] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Theme; repeat: all required."
    )
    level: LevelCode | None = Field(  # type: ignore[valid-type]
        None,
        description="Qualification level published by the bureau: this level or better "
        "(`qualified` also finds `recommended`; `none` is any level).",
    )
    commune: str | None = Field(
        None,
        pattern=COMMUNE_PATTERN,
        description="INSEE code of a commune of the region: origin of `radius_km` and of "
        "`sort=distance`; results then carry `distance_km`.",
        examples=["14118"],
    )
    radius_km: int | None = Field(
        None,
        ge=1,
        le=RADIUS_KM_MAX,
        description="Only suppliers within this distance of `commune` (which it requires).",
    )
    sort: SortOrder = Field(  # type: ignore[valid-type]
        "relevance",
        description="`relevance` (text match, then name), `capacity` (largest first), "
        "`distance` (needs `commune`) or `name`.",
    )
    page: int = Field(1, ge=1, le=PAGE_MAX, description="Page number, from 1.")
    page_size: int = Field(
        PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Results per page."
    )


class ErrorItem(Schema):
    loc: list[str | int] = Field(
        description="Where the error is: `query`, `path` or `header`, then the parameter name."
    )
    msg: str = Field(description="What is wrong, in words.")
    type: str = Field(description="A stable code for the kind of error.")


class ErrorOut(Schema):
    """Every error of the API has this shape, whatever its status code."""

    detail: list[ErrorItem]


class CommuneOut(Schema):
    insee_code: str
    name: str


class FacetValueOut(Schema):
    code: str
    label: str = Field(description="Name of the value in the request's language.")
    count: int = Field(description="Matching suppliers if this value were chosen too.")
    selected: bool


class FacetsOut(Schema):
    department: list[FacetValueOut]
    kind: list[FacetValueOut]
    layout: list[FacetValueOut]
    equipment: list[FacetValueOut]
    label: list[FacetValueOut]
    theme: list[FacetValueOut]
    level: list[FacetValueOut] = Field(
        description="Every level; each count is the suppliers at that level or better."
    )


class SupplierSummaryOut(Schema):
    id: int
    name: str
    kind: KindCode  # type: ignore[valid-type]
    category: CategoryCode  # type: ignore[valid-type]
    commune: CommuneOut
    department: str = Field(description="INSEE code of the department.")
    max_capacity: dict[LayoutCode, int] = Field(  # type: ignore[valid-type]
        description="Largest room capacity per layout, for the layouts offered."
    )
    bedrooms: int
    url: str = Field(description="The supplier's page on the public portal.")
    distance_km: float | None = Field(
        description="Distance from `commune` as the crow flies; null without `commune`."
    )
    qualification_level: LevelCode = Field(  # type: ignore[valid-type]
        description="Level published by the bureau after an evaluation against its grid."
    )


class SupplierListOut(Schema):
    count: int = Field(description="Number of matching suppliers, over all pages.")
    results: list[SupplierSummaryOut]
    facets: FacetsOut


class RoomOut(Schema):
    name: str
    area_m2: DecimalString | None
    ceiling_height_m: DecimalString | None
    natural_light: bool
    blackout: bool
    step_free_access: bool
    capacities: dict[LayoutCode, int] = Field(  # type: ignore[valid-type]
        description="Capacity per layout, for the layouts this room offers."
    )
    equipment: list[EquipmentCode]  # type: ignore[valid-type]
    power_outlets: int


class PhotoOut(Schema):
    url: str
    caption: str


class SupplierDetailOut(Schema):
    id: int
    name: str
    slug: str
    kind: KindCode  # type: ignore[valid-type]
    category: CategoryCode  # type: ignore[valid-type]
    status: StatusCode  # type: ignore[valid-type]
    description_fr: str
    description_en: str
    department: str = Field(description="INSEE code of the department.")
    commune: CommuneOut
    address: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    bedrooms: int
    beds: int
    restaurant_covers: int
    parking_spaces: int
    station_distance_km: DecimalString | None = Field(description='Decimal string, e.g. `"2.5"`.')
    paris_travel_minutes: int | None
    day_delegate_price_min: DecimalString | None = Field(
        description='Euros, as a decimal string, e.g. `"85.00"`.'
    )
    day_delegate_price_max: DecimalString | None = Field(
        description='Euros, as a decimal string, e.g. `"120.00"`.'
    )
    max_capacity: dict[LayoutCode, int] = Field(  # type: ignore[valid-type]
        description="Largest room capacity per layout, for the layouts offered."
    )
    labels: list[LabelCode]  # type: ignore[valid-type]
    themes: list[ThemeCode]  # type: ignore[valid-type]
    equipment: list[EquipmentCode]  # type: ignore[valid-type]
    email: str
    phone: str
    website: str
    url: str = Field(description="The supplier's page on the public portal.")
    qualification_level: LevelCode = Field(  # type: ignore[valid-type]
        description="Level published by the bureau after an evaluation against its grid."
    )
    qualification_valid_until: datetime.date | None = Field(
        description="Last day the published level holds; null without a level."
    )
    rooms: list[RoomOut]
    photos: list[PhotoOut]


# Quote requests and dispatches.

TEXT_SHORT = 150
TEXT_LONG = 5000
SESSIONS_MAX = 50
SUPPLIERS_ASKED_MAX = 20
AMOUNT_PATTERN = r"^[0-9]{1,10}(?:\.[0-9]{1,2})?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

EventKindCode = _codes("EventKindCode", list(EventKind.values))
OrganisationKindCode = _codes("OrganisationKindCode", list(OrganisationKind.values))
RequestStatusCode = _codes("RequestStatusCode", list(RequestStatus.values))
ChannelCode = _codes("ChannelCode", list(Channel.values))
DispatchStatusCode = _codes("DispatchStatusCode", list(DispatchStatus.values))
AnswerCode = _codes("AnswerCode", list(ANSWERS))
ServiceCode = _codes("ServiceCode", list(REQUEST_SERVICES))
LanguageCode = _codes("LanguageCode", [code for code, _label in settings.LANGUAGES])

# JSON bodies are read strictly: "12" is no number and 1 is no boolean.
Text = Annotated[str, Strict()]
IsoDate = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=DATE_PATTERN),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
Amount = Annotated[str, Strict(), StringConstraints(pattern=AMOUNT_PATTERN)]
StrictDepartment = Annotated[str, Strict(), StringConstraints(pattern=DEPARTMENT_PATTERN)]
Count = Annotated[int, Strict(), Field(ge=0, le=COUNT_MAX)]


class SessionIn(Schema):
    layout: LayoutCode | None = None  # type: ignore[valid-type]
    attendance: Annotated[int, Strict(), Field(ge=1, le=COUNT_MAX)]


class QuoteRequestIn(Schema):
    """A planner's request, as a partner's web site sends it."""

    contact_name: Text = Field(max_length=TEXT_SHORT, description="Person to contact.")
    organisation: Text = Field(max_length=200)
    email: Text = Field(max_length=254, description="Where the suppliers answer.")
    phone: Text | None = Field(None, max_length=30)
    event_kind: EventKindCode = Field(description="Kind of event.")  # type: ignore[valid-type]
    start_date: IsoDate | None = Field(None, description="First day, `YYYY-MM-DD`.")
    end_date: IsoDate | None = Field(None, description="Last day, `YYYY-MM-DD`.")
    participants: Annotated[int, Strict()] = Field(ge=1, le=COUNT_MAX)
    layout: LayoutCode | None = Field(  # type: ignore[valid-type]
        None, description="Room layout of the main session."
    )
    bedrooms: Count | None = Field(None, description="Rooms per night; 0 for none.")
    departments: list[StrictDepartment] | None = Field(
        None, max_length=20, description="INSEE codes of the departments wanted."
    )
    consent_share: Annotated[bool, Strict()] = Field(
        description="Whether the planner agrees to share their details with the suppliers "
        "that will receive the request."
    )
    supplier_ids: list[Annotated[int, Strict(), Field(ge=1, le=ID_MAX)]] | None = Field(
        None, max_length=SUPPLIERS_ASKED_MAX, description="Suppliers asked for by name."
    )
    message: Text | None = Field(None, max_length=TEXT_LONG)
    organisation_kind: OrganisationKindCode | None = None  # type: ignore[valid-type]
    sector: Text | None = Field(None, max_length=TEXT_SHORT)
    language: LanguageCode | None = Field(  # type: ignore[valid-type]
        None, description="Language of the planner (mails, private link)."
    )
    flexible_dates: Annotated[bool, Strict()] | None = None
    alternative_dates: Text | None = Field(None, max_length=200)
    days: Annotated[int, Strict()] | None = Field(None, ge=1, le=60)
    sessions: list[SessionIn] | None = Field(None, max_length=SESSIONS_MAX)
    sub_rooms: Annotated[int, Strict()] | None = Field(None, ge=0, le=100)
    catering: Annotated[bool, Strict()] | None = None
    team_building: Annotated[bool, Strict()] | None = None
    services: list[ServiceCode] | None = None  # type: ignore[valid-type]
    step_free_access: Annotated[bool, Strict()] | None = None
    accessibility_needs: Text | None = Field(None, max_length=2000)
    commune: Annotated[str, Strict(), StringConstraints(pattern=COMMUNE_PATTERN)] | None = Field(
        None, description="INSEE code of the commune wanted (origin of `radius_km`)."
    )
    radius_km: Annotated[int, Strict()] | None = Field(None, ge=1, le=300)
    near_station: Annotated[bool, Strict()] | None = None
    themes: list[ThemeCode] | None = None  # type: ignore[valid-type]
    budget_min: Amount | None = Field(None, description='Euros, as a decimal string: `"8000"`.')
    budget_max: Amount | None = Field(None, description='Euros, as a decimal string: `"12000.50"`.')
    heard_from: Text | None = Field(None, max_length=TEXT_SHORT)
    campaign: Text | None = Field(
        None,
        max_length=80,
        description="Web address (slug) of the bureau's campaign the planner came from, if any; "
        "a value that is not a slug is ignored.",
    )


class QuoteRequestCreatedOut(Schema):
    id: int
    status: RequestStatusCode  # type: ignore[valid-type]
    duplicate_of: int | None = Field(description="The first request, when this one repeats it.")


class QuoteRequestFilters(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX, description="Page number, from 1.")
    page_size: int = Field(
        PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX, description="Requests per page."
    )


class PlannerOut(Schema):
    shared: bool = Field(description="False when the caller may not read the planner's details.")
    organisation_kind: OrganisationKindCode  # type: ignore[valid-type]
    sector: str
    contact_name: str | None
    organisation: str | None
    email: str | None
    phone: str | None


class QuoteRequestOut(Schema):
    id: int
    reference: str
    status: RequestStatusCode  # type: ignore[valid-type]
    channel: ChannelCode  # type: ignore[valid-type]
    created_at: datetime.datetime
    event_kind: EventKindCode  # type: ignore[valid-type]
    start_date: datetime.date | None
    end_date: datetime.date | None
    flexible_dates: bool
    participants: int
    days: int
    layout: LayoutCode | None  # type: ignore[valid-type]
    bedrooms: int
    departments: list[str]
    commune: CommuneOut | None
    duplicate_of: int | None
    planner: PlannerOut


class QuoteRequestListOut(Schema):
    count: int = Field(description="Number of requests the caller may read, over all pages.")
    results: list[QuoteRequestOut]


class RecipientOut(Schema):
    kind: Literal["supplier", "partner"]
    id: int
    name: str


class DispatchOut(Schema):
    id: int
    recipient: RecipientOut
    status: DispatchStatusCode  # type: ignore[valid-type]
    sent_at: datetime.datetime | None
    first_answer_at: datetime.datetime | None
    explanation: str = Field(description="Why this recipient, in the caller's language.")


class DispatchAnswerIn(Schema):
    status: AnswerCode = Field(  # type: ignore[valid-type]
        description="`interested`, `declined` (with `reason`), `proposal` (with `amount`), "
        "then `won` or `lost` (with `lost_to`)."
    )
    reason: Text = Field("", max_length=2000, description="Why declined, or why lost.")
    amount: Amount | None = Field(None, description='The proposal in euros: `"12500.00"`.')
    lost_to: Text = Field("", max_length=200, description="Who the event went to.")


class DispatchAnswerOut(Schema):
    id: int
    status: DispatchStatusCode  # type: ignore[valid-type]
    first_answer_at: datetime.datetime | None
    proposal_amount: DecimalString | None
