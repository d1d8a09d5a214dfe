"""Back-office screens of the CRM segments: the list, building and editing one with a live count,
its contacts with the explanation of each rule, its exports and the recording of invitations."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from micedesk.backoffice.crm_segment_forms import FORMS, InviteForm, SegmentForm
from micedesk.backoffice.decorators import staff_required
from micedesk.crm.exports import FORMATS, segment_export
from micedesk.crm.models import AuditAction, Segment, SegmentKind
from micedesk.crm.segments import (
    SegmentResult,
    rules_evaluate,
    segment_create,
    segment_delete,
    segment_evaluate,
    segment_invite,
    segment_update,
)
from micedesk.crm.services import audit_record

PAGE_SIZE = 50
SPOOL_MAX_BYTES = 16 * 1024 * 1024


def _contact_url(pk: int) -> str | None:
    # The contact page belongs to another screen set: the list works without it.
    try:
        return reverse("backoffice:contact", args=[pk])
    except NoReverseMatch:
        return None


def _form_class(kind: str) -> type[SegmentForm]:
    if kind not in FORMS:
        raise Http404
    return FORMS[kind]


@staff_required
@require_safe
def segments(request: HttpRequest) -> HttpResponse:
    items = Segment.objects.select_related("created_by").order_by("name")
    return render(
        request, "backoffice/crm_segments.html", {"segments": items, "kinds": SegmentKind}
    )


def _render_form(request: HttpRequest, form: SegmentForm, segment: Segment | None) -> HttpResponse:
    context = {"form": form, "segment": segment, "kind": form.kind, "kinds": SegmentKind}
    return render(request, "backoffice/crm_segment_form.html", context)


@staff_required
def segment_new(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or SegmentKind.CUSTOM
    form_class = _form_class(kind)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            segment = segment_create(
                name=form.cleaned_data["name"], kind=kind, rules=form.rules, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The segment is saved."))
            return redirect("backoffice:segment", pk=segment.pk)
    return _render_form(request, form, None)


@staff_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    form_class = _form_class(segment.kind)
    initial = {"name": segment.name, **form_class.initial_from(segment.rules)}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            segment_update(
                segment=segment, name=form.cleaned_data["name"], rules=form.rules, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The segment is saved."))
            return redirect("backoffice:segment", pk=segment.pk)
    return _render_form(request, form, segment)


@staff_required
@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """The count and explanation of the rules being edited (htmx fragment)."""
    form = _form_class(request.POST.get("kind", ""))(request.POST)
    # The count comes before the name: an unnamed draft is previewed all the same.
    form.fields["name"].required = False
    result = None
    if form.is_valid():
        result = rules_evaluate(kind=form.kind, rules=form.rules, user=request.user)
    return render(
        request, "backoffice/crm_segment_fragment_preview.html", {"form": form, "result": result}
    )


def _page(request: HttpRequest, result: SegmentResult) -> Page:
    page = Paginator(result.contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    page.rows = [(contact, _contact_url(contact.pk)) for contact in page.object_list]
    return page


@staff_required
@require_safe
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    context: dict[str, object] = {"segment": segment, "formats": list(FORMATS)}
    try:
        result = segment_evaluate(segment=segment, user=request.user)
    except ValidationError as error:
        # A topic or workshop was deleted since: say so and offer to edit.
        context["rules_error"] = error.messages
        return render(request, "backoffice/crm_segment_detail.html", context)
    page = _page(request, result)
    # The list shows names and addresses: who saw it goes in the audit log.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="segment",
        object_id=segment.pk,
        details={"count": result.count, "page": page.number},
    )
    context.update(result=result, page=page)
    if segment.kind == SegmentKind.WORKSHOP_INVITATION:
        workshop = segment.rules.get("workshop")
        context["invite_form"] = InviteForm(initial={"action": workshop})
    return render(request, "backoffice/crm_segment_detail.html", context)


@staff_required
@require_safe
def segment_download(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    if file_format not in FORMATS:
        raise Http404
    # FileResponse closes the file once it is sent, so no context manager here.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    try:
        segment_export(segment=segment, user=request.user, file_format=file_format, stream=spool)
    except ValidationError as error:
        spool.close()
        messages.error(request, " ".join(error.messages))
        return redirect("backoffice:segment", pk=segment.pk)
    spool.seek(0)
    content_type, extension, _writer = FORMATS[file_format]
    name = slugify(segment.name) or "segment"
    filename = f"{name}-{timezone.localdate().isoformat()}.{extension}"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=content_type)


@staff_required
@require_POST
def segment_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the workshop the invitations are for."))
        return redirect("backoffice:segment", pk=segment.pk)
    try:
        added = segment_invite(
            segment=segment, action=form.cleaned_data["action"], user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)s invitation recorded.", "%(count)s invitations recorded.", added)
            % {"count": added},
        )
    return redirect("backoffice:segment", pk=segment.pk)


@staff_required
@require_POST
def segment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment, pk=pk)
    segment_delete(segment=segment, user=request.user)
    messages.success(request, _("The segment is deleted; no contact was changed."))
    return redirect("backoffice:segments")
