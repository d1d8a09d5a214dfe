"""Reads of the geography: which partner covers a commune, the commune picker, a territory.

Reference data is public, so most of these reads take no user; `partners_of_member` takes one, as
it answers who a user acts for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Replace
from django.utils.text import slugify

from micedesk.geo.models import Commune, Department, Partner

if TYPE_CHECKING:
    # For type hints only: geo sits on the ground with accounts and imports no other app at run time.
    from micedesk.accounts.models import User


def _territory_size() -> Subquery:
    through = Partner.communes.through
    return Subquery(
        through.objects.filter(partner_id=OuterRef("pk"))
        .values("partner_id")
        .annotate(size=Count("pk"))
        .values("size"),
        output_field=IntegerField(),
    )


def partners_covering(*, commune: Commune | str, kind: str | None = None) -> QuerySet[Partner]:
    """The partners whose territory holds the commune (a Commune or an INSEE code), in one query.

    The most local partner comes first (smallest territory), so a convention bureau of an
    intercommunality comes before the attractiveness agency of the whole department.
    """
    insee_code = commune.pk if isinstance(commune, Commune) else commune
    partners = Partner.objects.filter(communes=insee_code)
    if kind is not None:
        partners = partners.filter(kind=kind)
    return partners.annotate(territory_size=Coalesce(_territory_size(), 0)).order_by(
        "territory_size", "name"
    )


def commune_search(*, text: str, limit: int = 10) -> QuerySet[Commune]:
    """Communes for a picker: the name starts with the text (accents, case and hyphens ignored),
    or a word of the name does ("havre" finds Le Havre), or the text starts a postal or INSEE code.

    Names that start with the text come first, then the largest communes.
    """
    text = text.strip()
    communes = Commune.objects.select_related("department")
    if text.isdigit():
        postal_codes = Cast("postal_codes", output_field=TextField())
        matches = communes.annotate(postal_text=postal_codes).filter(
            Q(postal_text__contains=f'"{text}') | Q(insee_code__startswith=text)
        )
        return matches.order_by(Coalesce("population", 0).desc(), "name")[:limit]
    folded = slugify(text)
    if not folded:
        return communes.none()
    # Compared without hyphens too, as slugify drops apostrophes ("l'Orne" -> "lorne") where
    # someone may type a space ("l orne" -> "l-orne").
    compact = folded.replace("-", "")
    starts = Q(compact_slug__startswith=compact) | Q(name__istartswith=text)
    matches = communes.annotate(compact_slug=Replace("slug", Value("-"), Value(""))).filter(
        starts | Q(slug__contains=f"-{folded}")
    )
    first = Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())
    return matches.annotate(prefix_rank=first).order_by(
        "prefix_rank", Coalesce("population", 0).desc(), "name"
    )[:limit]


def communes_of_partner(*, partner: Partner) -> QuerySet[Commune]:
    """The communes of a partner's territory, by name."""
    return partner.communes.select_related("department").order_by("name", "insee_code")


def departments_of_region() -> QuerySet[Department]:
    """The departments of the configured region (settings.MICEDESK_REGION_CODE), by code."""
    return Department.objects.filter(region_id=settings.MICEDESK_REGION_CODE).order_by("code")


def commune_of_region(*, insee_code: str) -> Commune | None:
    """The commune of the configured region with this INSEE code, or None."""
    return (
        Commune.objects.select_related("department")
        .filter(insee_code=insee_code, department__region_id=settings.MICEDESK_REGION_CODE)
        .first()
    )


def partners_of_member(*, user: User) -> QuerySet[Partner]:
    """The institutional partners a partner member acts for; nothing for any other user."""
    if not user.is_authenticated or not user.is_partner_member:
        return Partner.objects.none()
    return Partner.objects.filter(members=user)
