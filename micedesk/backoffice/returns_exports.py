"""XLSX workbooks of the returns: a year (every event with every figure, the kinds, the ranking) and
one event (its figures, costs, won requests and useful contacts). Numbers stay numbers (Decimals),
text that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from django.utils.translation import gettext as _

from micedesk.directory.exports import text_cell
from micedesk.leads.models import EventKind
from micedesk.operations.returns import EventReturns, Totals, YearReturns


def _event_columns() -> list[str]:
    return [
        _("Event"),
        _("Kind"),
        _("Start"),
        _("End"),
        _("Status"),
        _("Budget (€)"),
        _("Actual (€)"),
        _("Staff time (€)"),
        _("Full cost (€)"),
        _("Contributions (€)"),
        _("Net cost (€)"),
        _("Contacts met"),
        _("Useful contacts"),
        _("Events won"),
        _("Participants"),
        _("Delegate-days"),
        _("Budget of the events won (€)"),
        _("Economic impact (€)"),
        _("Cost per useful contact (€)"),
        _("Cost per event won (€)"),
        _("Cost per delegate-day (€)"),
        _("Impact per euro"),
        _("Recommendation"),
        _("Too small to conclude"),
    ]


def _event_row(item: EventReturns) -> list[object]:
    event, cost = item.event, item.cost
    return [
        event.name,
        event.get_kind_display(),
        event.starts_on,
        event.ends_on,
        event.get_status_display(),
        cost.budget,
        cost.actual,
        cost.staff_time,
        cost.full_cost,
        cost.contributions,
        cost.net_cost,
        item.contacts_met,
        item.useful_contacts,
        item.events_won,
        item.participants,
        item.delegate_days,
        item.budget_total,
        item.economic_impact,
        item.cost_per_useful_contact,
        item.cost_per_event_won,
        item.cost_per_delegate_day,
        item.impact_per_euro,
        item.recommendation.label,
        _("yes") if item.too_small else _("no"),
    ]


def _totals_columns() -> list[str]:
    return [
        _("Events"),
        _("Budget (€)"),
        _("Full cost (€)"),
        _("Contributions (€)"),
        _("Net cost (€)"),
        _("Contacts met"),
        _("Useful contacts"),
        _("Events won"),
        _("Delegate-days"),
        _("Economic impact (€)"),
        _("Cost per useful contact (€)"),
        _("Cost per event won (€)"),
        _("Cost per delegate-day (€)"),
        _("Impact per euro"),
    ]


def _totals_row(totals: Totals) -> list[object]:
    return [
        totals.events,
        totals.budget,
        totals.full_cost,
        totals.contributions,
        totals.net_cost,
        totals.contacts_met,
        totals.useful_contacts,
        totals.events_won,
        totals.delegate_days,
        totals.economic_impact,
        totals.cost_per_useful_contact,
        totals.cost_per_event_won,
        totals.cost_per_delegate_day,
        totals.impact_per_euro,
    ]


def _sheet(workbook: object, name: str, header: list[object], rows: Iterable[list]) -> None:
    sheet = workbook.create_sheet(name)
    sheet.append([text_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([text_cell(sheet, value) for value in row])


def _ranking_rows(result: YearReturns) -> Iterable[list[object]]:
    for rank, item in enumerate(result.ranking, start=1):
        yield [
            rank,
            item.event.name,
            item.event.get_kind_display(),
            item.impact_per_euro,
            item.useful_contacts,
            item.recommendation.code,
            item.recommendation.label,
            " ".join(str(reason) for reason in item.recommendation.reasons),
        ]


def year_returns_xlsx(*, result: YearReturns, stream: IO[bytes]) -> None:
    """Sheets `events`, `by_kind`, `year_on_year` and `ranking`."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    _sheet(workbook, "events", _event_columns(), (_event_row(item) for item in result.events))
    _sheet(
        workbook,
        "by_kind",
        [_("Kind"), *_totals_columns()],
        ([row.label, *_totals_row(row.totals)] for row in result.by_kind),
    )
    _sheet(
        workbook,
        "year_on_year",
        [_("Year"), *_totals_columns()],
        [
            [result.year - 1, *_totals_row(result.previous)],
            [result.year, *_totals_row(result.totals)],
        ],
    )
    ranking_header = [
        _("Rank"),
        _("Event"),
        _("Kind"),
        _("Impact per euro"),
        _("Useful contacts"),
        _("Code"),
        _("Recommendation"),
        _("Reasons"),
    ]
    _sheet(workbook, "ranking", ranking_header, _ranking_rows(result))
    workbook.save(stream)


def _won_rows(item: EventReturns) -> Iterable[list[object]]:
    kinds = dict(EventKind.choices)
    for request, weight in item.won_requests:
        yield [
            request.reference,
            request.created_at.date(),
            str(kinds.get(request.event_kind, request.event_kind)),
            request.outcome_participants or request.participants,
            request.outcome_days or request.days,
            request.outcome_budget,
            str(request.won_by) if request.won_by_id else "",
            weight,
        ]


def _useful_rows(item: EventReturns) -> Iterable[list[object]]:
    for useful in item.useful:
        yield [
            useful.contact.pk,
            str(useful.contact),
            useful.weight,
            ", ".join(request.reference for request in useful.requests),
        ]


def event_returns_xlsx(*, result: EventReturns, stream: IO[bytes]) -> None:
    """Sheets `event` (every figure), `costs` (by category), `won_requests`, `useful_contacts`,
    `scope` (events won by kind and by origin)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    _sheet(
        workbook,
        "event",
        [_("Figure"), _("Value")],
        zip(_event_columns(), _event_row(result), strict=True),
    )
    _sheet(
        workbook,
        "costs",
        [_("Category"), _("Budget (€)"), _("Actual (€)")],
        ([row.label, row.budget, row.actual] for row in result.cost.by_category),
    )
    won_header = [
        _("Reference"),
        _("Received"),
        _("Kind"),
        _("Participants"),
        _("Days"),
        _("Budget (€)"),
        _("Won by"),
        _("Weight"),
    ]
    _sheet(workbook, "won_requests", won_header, _won_rows(result))
    useful_header = [_("Contact number"), _("Contact"), _("Weight"), _("Requests")]
    _sheet(workbook, "useful_contacts", useful_header, _useful_rows(result))
    kinds = dict(EventKind.choices)
    scope = [[_("kind"), str(kinds.get(k, k)), v] for k, v in result.by_kind.items()]
    scope += [[_("origin"), origin, v] for origin, v in result.by_origin.items()]
    _sheet(workbook, "scope", [_("By"), _("Value"), _("Events won")], scope)
    workbook.save(stream)
