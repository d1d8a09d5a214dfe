"""Export suppliers and their rooms to CSV or XLSX in the import format, so that a file can go back in.

Suppliers are read in chunks with their rooms, so that an export of the whole directory does not
hold it in memory. Text cells that a spreadsheet would run as a formula are neutralised (see
docs/import-format.md); the import undoes it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet

from micedesk.directory.imports import (
    COLUMNS,
    FORMULA_STARTS,
    ROOM,
    ROOM_COLUMNS,
    SUPPLIER,
    SUPPLIER_COLUMNS,
    Column,
)
from micedesk.directory.models import MeetingRoom, Supplier
from micedesk.directory.vocab import LABELS, THEMES

CHUNK_SIZE = 2000
CSV_DELIMITER = ";"


def cell_value(column: Column, value: object) -> object:
    """The cell of a column for a model value: numbers stay numbers, the rest is text."""
    if column.kind == "bool":
        return "yes" if value else "no"
    if column.kind == "labels":
        return "|".join(LABELS.codes_in(value))
    if column.kind == "themes":
        return "|".join(THEMES.codes_in(value))
    if value is None:
        return ""
    if column.kind in ("int", "count", "decimal", "float"):
        return value
    return str(value)


def supplier_row(supplier: Supplier) -> list[object]:
    values = {
        "commune_insee": supplier.commune_id,
        "commune_name": supplier.commune.name,
    }
    cells: list[object] = [SUPPLIER]
    for column in SUPPLIER_COLUMNS:
        value = values.get(column.name, getattr(supplier, column.field, None))
        cells.append(cell_value(column, value))
    return cells + [""] * len(ROOM_COLUMNS)


def room_row(supplier: Supplier, room: MeetingRoom) -> list[object]:
    cells: list[object] = [ROOM, supplier.external_id or ""]
    cells += [""] * (len(SUPPLIER_COLUMNS) - 1)
    cells += [cell_value(column, getattr(room, column.field)) for column in ROOM_COLUMNS]
    return cells


def export_rows(queryset: QuerySet[Supplier]) -> Iterator[list[object]]:
    """The header, then each supplier's line followed by its rooms' lines."""
    yield list(COLUMNS)
    suppliers = (
        queryset.select_related("commune")
        .prefetch_related("rooms")
        .order_by("pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for supplier in suppliers:
        yield supplier_row(supplier)
        for room in supplier.rooms.all():
            yield room_row(supplier, room)


def csv_safe(cell: object) -> object:
    """A text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(cell, str) and cell[:1] in FORMULA_STARTS:
        return f"'{cell}"
    return cell


class _Utf8:
    """The text side of a binary stream, for csv.writer (which only calls write)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text.encode("utf-8"))
        return len(text)


def suppliers_export_csv(*, queryset: QuerySet[Supplier], stream: IO[bytes]) -> int:
    """Write `queryset` as CSV (UTF-8 with BOM, `;`, as a French spreadsheet opens it); returns the
    number of suppliers written."""
    stream.write("\ufeff".encode())
    writer = csv.writer(_Utf8(stream), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    count = 0
    for row in export_rows(queryset):
        count += row[0] == SUPPLIER
        writer.writerow([csv_safe(cell) for cell in row])
    return count


def text_cell(sheet: object, value: object) -> object:
    """openpyxl takes a text starting with = for a formula: such a text gets a cell typed as text."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def suppliers_export_xlsx(*, queryset: QuerySet[Supplier], stream: IO[bytes]) -> int:
    """Write `queryset` as an XLSX workbook with one sheet, `suppliers`; returns the number of
    suppliers written."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("suppliers")
    count = 0
    for row in export_rows(queryset):
        count += row[0] == SUPPLIER
        sheet.append([text_cell(sheet, value) for value in row])
    workbook.save(stream)
    return count
