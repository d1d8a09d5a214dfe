"""Reads on the directory: the supplier search shared by the portal and the API, and scoped lists."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum, Value

from micedesk.accounts.models import User
from micedesk.core.search import query_terms, text_search
from micedesk.directory.models import Status, Supplier
from micedesk.directory.vocab import EQUIPMENT, LABELS, LAYOUTS, THEMES, Kind, Layout
from micedesk.geo.models import Commune, Department

KM_PER_DEGREE = 111.32
SORTS = ("relevance", "capacity", "distance", "name")
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class SupplierSearch:
    """What a planner asks for. Every field is optional; empty means 'any'."""

    q: str = ""
    departments: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    commune: Commune | None = None
    radius_km: int | None = None
    layout: str | None = None
    min_capacity: int | None = None
    min_bedrooms: int | None = None
    equipment: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT

    @property
    def origin(self) -> tuple[float, float] | None:
        commune = self.commune
        if commune is None or commune.latitude is None or commune.longitude is None:
            return None
        return commune.latitude, commune.longitude


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchResult:
    search: SupplierSearch
    count: int
    results: list[Supplier]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.count / self.search.page_size))


def suppliers_visible_to(*, user: User | None) -> QuerySet[Supplier]:
    """Published suppliers for everyone; staff see drafts too; a member sees its own drafts."""
    queryset = Supplier.objects.all()
    if user is not None and user.is_authenticated and user.is_bureau_staff:
        return queryset
    if user is not None and user.is_authenticated and user.is_supplier_member:
        return queryset.filter(Q(status=Status.PUBLISHED) | Q(members=user)).distinct()
    return queryset.published()


def suppliers_of_member(*, user: User) -> QuerySet[Supplier]:
    """The listings a supplier member may edit."""
    if not user.is_authenticated or not user.is_supplier_member:
        return Supplier.objects.none()
    return Supplier.objects.filter(members=user)


def _distance_sq(origin: tuple[float, float]) -> object:
    """Squared distance in km² on an equirectangular projection: exact enough at a region's scale."""
    lat0, lon0 = origin
    cos_lat = math.cos(math.radians(lat0))
    dlat = (F("latitude") - Value(lat0)) * Value(KM_PER_DEGREE)
    dlon = (F("longitude") - Value(lon0)) * Value(KM_PER_DEGREE * cos_lat)
    return dlat * dlat + dlon * dlon


def _filter(
    queryset: QuerySet[Supplier], search: SupplierSearch, *, skip: str = ""
) -> QuerySet[Supplier]:
    """Apply every criterion of `search`, except the facet named by `skip` (for disjunctive counts)."""
    if search.departments and skip != "department":
        queryset = queryset.filter(department_code__in=search.departments)
    if search.kinds and skip != "kind":
        queryset = queryset.filter(kind__in=search.kinds)
    if search.layout:
        queryset = queryset.filter(
            **{f"capacity_{search.layout}__gte": max(search.min_capacity or 1, 1)}
        )
    elif search.min_capacity:
        queryset = queryset.filter(max_capacity__gte=search.min_capacity)
    if search.min_bedrooms:
        queryset = queryset.filter(bedrooms__gte=search.min_bedrooms)
    for column, flags, codes in (
        ("equipment_mask", EQUIPMENT, search.equipment),
        ("label_mask", LABELS, search.labels),
        ("theme_mask", THEMES, search.themes),
    ):
        if codes:
            mask = flags.mask(codes)
            queryset = queryset.alias(**{f"_{column}": F(column).bitand(mask)}).filter(
                **{f"_{column}": mask}
            )
    origin = search.origin
    if origin and search.radius_km:
        radius = float(search.radius_km)
        lat0, lon0 = origin
        dlat = radius / KM_PER_DEGREE
        dlon = radius / (KM_PER_DEGREE * math.cos(math.radians(lat0)))
        queryset = (
            queryset.filter(
                latitude__range=(lat0 - dlat, lat0 + dlat),
                longitude__range=(lon0 - dlon, lon0 + dlon),
            )
            .alias(_distance_sq=_distance_sq(origin))
            .filter(_distance_sq__lte=radius * radius)
        )
    return text_search(queryset, search.q)


def _flag_sums(flags, column: str, prefix: str) -> dict[str, Sum]:
    return {
        f"{prefix}{flag.code}": Sum(F(column).bitand(flag.bit) / Value(flag.bit)) for flag in flags
    }


def _facets(base: QuerySet[Supplier], filtered: QuerySet[Supplier], search: SupplierSearch) -> dict:
    departments = dict(
        _filter(base, search, skip="department")
        .order_by()
        .values_list("department_code")
        .annotate(n=Count("pk"))
    )
    kinds = dict(
        _filter(base, search, skip="kind").order_by().values_list("kind").annotate(n=Count("pk"))
    )
    threshold = max(search.min_capacity or 1, 1)
    sums = filtered.order_by().aggregate(
        **_flag_sums(EQUIPMENT, "equipment_mask", "equipment_"),
        **_flag_sums(LABELS, "label_mask", "label_"),
        **_flag_sums(THEMES, "theme_mask", "theme_"),
        **{
            f"layout_{layout}": Count("pk", filter=Q(**{f"capacity_{layout}__gte": threshold}))
            for layout in LAYOUTS
        },
    )
    names = dict(Department.objects.filter(code__in=departments.keys()).values_list("code", "name"))
    facets: dict[str, list[FacetValue]] = {
        "department": [
            FacetValue(code, names.get(code, code), departments[code], code in search.departments)
            for code in sorted(departments)
        ],
        "kind": [
            FacetValue(code, str(label), kinds.get(code, 0), code in search.kinds)
            for code, label in Kind.choices
        ],
        "layout": [
            FacetValue(code, str(label), sums[f"layout_{code}"] or 0, code == search.layout)
            for code, label in Layout.choices
        ],
    }
    for name, flags, selected in (
        ("equipment", EQUIPMENT, search.equipment),
        ("label", LABELS, search.labels),
        ("theme", THEMES, search.themes),
    ):
        facets[name] = [
            FacetValue(
                flag.code,
                str(flag.label),
                int(sums[f"{name}_{flag.code}"] or 0),
                flag.code in selected,
            )
            for flag in flags
        ]
    return facets


def _ordered(queryset: QuerySet[Supplier], search: SupplierSearch) -> QuerySet[Supplier]:
    origin = search.origin
    if search.sort == "capacity":
        column = f"capacity_{search.layout}" if search.layout else "max_capacity"
        return queryset.order_by(f"-{column}", "name", "pk")
    if search.sort == "distance" and origin:
        return queryset.annotate(distance_sq=_distance_sq(origin)).order_by(
            "distance_sq", "name", "pk"
        )
    if search.sort == "relevance" and query_terms(search.q):
        return text_search(queryset, search.q, with_rank=True).order_by("text_rank", "name", "pk")
    return queryset.order_by("name", "pk")


def supplier_search(
    *, search: SupplierSearch, user: User | None = None, with_facets: bool = True
) -> SearchResult:
    """One page of the suppliers matching `search`, their count and the facet counts."""
    base = suppliers_visible_to(user=user)
    filtered = _filter(base, search)
    count = filtered.order_by().count()
    offset = (max(search.page, 1) - 1) * search.page_size
    page = (
        _ordered(filtered, search)
        .select_related("commune")
        .defer("search_document", "description_fr", "description_en")
    )
    results = list(page[offset : offset + search.page_size])
    origin = search.origin
    for supplier in results:
        supplier.distance_km = _distance_km(origin, supplier)
    facets = _facets(base, filtered, search) if with_facets else {}
    return SearchResult(search=search, count=count, results=results, facets=facets)


def _distance_km(origin: tuple[float, float] | None, supplier: Supplier) -> float | None:
    if origin is None or supplier.latitude is None or supplier.longitude is None:
        return None
    lat0, lon0 = origin
    dlat = (supplier.latitude - lat0) * KM_PER_DEGREE
    dlon = (supplier.longitude - lon0) * KM_PER_DEGREE * math.cos(math.radians(lat0))
    return round(math.hypot(dlat, dlon), 1)


def supplier_public_detail(
    *, slug: str | None = None, pk: int | None = None, user: User | None = None
) -> Supplier | None:
    queryset = (
        suppliers_visible_to(user=user)
        .select_related("commune__department")
        .prefetch_related("rooms", "photos")
    )
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    return queryset.filter(**lookup).first()
