"""The action plan's synthesis as an XLSX workbook, and the words both the workbook and the pages
use to state a cost estimate as the plan does ("per éductour", "for 10 établissements").

One sheet per objective (each cost estimate of each action, in the plan's words) and a "Totals"
sheet (per objective, overall with each action once, and the plan's own budget statement beside
them). Numbers stay numbers with a euro format; a figure the plan does not give is an empty cell
with the note "unknown", never a zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from micedesk.plan.models import Action, CostItem, Timing
from micedesk.plan.selectors import ObjectiveSynthesis, Synthesis, SynthesisRow

EURO_FORMAT = '#,##0.00 "€"'
UNKNOWN = object()  # a cell whose figure the plan does not give


def _plural(unit: str) -> str:
    """The plan's units are French nouns, singular ("établissement", "workshop en Normandie"):
    the plural of the first word, by the common French rule, is enough for the plan's units."""
    head, _space, rest = unit.partition(" ")
    if head.endswith(("s", "x", "z")):
        plural = head
    elif head.endswith(("au", "eu")):
        plural = head + "x"
    else:
        plural = head + "s"
    return f"{plural} {rest}" if rest else plural


def cost_basis(item: CostItem) -> str:
    """What an estimate's amount covers, as the plan states it."""
    if item.is_unknown:
        return _("no figure in the plan")
    if not item.unit:
        return _("lump sum")
    if item.for_quantity == 1:
        return _("per %(unit)s") % {"unit": item.unit}
    return _("for %(count)s %(units)s") % {"count": item.for_quantity, "units": _plural(item.unit)}


def shared_note(action: Action, objective_number: int) -> str:
    """Says when an action is listed under more than one objective: the overall total counts it
    once, so the objectives' totals add up to more than the overall one."""
    listed = {action.objective.number} | {o.number for o in action.also_objectives.all()}
    others = sorted(listed - {objective_number})
    if not others:
        return ""
    numbers = ", ".join(str(number) for number in others)
    if action.objective.number != objective_number:
        return _(
            "Belongs to objective %(numbers)s, listed here too: counted once in the overall total."
        ) % {"numbers": numbers}
    return _("Also listed under objective %(numbers)s: counted once in the overall total.") % {
        "numbers": numbers
    }


def timing_text(action: Action) -> str:
    if action.timing == Timing.START:
        return _("To start in %(year)s") % {"year": action.start_year}
    return _("Progressively")


def _put(sheet: object, row: int, column: int, value: object) -> None:
    """A cell: text a spreadsheet would run as a formula stays text; an unknown figure is an empty
    cell with a note; a number gets the euro format when the column holds euros."""
    from openpyxl.comments import Comment

    cell = sheet.cell(row=row, column=column)
    if value is UNKNOWN:
        cell.comment = Comment(_("unknown: the plan gives no figure"), settings.MICEDESK_BRAND)
        return
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _write(sheet: object, header: list[str], rows: Iterable[list[object]], euros: set[int]) -> None:
    """`header` in row 1 (frozen), then `rows`; the 0-based columns in `euros` hold euros."""
    from openpyxl.styles import Alignment, Font

    for column, title in enumerate(header, start=1):
        _put(sheet, 1, column, title)
        sheet.cell(row=1, column=column).font = Font(bold=True)
    number = 1
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet, number, column, value)
            cell = sheet.cell(row=number, column=column)
            if column - 1 in euros:
                cell.number_format = EURO_FORMAT
            elif isinstance(value, str) and len(value) > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for column, width in enumerate(_widths(header), start=1):
        sheet.column_dimensions[_letter(column)].width = width


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _widths(header: list[str]) -> list[int]:
    return [max(12, min(len(str(title)) + 4, 60)) for title in header]


def _objective_header() -> list[str]:
    return [
        _("Action"),
        _("Timing"),
        _("Cost estimate"),
        _("Stated for"),
        _("Low (€)"),
        _("High (€)"),
        _("Staff time (months)"),
        _("Listed under several objectives"),
        _("The plan's words"),
    ]


def _amount(item: CostItem, value: Decimal | None) -> object:
    return UNKNOWN if item.is_unknown else value


def _objective_rows(part: ObjectiveSynthesis) -> Iterable[list[object]]:
    number = part.objective.number
    for row in part.rows:
        yield from _action_rows(row, number)
    yield [
        _("Total of objective %(number)s") % {"number": number},
        "",
        "",
        "",
        part.low,
        part.high,
        "",
        "",
        _("Not counted (no figure in the plan): %(titles)s")
        % {"titles": ", ".join(a.title for a in part.unknowns)}
        if part.unknowns
        else "",
    ]


def _action_rows(row: SynthesisRow, number: int) -> Iterable[list[object]]:
    action = row.action
    note = shared_note(action, number)
    if not row.costs:
        yield [action.title, timing_text(action), "", "", UNKNOWN, UNKNOWN, "", note, ""]
        return
    for item in row.costs:
        yield [
            action.title,
            timing_text(action),
            item.label,
            cost_basis(item),
            _amount(item, item.amount_low),
            _amount(item, item.amount_high),
            item.staff_months,
            note,
            item.wording,
        ]


def _totals_rows(synthesis: Synthesis) -> Iterable[list[object]]:
    for part in synthesis.objectives:
        yield [
            _("Objective %(number)s") % {"number": part.objective.number},
            part.objective.title,
            part.low,
            part.high,
            ", ".join(a.title for a in part.unknowns),
        ]
    yield [
        _("Overall"),
        _("Every action once (an action listed under two objectives is counted once)"),
        synthesis.low,
        synthesis.high,
        ", ".join(a.title for a in synthesis.unknowns),
    ]
    plan = synthesis.plan
    yield []
    yield [
        _("Stated by the plan"),
        _("Minimal budget stated by the plan: its own figure, not the sum of the tables above"),
        UNKNOWN if plan.stated_min_budget is None else plan.stated_min_budget,
        "",
        "",
    ]
    yield [
        _("Stated by the plan"),
        _("Full-time equivalents stated by the plan"),
        "" if plan.stated_fte is None else plan.stated_fte,
        "",
        "",
    ]
    yield [_("Stated by the plan"), plan.budget_wording, "", "", ""]


def synthesis_xlsx(*, synthesis: Synthesis, stream: IO[bytes]) -> None:
    """Sheets "Objective 1"… (one row per cost estimate, then the objective's total) and
    "Totals"."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for part in synthesis.objectives:
        sheet = workbook.create_sheet(_("Objective %(number)s") % {"number": part.objective.number})
        _write(sheet, _objective_header(), _objective_rows(part), euros={4, 5})
    totals = workbook.create_sheet(_("Totals"))
    header = [_("Part"), _("Title"), _("Low (€)"), _("High (€)"), _("Cost unknown (not counted)")]
    _write(totals, header, _totals_rows(synthesis), euros={2, 3})
    # The FTE row is a count, not euros.
    for row in totals.iter_rows(min_row=2):
        if row[1].value == _("Full-time equivalents stated by the plan"):
            row[2].number_format = "0.##"
    workbook.save(stream)
