"""Reads on the directory: the supplier search shared by the portal and the API, and the lists
the workspaces show, each scoped to what the acting user may see."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q, QuerySet

from micedesk.accounts.models import User
from micedesk.core.search import text_search
from micedesk.directory.models import Status, Supplier
from micedesk.directory.search_index import IndexAnswer, index_search, supplier_index
from micedesk.directory.vocab import (
    EQUIPMENT,
    LABELS,
    QUALIFICATION_LEVEL_CODES,
    THEMES,
    Kind,
    Layout,
    QualificationLevel,
)
from micedesk.geo.models import Commune, Department, Partner
from micedesk.geo.selectors import partners_of_member

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
    level: int = 0  # a QualificationLevel: that level or better; 0 is any
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


def suppliers_of_member_with_hints(*, user: User) -> QuerySet[Supplier]:
    """A supplier member's listings with what the completeness hints need (photo count)."""
    return (
        suppliers_of_member(user=user)
        .select_related("commune")
        .annotate(photo_count=Count("photos"))
        .order_by("name", "pk")
    )


def suppliers_in_territory(*, partners: Iterable[Partner]) -> QuerySet[Supplier]:
    """Suppliers, drafts included, whose commune lies in the territory of one of `partners`.

    A building block that takes partners, not a user: callers pass the partners the acting user
    acts for (`partners_of_member`), as `suppliers_in_territory_of_member` does.
    """
    territory = Partner.communes.through.objects.filter(partner__in=partners).values("commune_id")
    return Supplier.objects.filter(commune__in=territory)


def suppliers_in_territory_of_member(*, user: User, q: str = "") -> QuerySet[Supplier]:
    """What a partner member may read: its territory's suppliers, matching `q` if given."""
    queryset = suppliers_in_territory(partners=partners_of_member(user=user))
    return text_search(queryset, q).select_related("commune").order_by("name", "pk")


def supplier_status_counts(*, queryset: QuerySet[Supplier]) -> dict[str, int]:
    """Published and draft counts of a set of suppliers, in one query."""
    return queryset.order_by().aggregate(
        published=Count("pk", filter=Q(status=Status.PUBLISHED)),
        draft=Count("pk", filter=Q(status=Status.DRAFT)),
    )


def _is_bureau_staff(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_bureau_staff


@dataclass
class DepartmentFigures:
    """Supplier counts of one department: per kind, published and draft."""

    code: str
    name: str
    published: dict[str, int] = field(default_factory=dict)
    draft: dict[str, int] = field(default_factory=dict)

    @property
    def published_total(self) -> int:
        return sum(self.published.values())

    @property
    def draft_total(self) -> int:
        return sum(self.draft.values())

    def cells(self) -> list[tuple[int, int]]:
        """(published, draft) per kind, in the order of Kind."""
        return [(self.published.get(kind, 0), self.draft.get(kind, 0)) for kind in Kind.values]


def directory_figures(*, user: User) -> list[DepartmentFigures]:
    """Suppliers counted by department, kind and status, in one grouped query; bureau staff only,
    as drafts are counted (anyone else gets no rows)."""
    if not _is_bureau_staff(user):
        return []
    names = dict(Department.objects.values_list("code", "name"))
    rows: dict[str, DepartmentFigures] = {}
    counts = (
        Supplier.objects.order_by()
        .values_list("department_code", "kind", "status")
        .annotate(n=Count("pk"))
    )
    for code, kind, status, n in counts:
        figures = rows.setdefault(code, DepartmentFigures(code=code, name=names.get(code, code)))
        bucket = figures.published if status == Status.PUBLISHED else figures.draft
        bucket[kind] = bucket.get(kind, 0) + n
    return [rows[code] for code in sorted(rows)]


def suppliers_recently_updated(*, user: User, limit: int = 10) -> QuerySet[Supplier]:
    """The last listings changed, drafts included; bureau staff only (anyone else gets none)."""
    if not _is_bureau_staff(user):
        return Supplier.objects.none()
    return (
        Supplier.objects.select_related("commune")
        .defer("search_document", "description_fr", "description_en")
        .order_by("-updated_at", "-pk")[:limit]
    )


def suppliers_for_export(
    *, user: User, status: str = "", department: str = "", kind: str = ""
) -> QuerySet[Supplier]:
    """Every supplier, drafts included, narrowed by the filters that are set; bureau staff only
    (anyone else gets none: the export holds contact details and drafts)."""
    if not _is_bureau_staff(user):
        return Supplier.objects.none()
    queryset = Supplier.objects.select_related("commune__department").order_by("name", "pk")
    if status:
        queryset = queryset.filter(status=status)
    if department:
        queryset = queryset.filter(department_code=department)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def supplier_search(
    *, search: SupplierSearch, user: User | None = None, with_facets: bool = True
) -> SearchResult:
    """One page of the suppliers matching `search`, their count and the facet counts, as `user` may
    see them: published listings, plus drafts for staff and a member's own drafts."""
    offset = (max(search.page, 1) - 1) * search.page_size
    answer = index_search(
        search,
        visible=_visible_rows(user),
        offset=offset,
        limit=search.page_size,
        with_facets=with_facets,
    )
    found = (
        Supplier.objects.select_related("commune")
        .defer("search_document", "description_fr", "description_en")
        .in_bulk(answer.page_ids)
    )
    results = [found[pk] for pk in answer.page_ids if pk in found]
    for supplier in results:
        supplier.distance_km = answer.distances.get(supplier.pk)
    facets = _facets(answer, search) if with_facets else {}
    return SearchResult(search=search, count=answer.count, results=results, facets=facets)


def _visible_rows(user: User | None):
    """The index rows `user` may see; None means published ones only."""
    if user is None or not user.is_authenticated:
        return None
    index = supplier_index()
    if user.is_bureau_staff:
        return np.ones(len(index.ids), dtype=bool)
    if user.is_supplier_member:
        own = index.rows_of(list(suppliers_of_member(user=user).values_list("pk", flat=True)))
        rows = index.published.copy()
        rows[own] = True
        return rows
    return None


def _facets(answer: IndexAnswer, search: SupplierSearch) -> dict[str, list[FacetValue]]:
    names = dict(
        Department.objects.filter(code__in=answer.departments.keys()).values_list("code", "name")
    )
    facets: dict[str, list[FacetValue]] = {
        "department": [
            FacetValue(
                code, names.get(code, code), answer.departments[code], code in search.departments
            )
            for code in sorted(answer.departments)
        ],
        "kind": [
            FacetValue(code, str(label), answer.kinds.get(code, 0), code in search.kinds)
            for code, label in Kind.choices
        ],
        "layout": [
            FacetValue(code, str(label), answer.layouts.get(code, 0), code == search.layout)
            for code, label in Layout.choices
        ],
        "level": [
            FacetValue(
                QUALIFICATION_LEVEL_CODES[level],
                str(label),
                answer.levels.get(level, 0),
                bool(search.level) and level == search.level,
            )
            for level, label in QualificationLevel.choices
        ],
    }
    for name, flags, selected, key in (
        ("equipment", EQUIPMENT, search.equipment, "equipment"),
        ("label", LABELS, search.labels, "labels"),
        ("theme", THEMES, search.themes, "themes"),
    ):
        counts = answer.flags.get(key, {})
        facets[name] = [
            FacetValue(flag.code, str(flag.label), counts.get(flag.bit, 0), flag.code in selected)
            for flag in flags
        ]
    return facets


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
