"""Back-office screens of the contact import (upload, mapping, preview, report) and of the quality
of the base (completeness, suspected duplicates, contacts without origin or first touch)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_safe

from micedesk.backoffice.crm_import_forms import MappingForm, RulesForm, UploadForm
from micedesk.backoffice.decorators import staff_required
from micedesk.crm.imports import (
    DUPLICATE,
    MAPPING_PREVIEW_ROWS,
    NEW,
    POSSIBLE,
    REFUSED,
    ImportAborted,
    ImportFileError,
    import_batch_create,
    import_batch_run,
    import_batches_for,
    import_file_open,
    import_mapping_save,
    import_preview,
    import_rejects_csv,
)
from micedesk.crm.models import ImportBatch, ImportStatus
from micedesk.crm.selectors import NO_ORIGIN, contacts_for, quality_report

BATCHES_PER_PAGE = 25
REFUSED_SHOWN = 200
WORK_LIST_PER_PAGE = 50
CSV_TYPE = "text/csv; charset=utf-8"


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(import_batches_for(user=request.user), pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, texts in error.message_dict.items():
        name = f"column_{key}"
        form.add_error(name if name in form.fields else None, texts)


@staff_required
@require_safe
def imports(request: HttpRequest) -> HttpResponse:
    page = Paginator(import_batches_for(user=request.user), BATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "backoffice/crm_import_list.html", {"page": page})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_batch_create(
                upload=form.cleaned_data["file"],
                user=request.user,
                source_action=form.cleaned_data["source_action"],
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("backoffice:crm_import_mapping", pk=batch.pk)
    status = 400 if form.errors else 200
    return render(request, "backoffice/crm_import_new.html", {"form": form}, status=status)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status in (ImportStatus.IMPORTED, ImportStatus.FAILED):
        return redirect("backoffice:crm_import", pk=batch.pk)
    form = MappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            import_mapping_save(batch=batch, mapping=form.mapping(), user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("backoffice:crm_import_preview", pk=batch.pk)
    preview = import_preview(
        batch=batch,
        mapping=form.mapping() if form.is_bound else batch.mapping,
        limit=MAPPING_PREVIEW_ROWS,
        whole_file=False,
    )
    context = {"batch": batch, "form": form, "preview": preview}
    status = 400 if form.errors else 200
    return render(request, "backoffice/crm_import_mapping.html", context, status=status)


@staff_required
@require_safe
def import_mapping_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The first lines read with the mapping being chosen (htmx, on each change of a select)."""
    batch = _batch(request, pk)
    form = MappingForm(request.GET, batch=batch)
    form.is_valid()
    preview = import_preview(
        batch=batch, mapping=form.mapping(), limit=MAPPING_PREVIEW_ROWS, whole_file=False
    )
    return render(
        request, "backoffice/crm_import_fragment_rows.html", {"preview": preview, "batch": batch}
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status in (ImportStatus.IMPORTED, ImportStatus.FAILED):
        return redirect("backoffice:crm_import", pk=batch.pk)
    if batch.status != ImportStatus.MAPPED:
        return redirect("backoffice:crm_import_mapping", pk=batch.pk)
    preview = import_preview(batch=batch)
    deciding = [row for row in [*preview.rows, *preview.decisions] if row.choices]
    form = RulesForm(request.POST or None, rows=deciding, initial=batch.rules)
    if request.method == "POST" and form.is_valid():
        try:
            import_batch_run(batch=batch, user=request.user, rules=form.rules())
        except ImportAborted as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("backoffice:crm_import", pk=batch.pk)
    context = {
        "batch": batch,
        "preview": preview,
        "form": form,
        "rows": [(row, form.line_field(row) if row.choices else None) for row in preview.rows],
        "decisions": [(row, form.line_field(row)) for row in preview.decisions],
        "counts": {key: preview.counts[key] for key in (NEW, DUPLICATE, POSSIBLE, REFUSED)},
    }
    status = 400 if form.errors else 200
    return render(request, "backoffice/crm_import_preview.html", context, status=status)


@staff_required
@require_safe
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    refused = batch.report.get("refused", [])
    context = {
        "batch": batch,
        "refused": refused[:REFUSED_SHOWN],
        "refused_more": max(len(refused) - REFUSED_SHOWN, 0),
        "skipped": batch.report.get("skipped", 0),
        "error": batch.report.get("error", ""),
    }
    return render(request, "backoffice/crm_import_report.html", context)


@staff_required
@require_safe
def import_rejects(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    import_rejects_csv(batch=batch, stream=spool, user=request.user)
    spool.seek(0)
    filename = f"import-{batch.pk}-refused.csv"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=CSV_TYPE)


@staff_required
@require_safe
def import_file(request: HttpRequest, pk: int) -> FileResponse:
    batch = _batch(request, pk)
    handle = import_file_open(batch=batch, user=request.user)
    return FileResponse(handle, as_attachment=True, filename=batch.original_name)


def _merge_url(pair) -> str:
    """The merge screen for a pair, or nothing when that screen is not installed."""
    try:
        return f"{reverse('backoffice:contact_merge', args=[pair.a.pk])}?other={pair.b.pk}"
    except NoReverseMatch:
        return ""


@staff_required
@require_safe
def quality(request: HttpRequest) -> HttpResponse:
    report = quality_report(user=request.user)
    to_fix = (
        contacts_for(user=request.user)
        .filter(anonymised_at__isnull=True)
        .filter(NO_ORIGIN | Q(source_action__isnull=True))
        .order_by("created_at", "pk")
    )
    page = Paginator(to_fix, WORK_LIST_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "report": report,
        "duplicates": [(pair, _merge_url(pair)) for pair in report.duplicates],
        "page": page,
    }
    return render(request, "backoffice/crm_quality.html", context)
