"""Demo: the loaded plan carried on to the current year, as staff would do each January by copying
the last year (statuses start as proposed; nothing else is made up)."""

from __future__ import annotations

from django.utils import timezone

from micedesk.plan.models import Plan
from micedesk.plan.services import plan_year_copy


def demo_plan_extend(*, year: int | None = None) -> list[int]:
    """Copy each plan's last year forward until it covers `year` (today's by default). Returns the
    years added."""
    year = year or timezone.localdate().year
    added = []
    for plan in Plan.objects.all():
        while plan.last_year < year:
            plan_year_copy(plan=plan, year=plan.last_year, user=None)
            plan.refresh_from_db()
            added.append(plan.last_year)
    return added
