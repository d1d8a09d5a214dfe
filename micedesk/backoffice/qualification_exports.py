"""The figures of the qualified offer as tables, the chart data drawn from them, and their XLSX
workbook (one sheet per figure). The page and the workbook show the same tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from micedesk.directory.vocab import Kind, QualificationLevel
from micedesk.geo.models import Department
from micedesk.leads.figures import Table, figures_export_xlsx
from micedesk.qualification import selectors

LEVELS = [level for level in QualificationLevel if level != QualificationLevel.NONE]
MISSED_CHART_ROWS = 15


def figure_tables() -> dict[str, Table]:
    """The three figures by their sheet names: qualified offer, overdue evaluations, missed criteria."""
    return {
        "qualified_offer": offer_table(),
        "evaluations_overdue": overdue_table(),
        "criteria_missed": missed_table(),
    }


def offer_table() -> Table:
    """Published suppliers per department and kind, one column per level (not qualified first)."""
    names = dict(Department.objects.values_list("code", "name"))
    kinds = dict(Kind.choices)
    counts: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for row in selectors.qualified_offer():
        counts[(row.department_code, row.kind)][int(row.level)] = row.count
    table = Table(
        name="qualified_offer",
        title=_("Qualified offer by department and kind"),
        columns=[
            _("Department"),
            _("Kind"),
            *[str(level.label) for level in QualificationLevel],
            _("Total qualified"),
        ],
    )
    for (department, kind), by_level in sorted(counts.items()):
        cells = [by_level.get(level, 0) for level in QualificationLevel]
        place = f"{names.get(department, department)} ({department})"
        table.rows.append([place, str(kinds.get(kind, kind)), *cells, sum(cells[1:])])
    return table


def overdue_table() -> Table:
    today = timezone.localdate()
    table = Table(
        name="evaluations_overdue",
        title=_("Evaluations overdue"),
        columns=[
            _("Supplier"),
            _("Department"),
            _("Grid"),
            _("Evaluator"),
            _("Partner"),
            _("Status"),
            _("Due"),
            _("Days late"),
        ],
    )
    overdue = selectors.evaluations_overdue(today=today).select_related(
        "supplier", "version__grid", "evaluator", "partner"
    )
    for evaluation in overdue:
        table.rows.append(
            [
                evaluation.supplier.name,
                evaluation.supplier.department_code,
                str(evaluation.version),
                str(evaluation.evaluator or ""),
                str(evaluation.partner or ""),
                evaluation.get_status_display(),
                evaluation.due_on,
                (today - evaluation.due_on).days if evaluation.due_on else None,
            ]
        )
    return table


def missed_table() -> Table:
    """Criteria most often missed: what suppliers should be trained on."""
    kinds = dict(Kind.choices)
    table = Table(
        name="criteria_missed",
        title=_("Criteria most often missed"),
        columns=[
            _("Code"),
            _("Criterion"),
            _("Kind"),
            _("Missed"),
            _("Evaluated"),
            _("Missed (%)"),
        ],
    )
    for row in selectors.criteria_missed():
        share = (
            (Decimal(row.missed) * 100 / Decimal(row.evaluated)).quantize(Decimal("0.1"))
            if row.evaluated
            else None
        )
        label = str(kinds.get(row.kind, row.kind))
        table.rows.append([row.code, row.label, label, row.missed, row.evaluated, share])
    return table


def offer_chart(table: Table) -> dict | None:
    """Chart.js data: one bar per department and kind, its qualified suppliers stacked by level."""
    if not any(row[-1] for row in table.rows):
        return None
    rows = [row for row in table.rows if row[-1]]
    return {
        "labels": [f"{row[0]} · {row[1]}" for row in rows],
        "axis": _("Qualified suppliers"),
        "datasets": [
            {"label": str(level.label), "data": [row[2 + level] for row in rows], "stack": "all"}
            for level in LEVELS
        ],
    }


def missed_chart(table: Table) -> dict | None:
    """Chart.js data: a horizontal bar per criterion, the share of evaluations that missed it."""
    rows = [row for row in table.rows if row[5] is not None][:MISSED_CHART_ROWS]
    if not rows:
        return None
    return {
        "labels": [f"{row[1]} ({row[2]})" for row in rows],
        "axis": _("Missed (%)"),
        "datasets": [{"label": _("Missed (%)"), "data": [float(row[5]) for row in rows]}],
    }


def figures_xlsx(*, tables: Iterable[Table], stream: IO[bytes]) -> int:
    """The workbook: one sheet per table, its column names in the first row."""
    return figures_export_xlsx(tables=tables, stream=stream)
