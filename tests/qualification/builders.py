"""Builders of the qualification tests (other apps' tests import them too): a grid version with a
few criteria and levels, an evaluation assigned through the services, a published one, and files
to upload as evidence."""

from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from micedesk.accounts.models import User
from micedesk.directory.models import Supplier
from micedesk.qualification import services
from micedesk.qualification.models import (
    Criterion,
    Evaluation,
    Grid,
    GridLevel,
    GridVersion,
    VersionStatus,
)

_numbers = itertools.count(100)

# code -> Criterion fields. A mandatory yes/no, a number, a choice, a measure, a photo to upload.
CRITERIA: dict[str, dict] = {
    "named_contact": {"answer_type": "boolean", "mandatory": True, "weight": 1},
    "wifi_mbps": {
        "answer_type": "number",
        "unit": "Mbit/s",
        "comparison": "gte",
        "target": Decimal("30"),
        "weight": 2,
    },
    "breaks": {
        "answer_type": "choice",
        "choices": [
            {"code": "basic", "label_fr": "Café", "label_en": "Coffee"},
            {"code": "full", "label_fr": "Complète", "label_en": "Full"},
        ],
        "met_choices": ["full"],
        "weight": 1,
    },
    "quote_hours": {
        "answer_type": "measured",
        "measure": "median_first_answer_hours",
        "comparison": "lte",
        "target": Decimal("48"),
        "unit": "h",
        "verifiable": True,
        "weight": 3,
    },
    "daylight": {"answer_type": "boolean", "verifiable": True, "evidence": "photo", "weight": 1},
}

# Answers that meet every criterion one answers (the measure is read by the platform).
ALL_MET = {"named_contact": True, "wifi_mbps": "50", "breaks": "full", "daylight": True}

LEVELS = [(1, True, "0"), (2, True, "50"), (3, True, "80")]


def grid_version(
    kind: str = "venue",
    *,
    status: str = VersionStatus.ACTIVE,
    criteria: dict[str, dict] | None = None,
    levels: list[tuple[int, bool, str]] | None = None,
    validity_months: int = 36,
) -> GridVersion:
    """A version of the kind's grid (created if needed) with its criteria and levels. An active
    version retires the grid's previously active one."""
    grid, _ = Grid.objects.get_or_create(
        kind=kind, defaults={"name_fr": f"Grille {kind}", "name_en": f"{kind} grid"}
    )
    if status == VersionStatus.ACTIVE:
        grid.versions.filter(status=VersionStatus.ACTIVE).update(status=VersionStatus.RETIRED)
    number = (max(grid.versions.values_list("number", flat=True), default=0)) + 1
    version = GridVersion.objects.create(
        grid=grid, number=number, status=status, validity_months=validity_months
    )
    for position, (code, fields) in enumerate((criteria or CRITERIA).items(), start=1):
        Criterion.objects.create(
            version=version,
            code=code,
            position=position,
            section_fr="Section",
            section_en="Section",
            label_fr=f"Critère {code}",
            label_en=f"Criterion {code}",
            **fields,
        )
    for level, requires_mandatory, min_score in levels or LEVELS:
        GridLevel.objects.create(
            version=version,
            level=level,
            requires_mandatory=requires_mandatory,
            min_score=Decimal(min_score),
        )
    return version


def evaluation_assigned(
    *, supplier: Supplier, evaluator: User, staff: User, version: GridVersion | None = None
) -> Evaluation:
    """An evaluation assigned through the service (the kind's active version, built if missing)."""
    if (
        version is None
        and not GridVersion.objects.filter(
            grid__kind=supplier.kind, status=VersionStatus.ACTIVE
        ).exists()
    ):
        grid_version(supplier.kind)
    return services.evaluation_assign(supplier=supplier, evaluator=evaluator, user=staff)


def evaluation_filled(
    evaluation: Evaluation, *, answers: dict[str, object] | None = None
) -> Evaluation:
    """Answer (all met by default) and upload a photo where a photo is asked."""
    evaluator = evaluation.evaluator
    codes = set(evaluation.version.criteria.values_list("code", flat=True))
    values = {code: value for code, value in (answers or ALL_MET).items() if code in codes}
    evaluation = services.evaluation_answers_save(
        evaluation=evaluation, user=evaluator, answers=values
    )
    for criterion in evaluation.version.criteria.exclude(evidence=""):
        if criterion.evidence == "site_visit":
            continue
        services.evidence_add(
            evaluation=evaluation, criterion=criterion, upload=image_upload(), user=evaluator
        )
    return evaluation


def evaluation_published(
    *,
    supplier: Supplier,
    evaluator: User,
    staff: User,
    answers: dict[str, object] | None = None,
) -> Evaluation:
    """An evaluation taken through assign → answers → submit → publish."""
    evaluation = evaluation_assigned(supplier=supplier, evaluator=evaluator, staff=staff)
    evaluation = evaluation_filled(evaluation, answers=answers)
    if evaluation.version.criteria.filter(evidence="site_visit").exists():
        services.evaluation_answers_save(
            evaluation=evaluation,
            user=evaluator,
            answers={},
            visited_on=datetime.date.today() - datetime.timedelta(days=1),
        )
    evaluation = services.evaluation_submit(evaluation=evaluation, user=evaluator)
    return services.evaluation_publish(evaluation=evaluation, user=staff)


def image_bytes(image_format: str = "JPEG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format)
    return buffer.getvalue()


def image_upload(name: str = "photo.jpg", image_format: str = "JPEG") -> SimpleUploadedFile:
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        image_format, "application/octet-stream"
    )
    return SimpleUploadedFile(name, image_bytes(image_format), content_type=content_type)


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
