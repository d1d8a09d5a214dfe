"""Import suppliers and their rooms from a CSV or XLSX file; every line is saved or refused with a reason.

The format is described in docs/import-format.md. In short: one sheet, one line per supplier and one
line per meeting room (`record` = supplier or room), the lines of a supplier next to each other and
tied together by `external_id`, the key that makes a re-import update instead of duplicate.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, BinaryIO

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from tqdm import tqdm

from micedesk.core.text import fold
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.services import supplier_apply_derived, supplier_save
from micedesk.directory.vocab import CATEGORY_KIND, LABELS, LAYOUTS, THEMES, Category, FlagSet
from micedesk.geo.models import Commune

BATCH_SIZE = 500
SNIFF_BYTES = 64 * 1024
RECORD = "record"
REASON = "reason"
SUPPLIER, ROOM = "supplier", "room"

TRUE_WORDS = frozenset({"1", "yes", "y", "true", "oui", "o", "vrai", "x"})
FALSE_WORDS = frozenset({"", "0", "no", "n", "false", "non", "faux"})
CODE_SEPARATORS = re.compile(r"[|,;\s]+")
WHOLE_NUMBER = re.compile(r"^\d+$")
# A text starting with one of these would run as a formula in a spreadsheet: exports put an
# apostrophe before it, imports take it away.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Fields a supplier gets from the services, not from the file.
DERIVED_FIELDS = ["slug", "kind", "department_code", "search_document"]


@dataclass(frozen=True)
class Column:
    """A column of the import format: its header, the model field it fills and how to read it."""

    name: str
    field: str
    kind: str  # text, int, count, decimal, float, bool, labels, themes, category, status, commune, check


SUPPLIER_COLUMNS: tuple[Column, ...] = (
    Column("external_id", "external_id", "text"),
    Column("name", "name", "text"),
    Column("category", "category", "category"),
    Column("status", "status", "status"),
    Column("commune_insee", "commune", "commune"),
    Column("commune_name", "", "check"),
    Column("address", "address", "text"),
    Column("postal_code", "postal_code", "text"),
    Column("latitude", "latitude", "float"),
    Column("longitude", "longitude", "float"),
    Column("email", "email", "text"),
    Column("phone", "phone", "text"),
    Column("website", "website", "text"),
    Column("bedrooms", "bedrooms", "count"),
    Column("beds", "beds", "count"),
    Column("restaurant_covers", "restaurant_covers", "count"),
    Column("parking_spaces", "parking_spaces", "count"),
    Column("station_distance_km", "station_distance_km", "decimal"),
    Column("paris_travel_minutes", "paris_travel_minutes", "int"),
    Column("day_delegate_price_min", "day_delegate_price_min", "decimal"),
    Column("day_delegate_price_max", "day_delegate_price_max", "decimal"),
    Column("labels", "label_mask", "labels"),
    Column("themes", "theme_mask", "themes"),
    Column("description_fr", "description_fr", "text"),
    Column("description_en", "description_en", "text"),
)
ROOM_COLUMNS: tuple[Column, ...] = (
    Column("room_name", "name", "text"),
    Column("room_area_m2", "area_m2", "decimal"),
    Column("room_ceiling_height_m", "ceiling_height_m", "decimal"),
    Column("room_natural_light", "natural_light", "bool"),
    Column("room_blackout", "blackout", "bool"),
    Column("room_step_free_access", "step_free_access", "bool"),
    *(Column(f"room_{layout}", f"capacity_{layout}", "int") for layout in LAYOUTS),
    Column("room_projector", "projector", "bool"),
    Column("room_screen", "screen", "bool"),
    Column("room_sound", "sound", "bool"),
    Column("room_videoconference", "videoconference", "bool"),
    Column("room_wifi", "wifi", "bool"),
    Column("room_power_outlets", "power_outlets", "count"),
)
COLUMNS: tuple[str, ...] = (
    RECORD,
    *(column.name for column in SUPPLIER_COLUMNS),
    *(column.name for column in ROOM_COLUMNS),
)
SUPPLIER_COLUMN_OF_FIELD = {column.field: column.name for column in SUPPLIER_COLUMNS}
ROOM_COLUMN_OF_FIELD = {column.field: column.name for column in ROOM_COLUMNS}
REQUIRED_TO_CREATE = ("name", "category", "commune_insee")


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, columns): nothing of it is imported."""


class CellError(ValueError):
    """A cell that does not hold what its column expects; the message says what to write."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d") % {"line": self.line}
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    rooms: int = 0
    lines: int = 0
    rejected_lines: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# Reading the file ------------------------------------------------------------------------------


@dataclass
class Line:
    """A line of the file: its row number as a spreadsheet shows it, its cells as read, their text."""

    number: int
    cells: list[object]
    values: dict[str, str]

    @property
    def record(self) -> str:
        return self.values.get(RECORD, "").strip().lower() or SUPPLIER

    @property
    def external_id(self) -> str:
        return self.values.get("external_id", "").strip()

    def is_blank(self) -> bool:
        return not any(value.strip() for value in self.values.values())


@dataclass
class Source:
    """An opened import file: its format, header, lines and, for CSV, its delimiter."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[object]]]
    total: int | None
    delimiter: str = ";"


def cell_text(value: object) -> str:
    """The text of a spreadsheet cell: 12.0 reads '12', True reads 'yes', None reads ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def source_open(binary: BinaryIO) -> Source:
    head = binary.read(SNIFF_BYTES)
    binary.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return xlsx_open(binary)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Old Excel .xls files cannot be read: save the file as .xlsx or CSV UTF-8.")
        )
    return csv_open(binary, head)


def xlsx_open(binary: BinaryIO) -> Source:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ImportFileError(
            _("This XLSX file cannot be read: %(error)s") % {"error": error}
        ) from error
    sheet = workbook.worksheets[0]
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    header = [cell_text(value) for value in first[1]]
    while header and not header[-1]:
        header.pop()
    total = (sheet.max_row - 1) if sheet.max_row else None
    return Source(format="xlsx", header=header, rows=rows, total=total)


def csv_delimiter(sample: str) -> str:
    """`;` or `,` (or a tab), by csv.Sniffer on the first lines, or by counting in the header."""
    lines = sample.splitlines()
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=";,\t").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        return max(";,\t", key=header.count)


def csv_scan(binary: BinaryIO) -> int:
    """Check that the whole file is UTF-8 before importing any of it; returns its number of lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    while chunk := binary.read(1024 * 1024):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line = lines + chunk[: error.start].count(b"\n") + 1
            raise ImportFileError(
                _(
                    "The file is not in UTF-8 (line %(line)d): save it as “CSV UTF-8” (or as "
                    "XLSX) and import it again."
                )
                % {"line": line}
            ) from error
        lines += chunk.count(b"\n")
    binary.seek(0)
    return lines


def csv_open(binary: BinaryIO, head: bytes) -> Source:
    total = csv_scan(binary)
    complete = head if len(head) < SNIFF_BYTES else head[: head.rfind(b"\n") + 1] or head
    delimiter = csv_delimiter(complete.decode("utf-8-sig", errors="replace"))
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    rows = enumerate(csv_rows(reader), start=1)
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    header = [str(value).strip() for value in first[1]]
    return Source(
        format="csv", header=header, rows=rows, total=max(total - 1, 0), delimiter=delimiter
    )


def csv_rows(reader: Iterable[list[str]]) -> Iterator[list[object]]:
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(_("The CSV file is damaged: %(error)s") % {"error": error}) from error


def header_check(header: list[str]) -> list[str]:
    """The header's column names, lower case; refuses unknown, repeated and missing columns."""
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in COLUMNS and name != REASON]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(columns)s. The columns are described in the import format.")
            % {"columns": ", ".join(repr(name) for name in unknown)}
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportFileError(
            _("These columns appear twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    if "external_id" not in names:
        raise ImportFileError(_("The column external_id is required: imports update by it."))
    if RECORD not in names and any(name.startswith("room_") for name in names):
        raise ImportFileError(
            _("Room columns need a record column telling supplier lines from room lines.")
        )
    return names


# Reading cells ---------------------------------------------------------------------------------


def parse_whole(raw: str, *, empty: int | None) -> int | None:
    if not raw:
        return empty
    if not WHOLE_NUMBER.match(raw):
        raise CellError(_("Enter a whole number, 0 or more, without spaces or units."))
    return int(raw)


def parse_decimal(raw: str) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except InvalidOperation:
        raise CellError(_("Enter a number, such as 12.5 or 12,5.")) from None
    if not value.is_finite():
        raise CellError(_("Enter a number, such as 12.5 or 12,5."))
    return value


def parse_bool(raw: str) -> bool:
    word = raw.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Enter yes or no (or leave the cell empty for no)."))


def parse_codes(raw: str, flags: FlagSet) -> int:
    codes = [code.lower() for code in CODE_SEPARATORS.split(raw) if code]
    unknown = [code for code in codes if code not in flags.by_code]
    if unknown:
        raise CellError(
            _("Unknown codes: %(codes)s. Allowed: %(allowed)s.")
            % {"codes": ", ".join(unknown), "allowed": ", ".join(flags.codes)}
        )
    return flags.mask(codes)


def parse_choice(raw: str, choices: Iterable[str]) -> str:
    code = raw.lower()
    allowed = list(choices)
    if code not in allowed:
        raise CellError(
            _("Unknown code “%(code)s”. Allowed: %(allowed)s.")
            % {"code": raw, "allowed": ", ".join(allowed)}
        )
    return code


def parse_cell(column: Column, raw: str, communes: dict[str, Commune]) -> object:
    kind = column.kind
    if kind == "text":
        return raw[1:] if raw[:1] == "'" and raw[1:2] in FORMULA_STARTS else raw
    if kind in ("int", "count"):
        return parse_whole(raw, empty=0 if kind == "count" else None)
    if kind in ("decimal", "float"):
        value = parse_decimal(raw)
        return float(value) if kind == "float" and value is not None else value
    if kind == "bool":
        return parse_bool(raw)
    if kind == "labels":
        return parse_codes(raw, LABELS)
    if kind == "themes":
        return parse_codes(raw, THEMES)
    if kind == "category":
        return parse_choice(raw, Category.values) if raw else ""
    if kind == "status":
        return parse_choice(raw, Status.values) if raw else Status.DRAFT
    if kind == "commune":
        return commune_find(raw, communes)
    return raw


def commune_find(raw: str, communes: dict[str, Commune]) -> Commune | None:
    if not raw:
        return None
    code = raw.upper().zfill(5)  # a spreadsheet may have dropped the leading zero of 01000..09999
    commune = communes.get(code)
    if commune is None:
        raise CellError(_("No commune has the INSEE code “%(code)s”.") % {"code": raw})
    return commune


def same_name(first: str, second: str) -> bool:
    """Commune names compared without accents, case, hyphens or apostrophes."""
    return re.sub(r"[^a-z0-9]", "", fold(first)) == re.sub(r"[^a-z0-9]", "", fold(second))


# Building suppliers and rooms ------------------------------------------------------------------


class UniqueSlugs:
    """Unique supplier slugs for many new suppliers, with one query for the slugs already taken.

    The rule is the one of services.supplier_unique_slug ('name-commune', then -2, -3...).
    """

    def __init__(self) -> None:
        self.taken: set[str] | None = None
        self.next_suffix: dict[str, int] = {}

    def claim(self, *, name: str, commune_name: str) -> str:
        if self.taken is None:
            self.taken = set(Supplier.objects.values_list("slug", flat=True).iterator())
        base = slugify(f"{name} {commune_name}")[:200] or "prestataire"
        slug, counter = base, self.next_suffix.get(base, 2)
        while slug in self.taken:
            slug, counter = f"{base}-{counter}", counter + 1
        self.next_suffix[base] = counter
        self.taken.add(slug)
        return slug


@dataclass
class Group:
    """The lines of one supplier, and what they became: a supplier, its rooms, or errors."""

    lines: list[Line]
    supplier: Supplier | None = None
    rooms: list[MeetingRoom] | None = None
    is_new: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def external_id(self) -> str:
        return self.lines[0].external_id

    def refuse(self, line: Line, column: str, message: object) -> None:
        self.errors.append(RowError(line.number, column, str(message)))


def validation_messages(error: ValidationError) -> Iterator[tuple[str, str]]:
    for name, messages in error.message_dict.items():
        for message in messages:
            yield ("" if name == NON_FIELD_ERRORS else name), message


class Importer:
    """Reads the lines of a file group by group, validates them and saves them in batches."""

    def __init__(self, *, names: list[str], dry_run: bool) -> None:
        self.names = names
        self.present_supplier = [column for column in SUPPLIER_COLUMNS if column.name in names]
        self.present_room = [column for column in ROOM_COLUMNS if column.name in names]
        self.has_rooms = RECORD in names
        self.communes = {
            commune.insee_code: commune for commune in Commune.objects.select_related("department")
        }
        self.slugs = UniqueSlugs()
        self.first_line: dict[str, int] = {}
        self.report = ImportReport(dry_run=dry_run)

    # Grouping

    def line_of(self, number: int, cells: list[object]) -> Line:
        values = {
            name: cell_text(cells[index]) if index < len(cells) else ""
            for index, name in enumerate(self.names)
        }
        return Line(number=number, cells=list(cells), values=values)

    def groups(self, rows: Iterable[tuple[int, list[object]]]) -> Iterator[Group]:
        """Consecutive lines with the same external id form a group; blank lines are skipped."""
        current: list[Line] = []
        for number, cells in rows:
            line = self.line_of(number, cells)
            if line.is_blank():
                continue
            self.report.lines += 1
            if current and not self.belongs(line, current[0]):
                yield Group(lines=current)
                current = []
            current.append(line)
        if current:
            yield Group(lines=current)

    def belongs(self, line: Line, first: Line) -> bool:
        """Same external id; a room line without one stays with the supplier above, to be refused
        with it rather than leave that supplier saved without the room."""
        if not line.external_id:
            return line.record == ROOM and bool(first.external_id)
        return line.external_id == first.external_id

    def check_structure(self, group: Group) -> None:
        """One supplier line per group, a known record type, an external id not used before."""
        supplier_lines = []
        for line in group.lines:
            if line.record not in (SUPPLIER, ROOM):
                group.refuse(line, RECORD, _("Write supplier or room."))
            elif line.record == SUPPLIER:
                supplier_lines.append(line)
        first = group.lines[0]
        missing = [line for line in group.lines if not line.external_id]
        for line in missing:
            group.refuse(line, "external_id", _("This field is required: imports update by it."))
        if not group.external_id:
            return
        if group.external_id in self.first_line:
            group.refuse(
                first,
                "external_id",
                _(
                    "This external id is already used on line %(line)d; the lines of a supplier "
                    "must be next to each other."
                )
                % {"line": self.first_line[group.external_id]},
            )
        self.first_line.setdefault(group.external_id, first.number)
        if not supplier_lines:
            for line in group.lines:
                group.refuse(
                    line,
                    RECORD,
                    _("No supplier line with this external id above or below this room line."),
                )
        for line in supplier_lines[1:]:
            group.refuse(
                line,
                RECORD,
                _("This external id already has a supplier line, line %(line)d.")
                % {"line": supplier_lines[0].number},
            )

    # Building

    def check_empty(
        self, group: Group, line: Line, columns: Iterable[Column], message: str
    ) -> None:
        for column in columns:
            if line.values.get(column.name):
                group.refuse(line, column.name, message)

    def supplier_build(self, group: Group, line: Line, existing: Supplier | None) -> Supplier:
        supplier = existing or Supplier(external_id=group.external_id)
        group.is_new = existing is None
        self.check_empty(
            group,
            line,
            self.present_room,
            _("Leave this cell empty on a supplier line: each room goes on its own line."),
        )
        for column in self.present_supplier:
            raw = line.values[column.name]
            if group.is_new and column.name in REQUIRED_TO_CREATE and not raw:
                group.refuse(line, column.name, _("This field is required to create a supplier."))
                continue
            try:
                value = parse_cell(column, raw, self.communes)
            except CellError as error:
                group.refuse(line, column.name, error)
                continue
            if column.field:
                setattr(supplier, column.field, value)
        for column in REQUIRED_TO_CREATE:
            if group.is_new and column not in self.names:
                group.refuse(line, column, _("This column is required to create a supplier."))
        self.check_commune_name(group, line, supplier)
        self.check_prices(group, line, supplier)
        return supplier

    def check_commune_name(self, group: Group, line: Line, supplier: Supplier) -> None:
        written = line.values.get("commune_name", "")
        if written and supplier.commune_id and not same_name(written, supplier.commune.name):
            group.refuse(
                line,
                "commune_name",
                _("The INSEE code %(code)s is %(name)s, not “%(written)s”: check the code.")
                % {"code": supplier.commune_id, "name": supplier.commune.name, "written": written},
            )

    def check_prices(self, group: Group, line: Line, supplier: Supplier) -> None:
        low, high = supplier.day_delegate_price_min, supplier.day_delegate_price_max
        if low is not None and high is not None and low > high:
            group.refuse(
                line,
                "day_delegate_price_max",
                _("The highest price must be at least the lowest price."),
            )

    def room_build(self, group: Group, line: Line, position: int) -> MeetingRoom:
        room = MeetingRoom(position=position)
        self.check_empty(
            group,
            line,
            (column for column in self.present_supplier if column.name != "external_id"),
            _("Leave this cell empty on a room line: supplier details go on the supplier line."),
        )
        if not line.values.get("room_name"):
            group.refuse(line, "room_name", _("A room line needs the room's name."))
        for column in self.present_room:
            try:
                setattr(
                    room, column.field, parse_cell(column, line.values[column.name], self.communes)
                )
            except CellError as error:
                group.refuse(line, column.name, error)
        return room

    def validate(
        self, group: Group, line: Line, supplier: Supplier, rooms: list[tuple[Line, MeetingRoom]]
    ) -> None:
        """The model's own validation, with each message put back on its line and column."""
        refused = {(error.line, error.column) for error in group.errors}
        try:
            supplier.full_clean(
                exclude=DERIVED_FIELDS, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, message in validation_messages(error):
                column = SUPPLIER_COLUMN_OF_FIELD.get(name, name)
                if (line.number, column) not in refused:
                    group.refuse(line, column, message)
        for room_line, room in rooms:
            try:
                room.full_clean(exclude=["supplier"], validate_unique=False)
            except ValidationError as error:
                for name, message in validation_messages(error):
                    column = ROOM_COLUMN_OF_FIELD.get(name, name)
                    if (room_line.number, column) not in refused:
                        group.refuse(room_line, column, message)

    def build(self, group: Group, existing: dict[str, Supplier]) -> None:
        self.check_structure(group)
        if group.errors:
            return
        supplier_line = next(line for line in group.lines if line.record == SUPPLIER)
        supplier = self.supplier_build(group, supplier_line, existing.get(group.external_id))
        room_lines = [line for line in group.lines if line.record == ROOM]
        rooms = [
            (line, self.room_build(group, line, position))
            for position, line in enumerate(room_lines)
        ]
        self.validate(group, supplier_line, supplier, rooms)
        if group.errors:
            return
        group.supplier = supplier
        group.rooms = [room for _line, room in rooms] if self.has_rooms else None
        if group.is_new:
            supplier.slug = self.slugs.claim(name=supplier.name, commune_name=supplier.commune.name)
        supplier.kind = CATEGORY_KIND[supplier.category]
        summary_rooms = (
            group.rooms
            if group.rooms is not None
            else ([] if group.is_new else list(supplier.rooms.all()))
        )
        supplier_apply_derived(supplier, rooms=summary_rooms)

    # Saving

    def existing(self, groups: list[Group]) -> dict[str, Supplier]:
        ids = [group.external_id for group in groups if group.external_id]
        suppliers = Supplier.objects.filter(external_id__in=ids).select_related(
            "commune__department"
        )
        if not self.has_rooms:
            suppliers = suppliers.prefetch_related("rooms")
        return {supplier.external_id: supplier for supplier in suppliers}

    def write(self, groups: list[Group]) -> None:
        Supplier.objects.bulk_create([group.supplier for group in groups if group.is_new])
        updated = [group.supplier for group in groups if not group.is_new]
        for supplier in updated:
            supplier.save()
        if not self.has_rooms:
            return
        if updated:
            MeetingRoom.objects.filter(supplier__in=updated).delete()
        rooms = []
        for group in groups:
            for room in group.rooms:
                room.supplier = group.supplier
                rooms.append(room)
        MeetingRoom.objects.bulk_create(rooms)

    def write_one(self, group: Group) -> None:
        """Save a group alone through the services, when its batch met a database error."""
        if group.is_new:
            group.supplier.pk = None
            group.supplier.slug = ""  # let the services pick a free one, in case it was taken since
            group.supplier._state.adding = True
        for room in group.rooms or []:
            room.pk = None
        try:
            with transaction.atomic():
                supplier_save(supplier=group.supplier, rooms=group.rooms)
        except ValidationError as error:
            for name, message in validation_messages(error):
                group.refuse(group.lines[0], SUPPLIER_COLUMN_OF_FIELD.get(name, name), message)
        except (IntegrityError, DataError) as error:
            group.refuse(
                group.lines[0],
                "",
                _("The database refused this supplier: %(error)s") % {"error": error},
            )

    def save(self, groups: list[Group]) -> None:
        try:
            with transaction.atomic():
                self.write(groups)
        except (IntegrityError, DataError):
            for group in groups:
                self.write_one(group)

    def run_batch(self, groups: list[Group], rejects: RejectsWriter) -> None:
        existing = self.existing(groups)
        for group in groups:
            self.build(group, existing)
        valid = [group for group in groups if not group.errors]
        if valid:
            self.save(valid)
        for group in groups:
            self.count(group, rejects)

    def count(self, group: Group, rejects: RejectsWriter) -> None:
        report = self.report
        if group.errors:
            report.rejected += 1
            report.rejected_lines += len(group.lines)
            report.errors += group.errors
            rejects.add_group(group)
            return
        if group.is_new:
            report.created += 1
        else:
            report.updated += 1
        report.rooms += len(group.rooms or [])


# The rejects file ------------------------------------------------------------------------------


class RejectsWriter:
    """Writes the refused lines in the format of the source, with a `reason` column, on demand."""

    def __init__(self, target: str | os.PathLike | IO[bytes] | None, source: Source) -> None:
        self.target = target
        self.source = source
        self.header = [name for name in source.header if name.strip().lower() != REASON] + [REASON]
        self.reason_index = next(
            (index for index, name in enumerate(source.header) if name.strip().lower() == REASON),
            None,
        )
        self.stream: IO[bytes] | None = None
        self.text: io.TextIOWrapper | None = None
        self.writer = None
        self.workbook = None
        self.sheet = None
        self.count = 0

    def open(self) -> None:
        if isinstance(self.target, (str, os.PathLike)):
            self.stream = open(self.target, "wb")  # noqa: SIM115 (closed in close())
        else:
            self.stream = self.target
        if self.source.format == "xlsx":
            import openpyxl

            self.workbook = openpyxl.Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet("rejects")
            self.sheet.append(self.header)
        else:
            self.text = io.TextIOWrapper(
                self.stream, encoding="utf-8-sig", newline="", write_through=True
            )
            self.writer = csv.writer(self.text, delimiter=self.source.delimiter)
            self.writer.writerow(self.header)

    def add(self, line: Line, reason: str) -> None:
        if self.target is None:
            return
        if self.stream is None:
            self.open()
        cells = list(line.cells) + [None] * max(0, len(self.source.header) - len(line.cells))
        cells = cells[: len(self.source.header)]
        if self.reason_index is not None:
            del cells[self.reason_index]
        row = cells + [reason]
        if self.sheet is not None:
            self.sheet.append(row)
        else:
            self.writer.writerow(["" if cell is None else cell for cell in row])
        self.count += 1

    def add_group(self, group: Group) -> None:
        by_line: dict[int, list[str]] = {}
        for error in group.errors:
            text = f"{error.column}: {error.message}" if error.column else error.message
            by_line.setdefault(error.line, []).append(text)
        refused = ", ".join(str(number) for number in sorted(by_line))
        for line in group.lines:
            reason = " | ".join(by_line.get(line.number, [])) or _(
                "Not imported with the rest of its supplier: see line %(lines)s."
            ) % {"lines": refused}
            self.add(line, reason)

    def close(self) -> None:
        if self.stream is None:
            return
        if self.workbook is not None:
            self.workbook.save(self.stream)
        else:
            self.text.flush()
            self.text.detach()
        if isinstance(self.target, (str, os.PathLike)):
            self.stream.close()


# The service -----------------------------------------------------------------------------------


def binary_of(source: str | os.PathLike | IO[bytes]) -> tuple[IO[bytes], bool]:
    """A seekable binary stream for `source`, and whether we opened it (and must close it)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(source, "rb"), True
        except OSError as error:
            raise ImportFileError(
                _("Cannot open the file: %(error)s") % {"error": error.strerror}
            ) from error
    if source.seekable():
        return source, False
    spooled = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    spooled.write(source.read())
    spooled.seek(0)
    return spooled, True


def batches(groups: Iterable[Group], size: int) -> Iterator[list[Group]]:
    batch: list[Group] = []
    for group in groups:
        batch.append(group)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def suppliers_import(
    *,
    source: str | os.PathLike | IO[bytes],
    rejects: str | os.PathLike | IO[bytes] | None = None,
    dry_run: bool = False,
    progress: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import a CSV or XLSX file of suppliers and rooms; refused lines go to `rejects` with a reason.

    Each supplier is saved with its rooms or not at all. With `dry_run`, everything is checked and
    counted, then rolled back. Raises ImportFileError when the file as a whole cannot be read.
    """
    binary, opened = binary_of(source)
    try:
        opened_source = source_open(binary)
        importer = Importer(names=header_check(opened_source.header), dry_run=dry_run)
        writer = RejectsWriter(rejects, opened_source)
        # A dry run checks everything in one transaction and rolls it back; a real import commits
        # batch by batch, so that other writers are not held up for the whole file.
        try:
            with transaction.atomic() if dry_run else contextlib.nullcontext():
                importer_run(
                    importer, opened_source, writer, progress=progress, batch_size=batch_size
                )
                if dry_run:
                    transaction.set_rollback(True)
        finally:
            writer.close()
    finally:
        if opened:
            binary.close()
    return importer.report


def importer_run(
    importer: Importer, source: Source, writer: RejectsWriter, *, progress: bool, batch_size: int
) -> None:
    with tqdm(total=source.total, file=sys.stderr, disable=not progress, unit=" lines") as bar:
        for batch in batches(importer.groups(source.rows), batch_size):
            importer.run_batch(batch, writer)
            bar.update(sum(len(group.lines) for group in batch))
