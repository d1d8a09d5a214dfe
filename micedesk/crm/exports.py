"""Export a segment's contacts to CSV, XLSX or vCard 3.0; staff only, every export audit-logged.

The audit entry holds who, which segment, the format and the count, never the data itself.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from micedesk.crm.models import AuditAction, Contact, Segment
from micedesk.crm.segments import segment_evaluate
from micedesk.crm.services import audit_record
from micedesk.directory.exports import csv_safe, text_cell

CSV_DELIMITER = ";"
CHUNK_SIZE = 2000
COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "organisation",
    "organisation_kind",
    "naf_code",
    "kind",
    "language",
    "city",
    "postal_code",
    "department",
    "region",
    "country",
    "topics",
    "first_touch",
    "last_interaction",
]
# vCard lines longer than this many octets are folded (RFC 2425 §5.8.1).
VCARD_LINE_OCTETS = 75


def contact_row(contact: Contact) -> list[object]:
    company = contact.company
    last = contact.last_interaction_at
    return [
        contact.pk,
        contact.first_name,
        contact.last_name,
        contact.email,
        contact.phone,
        contact.job_title,
        company.name if company else "",
        company.kind if company else "",
        company.naf_code if company else "",
        contact.kind,
        contact.language,
        contact.city,
        contact.postal_code,
        contact.department_code,
        contact.region,
        contact.country,
        "|".join(topic.code for topic in contact.topics.all()),
        contact.source_action.name if contact.source_action else "",
        last.date().isoformat() if last else "",
    ]


def _contacts(contacts) -> Iterator[Contact]:
    """The contacts with what the rows need, read in chunks (the order of the segment is kept)."""
    queryset = contacts.select_related("company", "source_action").prefetch_related("topics")
    return queryset.iterator(chunk_size=CHUNK_SIZE)


class _Utf8:
    """The text side of a binary stream, for csv.writer (which only calls write)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text.encode("utf-8"))
        return len(text)


def contacts_export_csv(*, contacts, stream: IO[bytes]) -> int:
    """CSV, UTF-8 with BOM and `;`, as a French spreadsheet opens it; returns the rows written."""
    stream.write("\ufeff".encode())
    writer = csv.writer(_Utf8(stream), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for contact in _contacts(contacts):
        writer.writerow([csv_safe(cell) for cell in contact_row(contact)])
        count += 1
    return count


def contacts_export_xlsx(*, contacts, stream: IO[bytes]) -> int:
    """An XLSX workbook with one sheet, `contacts`; returns the rows written."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("contacts")
    sheet.append(COLUMNS)
    count = 0
    for contact in _contacts(contacts):
        sheet.append([text_cell(sheet, cell) for cell in contact_row(contact)])
        count += 1
    workbook.save(stream)
    return count


def vcard_escape(text: str) -> str:
    """A text value of vCard 3.0: backslash, comma, semicolon and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def vcard_fold(line: str) -> str:
    """`line` folded into lines of at most 75 octets, never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts in their length.
        if size + octets > VCARD_LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def vcard(contact: Contact) -> str:
    """One vCard 3.0 of `contact`, lines ending with CRLF."""
    e = vcard_escape
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{e(contact.last_name)};{e(contact.first_name)};;;",
        f"FN:{e(contact.full_name or contact.email)}",
    ]
    if contact.company:
        lines.append(f"ORG:{e(contact.company.name)}")
    if contact.job_title:
        lines.append(f"TITLE:{e(contact.job_title)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{e(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{e(contact.phone)}")
    if contact.city or contact.country:
        # ADR: post office box;extended;street;locality;region;postal code;country.
        address = ["", "", "", contact.city, contact.region, contact.postal_code, contact.country]
        lines.append("ADR;TYPE=WORK:" + ";".join(e(part) for part in address))
    if contact.language:
        lines.append(f"LANG:{e(contact.language)}")
    lines.append("END:VCARD")
    return "".join(vcard_fold(line) + "\r\n" for line in lines)


def contacts_export_vcard(*, contacts, stream: IO[bytes]) -> int:
    """One .vcf file holding a card per contact; returns the cards written."""
    count = 0
    for contact in _contacts(contacts):
        stream.write(vcard(contact).encode("utf-8"))
        count += 1
    return count


Writer = Callable[..., int]
FORMATS: dict[str, tuple[str, str, Writer]] = {
    "csv": ("text/csv; charset=utf-8", "csv", contacts_export_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        contacts_export_xlsx,
    ),
    "vcf": ("text/vcard; charset=utf-8", "vcf", contacts_export_vcard),
}


def segment_export(*, segment: Segment, user: object, file_format: str, stream: IO[bytes]) -> int:
    """Write the contacts of `segment` to `stream` in `file_format` (csv, xlsx, vcf) and log the
    export; staff only (PermissionDenied). Returns the number of contacts written."""
    if not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied
    if file_format not in FORMATS:
        raise ValidationError(_("Unknown export format: “%(format)s”.") % {"format": file_format})
    result = segment_evaluate(segment=segment, user=user)
    count = FORMATS[file_format][2](contacts=result.contacts, stream=stream)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="segment",
        object_id=segment.pk,
        details={"format": file_format, "count": count},
    )
    return count
