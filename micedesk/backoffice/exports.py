"""The directory export as an HTTP download; the file itself is written by micedesk.directory.exports.

This module holds no export logic: the columns, the formula neutralisation and the chunked reading
are in directory.exports, shared with `manage.py export_suppliers`. What stays here is HTTP: the
buffer the file is written to, its name, content type and download headers.
"""

from __future__ import annotations

import tempfile

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone

from micedesk.directory.exports import suppliers_export_csv, suppliers_export_xlsx
from micedesk.directory.models import Supplier

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Small exports stay in memory; a whole national directory spills to a temporary file.
SPOOL_MAX_BYTES = 16 * 1024 * 1024


def export_response(*, queryset: QuerySet[Supplier], file_format: str) -> FileResponse:
    """`queryset` as a CSV or XLSX attachment named after today's date."""
    writer = suppliers_export_csv if file_format == "csv" else suppliers_export_xlsx
    # FileResponse closes the file once it is sent, so no context manager here.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    writer(queryset=queryset, stream=spool)
    spool.seek(0)
    filename = f"suppliers-{timezone.localdate().isoformat()}.{file_format}"
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[file_format]
    )
