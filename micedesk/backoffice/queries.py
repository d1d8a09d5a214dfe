"""Reads the back-office needs that belong in domain selectors; kept here until moved there."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from micedesk.accounts.models import ApiKey
from micedesk.directory.models import Status, Supplier
from micedesk.directory.vocab import Kind
from micedesk.geo.models import Department


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


def directory_figures() -> list[DepartmentFigures]:
    """Suppliers counted by department, kind and status, in one grouped query."""
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


def suppliers_recently_updated(*, limit: int = 10) -> QuerySet[Supplier]:
    return (
        Supplier.objects.select_related("commune")
        .defer("search_document", "description_fr", "description_en")
        .order_by("-updated_at", "-pk")[:limit]
    )


def api_keys_all() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("user", "created_by").order_by("-created_at", "-pk")


def suppliers_for_export(
    *, status: str = "", department: str = "", kind: str = ""
) -> QuerySet[Supplier]:
    """Every supplier, drafts included, narrowed by the filters that are set."""
    queryset = Supplier.objects.select_related("commune__department").order_by("name", "pk")
    if status:
        queryset = queryset.filter(status=status)
    if department:
        queryset = queryset.filter(department_code=department)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset
