"""Reads the extranet needs that belong in micedesk.directory.selectors; kept here until moved there."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from micedesk.accounts.models import User
from micedesk.core.search import text_search
from micedesk.directory.models import Status, Supplier
from micedesk.directory.selectors import suppliers_of_member
from micedesk.geo.models import Partner


def partners_of_member(*, user: User) -> QuerySet[Partner]:
    """The institutional partners a partner member acts for."""
    if not user.is_authenticated or not user.is_partner_member:
        return Partner.objects.none()
    return Partner.objects.filter(members=user)


def suppliers_in_territory(*, partners: Iterable[Partner]) -> QuerySet[Supplier]:
    """Suppliers, drafts included, whose commune lies in the territory of one of `partners`."""
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


def suppliers_of_member_with_hints(*, user: User) -> QuerySet[Supplier]:
    """A supplier member's listings with what the completeness hints need (photo count)."""
    return (
        suppliers_of_member(user=user)
        .select_related("commune")
        .annotate(photo_count=Count("photos"))
        .order_by("name", "pk")
    )
