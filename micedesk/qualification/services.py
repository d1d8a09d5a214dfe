"""Writes on the qualification grids and evaluations: revise a grid, assign, answer, submit, review,
publish, contest, expire. Each step of an evaluation leaves an EvaluationEvent row.

Refusals: PermissionDenied when the acting user has not the role for the step (not staff, not the
assigned evaluator, not a member of the supplier); ValidationError, with a message saying why, when
the step is refused for what it is (wrong state, outside the territory, bad value or file).
"""

from __future__ import annotations

import calendar
import datetime
import io
import uuid
import warnings
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from micedesk.accounts.models import Role, User
from micedesk.directory.models import Supplier
from micedesk.directory.services import supplier_qualification_set
from micedesk.directory.vocab import QualificationLevel
from micedesk.geo.models import Partner
from micedesk.qualification.grading import CriterionSpec, Grade, LevelSpec, grade
from micedesk.qualification.measures import MEASURES, measure_read
from micedesk.qualification.models import (
    OPEN_EVALUATION_STATUSES,
    Answer,
    AnswerType,
    Contest,
    Criterion,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    Evidence,
    EvidenceFile,
    Grid,
    GridLevel,
    GridVersion,
    VersionStatus,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

DEFAULT_DUE_DAYS = 60
EDITABLE_STATUSES = (EvaluationStatus.ASSIGNED, EvaluationStatus.DRAFT, EvaluationStatus.RETURNED)
EVIDENCE_MAX_EDGE = 2400
EVIDENCE_MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
PDF_MAGIC = b"%PDF-"
# The fields of a criterion that, when unchanged, let an answer be carried over to a new version.
CARRY_OVER_FIELDS = ("answer_type", "choices", "comparison", "target", "unit")
CRITERION_FIELDS = (
    "code",
    "position",
    "section_fr",
    "section_en",
    "label_fr",
    "label_en",
    "help_fr",
    "help_en",
    "answer_type",
    "unit",
    "choices",
    "met_choices",
    "comparison",
    "target",
    "measure",
    "mandatory",
    "verifiable",
    "evidence",
    "weight",
)
TRUE_WORDS = {"1", "true", "yes", "on", "oui", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "non", "n"}


# ----------------------------------------------------------------------------- helpers


def _today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _require_staff(user: User | None) -> None:
    if user is None or not user.is_authenticated or not user.is_bureau_staff:
        raise PermissionDenied(_("Only bureau staff may do this."))


def _require_evaluator(evaluation: Evaluation, user: User | None) -> None:
    """The assigned evaluator, still a member of a partner covering the supplier's commune."""
    if (
        user is None
        or not user.is_authenticated
        or evaluation.evaluator_id != user.pk
        or evaluator_partner(supplier=evaluation.supplier, evaluator=user) is None
    ):
        raise PermissionDenied(_("Only the evaluator assigned to this evaluation may change it."))


def _require_editable(evaluation: Evaluation) -> None:
    if evaluation.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This evaluation is %(status)s: it can no longer be changed."),
            code="evaluation_not_editable",
            params={"status": evaluation.get_status_display()},
        )


def _require_status(evaluation: Evaluation, *statuses: str) -> None:
    if evaluation.status not in statuses:
        raise ValidationError(
            _("This evaluation is %(status)s: this step is not possible now."),
            code="evaluation_wrong_status",
            params={"status": evaluation.get_status_display()},
        )


def _require_draft(version: GridVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s: only a draft version can be changed."),
            code="version_not_draft",
            params={"number": version.number, "status": version.get_status_display()},
        )


def _event(evaluation: Evaluation, actor: User | None, event: str, **details: object) -> None:
    EvaluationEvent.objects.create(
        evaluation=evaluation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        event=event,
        details=details,
    )


def _locked(evaluation: Evaluation) -> Evaluation:
    """The evaluation re-read under a row lock: its state is checked on the fresh row."""
    return (
        Evaluation.objects.select_for_update()
        .select_related("version__grid", "supplier")
        .get(pk=evaluation.pk)
    )


# ----------------------------------------------------------------------------- grids


def grids_load_defaults(*, progress: bool = False) -> int:
    """Create the default grid of each kind with an active version 1. A kind whose grid already
    has a version is left alone. Returns the number of grids created or completed."""
    from micedesk.qualification.defaults import DEFAULT_GRIDS

    items = DEFAULT_GRIDS
    if progress:
        from tqdm import tqdm

        items = tqdm(DEFAULT_GRIDS, desc="grids", unit="grid")
    return sum(1 for data in items if _grid_load(data))


@transaction.atomic
def _grid_load(data: dict) -> bool:
    grid, _created = Grid.objects.get_or_create(
        kind=data["kind"], defaults={"name_fr": data["name_fr"], "name_en": data["name_en"]}
    )
    if grid.versions.exists():
        return False
    version = GridVersion.objects.create(
        grid=grid,
        number=1,
        notes=data.get("notes", ""),
        status=VersionStatus.ACTIVE,
        activated_at=timezone.now(),
    )
    criteria = [
        Criterion(version=version, position=position, **fields)
        for position, fields in enumerate(data["criteria"], start=1)
    ]
    for criterion in criteria:
        criterion.full_clean(exclude=["version"])
        _check_criterion_rules(criterion, grid)
    Criterion.objects.bulk_create(criteria)
    GridLevel.objects.bulk_create(GridLevel(version=version, **level) for level in data["levels"])
    return True


@transaction.atomic
def grid_version_draft_create(
    *, grid: Grid, user: User, based_on: GridVersion | None = None
) -> GridVersion:
    """A new draft version, copying the criteria and levels of `based_on` (default: the active
    version, or the latest one)."""
    _require_staff(user)
    Grid.objects.select_for_update().get(pk=grid.pk)  # two drafts at once get distinct numbers
    source = based_on or _version_to_copy(grid)
    if source is not None and source.grid_id != grid.pk:
        raise ValidationError(_("That version belongs to another grid."), code="other_grid")
    number = (grid.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    draft = GridVersion(
        grid=grid,
        number=number,
        created_by=user,
        based_on=source,
        validity_months=source.validity_months if source else 36,
    )
    draft.full_clean()
    draft.save()
    if source is not None:
        Criterion.objects.bulk_create(
            Criterion(version=draft, **{f: getattr(c, f) for f in CRITERION_FIELDS})
            for c in source.criteria.all()
        )
        GridLevel.objects.bulk_create(
            GridLevel(
                version=draft,
                level=lv.level,
                requires_mandatory=lv.requires_mandatory,
                min_score=lv.min_score,
            )
            for lv in source.levels.all()
        )
    return draft


def _version_to_copy(grid: Grid) -> GridVersion | None:
    return (
        grid.versions.filter(status=VersionStatus.ACTIVE).first()
        or grid.versions.order_by("-number").first()
    )


@transaction.atomic
def criterion_save(
    *, version: GridVersion, user: User, data: dict, criterion: Criterion | None = None
) -> Criterion:
    """Create (or, with `criterion`, change) a criterion of a draft version from `data` (field
    names of Criterion). Raises ValidationError keyed by field."""
    _require_staff(user)
    version = GridVersion.objects.select_for_update().select_related("grid").get(pk=version.pk)
    _require_draft(version)
    if criterion is None:
        criterion = Criterion(version=version)
        last = version.criteria.aggregate(last=Max("position"))["last"] or 0
        criterion.position = last + 1
    elif criterion.version_id != version.pk:
        raise ValidationError(_("This criterion belongs to another version."), code="other_version")
    unknown = set(data) - set(CRITERION_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s."), params={"fields": ", ".join(sorted(unknown))}
        )
    for name, value in data.items():
        setattr(criterion, name, value)
    criterion.full_clean()
    _check_criterion_rules(criterion, version.grid)
    criterion.save()
    return criterion


def _check_criterion_rules(criterion: Criterion, grid: Grid) -> None:
    """What the field types alone do not say: a number needs a target, a choice its choices..."""
    errors: dict[str, str] = {}
    kind = criterion.answer_type
    if kind in (AnswerType.NUMBER, AnswerType.MEASURED):
        if not criterion.comparison:
            errors["comparison"] = _(
                "Say whether the value must be at least or at most the target."
            )
        if criterion.target is None:
            errors["target"] = _("A number or a measure needs a target.")
    if kind == AnswerType.MEASURED:
        measure = MEASURES.get(criterion.measure)
        if measure is None:
            errors["measure"] = _("Choose one of the platform's measures.")
        elif grid.kind not in measure.kinds:
            errors["measure"] = _("This measure does not apply to this kind of supplier.")
    elif criterion.measure:
        errors["measure"] = _("Only a measured criterion reads a measure.")
    if kind == AnswerType.CHOICE:
        errors.update(_choice_errors(criterion))
    if criterion.evidence and not criterion.verifiable:
        errors["evidence"] = _("Only a verifiable criterion asks for evidence.")
    if criterion.verifiable and not criterion.evidence and kind != AnswerType.MEASURED:
        errors["evidence"] = _("Say which evidence verifies this criterion.")
    if errors:
        raise ValidationError(errors)


def _choice_errors(criterion: Criterion) -> dict[str, str]:
    choices = criterion.choices
    if not isinstance(choices, list) or len(choices) < 2:
        return {"choices": _("A choice needs at least two options.")}
    codes = [c.get("code") if isinstance(c, dict) else None for c in choices]
    if not all(codes) or len(set(codes)) != len(codes):
        return {"choices": _("Each option needs its own code.")}
    met = criterion.met_choices
    if not isinstance(met, list) or not met or not set(met) <= set(codes):
        return {"met_choices": _("Say which of the options meet the criterion.")}
    return {}


@transaction.atomic
def criterion_delete(*, criterion: Criterion, user: User) -> None:
    _require_staff(user)
    version = GridVersion.objects.select_for_update().get(pk=criterion.version_id)
    _require_draft(version)
    criterion.delete()


@transaction.atomic
def grid_level_save(
    *,
    version: GridVersion,
    user: User,
    level: int,
    min_score: Decimal | str | int,
    requires_mandatory: bool,
) -> GridLevel:
    _require_staff(user)
    version = GridVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    row = version.levels.filter(level=level).first() or GridLevel(version=version, level=level)
    try:
        row.min_score = Decimal(str(min_score))
    except (InvalidOperation, ValueError):
        raise ValidationError({"min_score": _("Give the minimum score as a number.")}) from None
    row.requires_mandatory = bool(requires_mandatory)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def grid_version_activate(*, version: GridVersion, user: User) -> GridVersion:
    """Draft → active; the previously active version is retired. Published evaluations keep
    their version and level until the supplier is evaluated again."""
    _require_staff(user)
    Grid.objects.select_for_update().get(pk=version.grid_id)
    version = GridVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    if not version.criteria.exists():
        raise ValidationError(_("A version without criteria cannot be activated."), code="empty")
    if not version.levels.exists():
        raise ValidationError(_("A version without levels cannot be activated."), code="no_levels")
    now = timezone.now()
    GridVersion.objects.filter(grid_id=version.grid_id, status=VersionStatus.ACTIVE).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    version.status, version.activated_at = VersionStatus.ACTIVE, now
    version.save(update_fields=["status", "activated_at"])
    return version


# ----------------------------------------------------------------------------- evaluations


def evaluator_partner(*, supplier: Supplier, evaluator: User) -> Partner | None:
    """The partner through which `evaluator` covers the supplier's commune, if any."""
    if not evaluator.is_partner_member:
        return None
    return (
        Partner.objects.filter(members=evaluator, communes=supplier.commune_id)
        .order_by("name")
        .first()
    )


@transaction.atomic
def evaluation_assign(
    *,
    supplier: Supplier,
    evaluator: User,
    user: User,
    due_on: datetime.date | None = None,
) -> Evaluation:
    """Assign the supplier to an evaluator of its territory, against the active version of its
    kind's grid; answers of its last published evaluation carry over for unchanged criteria."""
    _require_staff(user)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    partner = evaluator_partner(supplier=supplier, evaluator=evaluator)
    if partner is None:
        message = _("%(evaluator)s is not a member of a partner covering %(commune)s.") % {
            "evaluator": evaluator,
            "commune": supplier.commune,
        }
        raise ValidationError({"evaluator": message}, code="outside_territory")
    version = GridVersion.objects.filter(
        grid__kind=supplier.kind, status=VersionStatus.ACTIVE
    ).first()
    if version is None:
        raise ValidationError(
            _("There is no active grid for this kind of supplier."), code="no_grid"
        )
    if supplier.evaluations.filter(status__in=OPEN_EVALUATION_STATUSES).exists():
        raise ValidationError(
            _("This supplier already has an evaluation in progress."), code="already_open"
        )
    if due_on is not None and due_on < _today():
        raise ValidationError({"due_on": _("The due date is in the past.")})
    previous = _last_published(supplier)
    evaluation = Evaluation(
        supplier=supplier,
        version=version,
        partner=partner,
        evaluator=evaluator,
        assigned_by=user,
        due_on=due_on or _today() + datetime.timedelta(days=DEFAULT_DUE_DAYS),
        carried_from=previous,
    )
    evaluation.full_clean()
    evaluation.save()
    carried = _answers_carry_over(evaluation, previous) if previous else 0
    _event(
        evaluation, user, "assigned", evaluator=evaluator.pk, partner=partner.pk, carried=carried
    )
    return evaluation


def _last_published(supplier: Supplier) -> Evaluation | None:
    return (
        supplier.evaluations.filter(status=EvaluationStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )


def _same_question(old: Criterion, new: Criterion) -> bool:
    return all(getattr(old, f) == getattr(new, f) for f in CARRY_OVER_FIELDS)


def _answers_carry_over(evaluation: Evaluation, previous: Evaluation) -> int:
    """Copy the previous answers (not the evidence) for criteria that did not change."""
    new_by_code = {c.code: c for c in evaluation.version.criteria.all()}
    copies = []
    for answer in previous.answers.select_related("criterion"):
        new = new_by_code.get(answer.criterion.code)
        if new is None or new.answer_type == AnswerType.MEASURED:
            continue  # measures are read again at submission
        if not _same_question(answer.criterion, new):
            continue
        copies.append(
            Answer(
                evaluation=evaluation,
                criterion=new,
                value_boolean=answer.value_boolean,
                value_number=answer.value_number,
                value_choice=answer.value_choice,
                comment=answer.comment,
                carried_over=True,
            )
        )
    Answer.objects.bulk_create(copies)
    return len(copies)


def answer_value_parse(criterion: Criterion, raw: object) -> tuple[str, object]:
    """The Answer field and the value for `raw`; None for an empty value. ValidationError if bad."""
    kind = criterion.answer_type
    if kind == AnswerType.MEASURED:
        raise ValidationError(_("This criterion is measured by the platform; it takes no answer."))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ("value_choice", "") if kind == AnswerType.CHOICE else ("value_" + kind, None)
    if kind == AnswerType.BOOLEAN:
        return "value_boolean", _parse_boolean(raw)
    if kind == AnswerType.NUMBER:
        return "value_number", _parse_number(raw)
    codes = [c.get("code") for c in criterion.choices if isinstance(c, dict)]
    if str(raw) not in codes:
        raise ValidationError(_("Choose one of the options offered."))
    return "value_choice", str(raw)


def _parse_boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(_("Answer yes or no."))


def _parse_number(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise ValidationError(_("Give a number."))
    try:
        number = Decimal(str(raw).strip().replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Give a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Give a number."))
    if number < 0:
        raise ValidationError(_("Give a number that is zero or more."))
    if number >= Decimal("1e10"):
        raise ValidationError(_("This number is too large."))
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def evaluation_answers_save(
    *,
    evaluation: Evaluation,
    user: User,
    answers: dict[str, object],
    comments: dict[str, str] | None = None,
    comment: str | None = None,
    visited_on: datetime.date | None = None,
) -> Evaluation:
    """Save a draft of answers (by criterion code) and comments. Every value is checked before
    anything is written: errors come back as a ValidationError keyed by criterion code."""
    evaluation = _locked(evaluation)
    _require_evaluator(evaluation, user)
    _require_editable(evaluation)
    criteria = {c.code: c for c in evaluation.version.criteria.all()}
    comments = comments or {}
    parsed, errors = {}, {}
    for code in set(answers) | set(comments):
        if code not in criteria:
            errors[code] = _("This criterion is not in the grid of this evaluation.")
            continue
        if code in answers:
            try:
                parsed[code] = answer_value_parse(criteria[code], answers[code])
            except ValidationError as error:
                errors[code] = error.messages[0]
    if visited_on is not None and visited_on > _today():
        errors["visited_on"] = _("The site visit cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    existing = {a.criterion.code: a for a in evaluation.answers.select_related("criterion")}
    for code in set(parsed) | set(comments):
        answer = existing.get(code) or Answer(evaluation=evaluation, criterion=criteria[code])
        if code in parsed:
            field, value = parsed[code]
            if getattr(answer, field) != value:
                answer.carried_over = False
            setattr(answer, field, value)
        if code in comments:
            answer.comment = str(comments[code]).strip()
        answer.full_clean(validate_unique=False, validate_constraints=False)
        answer.save()
    if comment is not None:
        evaluation.comment = comment.strip()
    if visited_on is not None:
        evaluation.visited_on = visited_on
    evaluation.status = EvaluationStatus.DRAFT
    evaluation.save(update_fields=["comment", "visited_on", "status"])
    _event(evaluation, user, "saved", answers=len(parsed), comments=len(comments))
    return evaluation


def _evidence_kinds_accepted(evidence: str) -> tuple[str, ...]:
    """What content a criterion's evidence accepts: 'image', 'pdf'."""
    if evidence == Evidence.PHOTO:
        return ("image",)
    return ("pdf", "image")


@transaction.atomic
def evidence_add(
    *, evaluation: Evaluation, criterion: Criterion, upload: UploadedFile, user: User
) -> EvidenceFile:
    """Store a photo or document for a criterion. The type is read from the content, never from
    the name; an image is stored re-encoded (metadata dropped). ValidationError keyed by `file`."""
    evaluation = _locked(evaluation)
    _require_evaluator(evaluation, user)
    _require_editable(evaluation)
    if criterion.version_id != evaluation.version_id:
        raise ValidationError(_("This criterion is not in the grid of this evaluation."))
    if not criterion.evidence:
        raise ValidationError({"file": _("This criterion asks for no evidence.")})
    content, content_type, extension = _evidence_content(upload, criterion.evidence)
    evidence = EvidenceFile(
        evaluation=evaluation,
        criterion=criterion,
        kind=criterion.evidence,
        original_name=(upload.name or "")[-255:] or f"evidence.{extension}",
        content_type=content_type,
        size=len(content),
        uploaded_by=user,
    )
    evidence.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    try:
        evidence.full_clean()
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    _event(evaluation, user, "evidence_added", criterion=criterion.code, evidence=evidence.pk)
    return evidence


def _evidence_content(upload: UploadedFile, evidence: str) -> tuple[bytes, str, str]:
    """(bytes to store, content type, extension) or a ValidationError keyed by `file`."""
    limit = settings.QUALIFICATION_EVIDENCE_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": _too_big(limit)})
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": _too_big(limit)})
    if not data:
        raise ValidationError({"file": _("This file is empty.")})
    accepted = _evidence_kinds_accepted(evidence)
    if data.startswith(PDF_MAGIC):
        if "pdf" not in accepted:
            raise ValidationError(
                {
                    "file": _(
                        "This file is a PDF document; this criterion needs a photo (JPEG, PNG or WebP)."
                    )
                }
            )
        return data, "application/pdf", "pdf"
    try:
        return _image_reencoded(data)
    except ValidationError as error:
        if "pdf" in accepted and error.code == "not_image":
            message = _("This file is neither a PDF document nor a JPEG, PNG or WebP picture.")
        else:
            message = error.messages[0]
        raise ValidationError({"file": message}) from None


def _too_big(limit: int) -> str:
    if limit >= 1024 * 1024:
        return _("This file is too big: at most %(size)s MB are accepted.") % {
            "size": round(limit / 1024 / 1024, 1)
        }
    return _("This file is too big: at most %(size)s kB are accepted.") % {
        "size": round(limit / 1024, 1)
    }


def _image_reencoded(data: bytes) -> tuple[bytes, str, str]:
    """Decode the picture and write it anew (EXIF and its GPS position dropped)."""
    not_image = ValidationError(
        _("This file is not a readable JPEG, PNG or WebP picture."), code="not_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
                image_format = probe.format
                width, height = probe.size
            if image_format not in IMAGE_FORMATS:
                raise not_image
            if width * height > EVIDENCE_MAX_PIXELS:
                raise ValidationError(_("This picture has too many pixels."))
            picture = Image.open(io.BytesIO(data))
            picture.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(_("This picture has too many pixels.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_image from None
    picture = ImageOps.exif_transpose(picture)
    picture.thumbnail((EVIDENCE_MAX_EDGE, EVIDENCE_MAX_EDGE))
    if image_format == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": 85} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    picture.save(buffer, format=image_format, **options)
    extension, content_type = IMAGE_FORMATS[image_format]
    return buffer.getvalue(), content_type, extension


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile, user: User) -> None:
    """Delete the evidence row, then its file once the deletion is committed."""
    evaluation = _locked(evidence.evaluation)
    _require_evaluator(evaluation, user)
    _require_editable(evaluation)
    storage, name, code = evidence.file.storage, evidence.file.name, evidence.criterion.code
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _event(evaluation, user, "evidence_deleted", criterion=code)


def evaluation_missing(*, evaluation: Evaluation) -> list[str]:
    """What still stops the submission, in words: unanswered criteria, missing evidence."""
    answers = {a.criterion_id: a for a in evaluation.answers.all()}
    evidence = set(evaluation.evidence_files.values_list("criterion_id", flat=True))
    missing = []
    for criterion in evaluation.version.criteria.all():
        if criterion.answer_type == AnswerType.MEASURED:
            continue
        answer = answers.get(criterion.pk)
        if answer is None or _answer_value(criterion, answer) is None:
            missing.append(_("%(label)s: not answered") % {"label": criterion.label})
            continue
        if not criterion.verifiable or not criterion.evidence:
            continue
        if criterion.evidence == Evidence.SITE_VISIT:
            if criterion.pk not in evidence and evaluation.visited_on is None:
                missing.append(
                    _("%(label)s: needs the date of the site visit or a photo")
                    % {"label": criterion.label}
                )
        elif criterion.pk not in evidence:
            missing.append(_("%(label)s: evidence missing") % {"label": criterion.label})
    return missing


def _answer_value(criterion: Criterion, answer: Answer | None) -> object:
    if answer is None:
        return None
    if criterion.answer_type == AnswerType.BOOLEAN:
        return answer.value_boolean
    if criterion.answer_type == AnswerType.NUMBER:
        return answer.value_number
    if criterion.answer_type == AnswerType.CHOICE:
        return answer.value_choice or None
    return answer.measured_value


def choice_label(choice: dict) -> str:
    """An option of a choice criterion in the active language (French by default)."""
    french, english = choice.get("label_fr", ""), choice.get("label_en", "")
    label = (english or french) if translation.get_language() == "en" else (french or english)
    return label or choice.get("code", "")


def criterion_spec(criterion: Criterion) -> CriterionSpec:
    return CriterionSpec(
        code=criterion.code,
        label=criterion.label,
        section=criterion.section,
        answer_type=criterion.answer_type,
        mandatory=criterion.mandatory,
        weight=criterion.weight,
        comparison=criterion.comparison,
        target=criterion.target,
        met_choices=tuple(criterion.met_choices or ()),
        unit=criterion.unit,
        choice_labels=tuple(
            (c.get("code", ""), choice_label(c))
            for c in criterion.choices or ()
            if isinstance(c, dict)
        ),
    )


def level_specs(version: GridVersion) -> list[LevelSpec]:
    return [
        LevelSpec(level=lv.level, requires_mandatory=lv.requires_mandatory, min_score=lv.min_score)
        for lv in version.levels.all()
    ]


def _measures_read(evaluation: Evaluation) -> None:
    """Read every measured criterion now and keep the value and its source on the answer."""
    for criterion in evaluation.version.criteria.filter(answer_type=AnswerType.MEASURED):
        measured = measure_read(code=criterion.measure, supplier=evaluation.supplier)
        Answer.objects.update_or_create(
            evaluation=evaluation,
            criterion=criterion,
            defaults={"measured_value": measured.value, "measured_details": measured.details},
        )


def evaluation_grade(*, evaluation: Evaluation) -> Grade:
    """The grade of the evaluation's stored answers; measures as stored at submission, or read
    now while the evaluator is still at work (a preview: nothing is written)."""
    criteria = list(evaluation.version.criteria.all())
    answers = {a.criterion_id: a for a in evaluation.answers.all()}
    values = {c.code: _answer_value(c, answers.get(c.pk)) for c in criteria}
    if evaluation.status in EDITABLE_STATUSES:
        for criterion in criteria:
            if criterion.answer_type == AnswerType.MEASURED:
                measured = measure_read(code=criterion.measure, supplier=evaluation.supplier)
                values[criterion.code] = measured.value
    return grade(
        criteria=[criterion_spec(c) for c in criteria],
        values=values,
        levels=level_specs(evaluation.version),
    )


def _result_store(evaluation: Evaluation) -> Grade:
    _measures_read(evaluation)
    result = evaluation_grade(evaluation=evaluation)
    evaluation.score, evaluation.level = result.score, result.level
    evaluation.result = result.as_json()
    return result


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, user: User) -> Evaluation:
    evaluation = _locked(evaluation)
    _require_evaluator(evaluation, user)
    _require_editable(evaluation)
    missing = evaluation_missing(evaluation=evaluation)
    if missing:
        raise ValidationError(
            _("The evaluation cannot be submitted yet: %(missing)s."),
            code="incomplete",
            params={"missing": "; ".join(missing)},
        )
    result = _result_store(evaluation)
    evaluation.status, evaluation.submitted_at = EvaluationStatus.SUBMITTED, timezone.now()
    evaluation.save()
    _event(evaluation, user, "submitted", score=str(result.score), level=result.level)
    return evaluation


@transaction.atomic
def evaluation_return(*, evaluation: Evaluation, user: User, comment: str) -> Evaluation:
    _require_staff(user)
    evaluation = _locked(evaluation)
    _require_status(evaluation, EvaluationStatus.SUBMITTED)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what the evaluator should change.")})
    evaluation.status = EvaluationStatus.RETURNED
    evaluation.review_comment = comment.strip()
    evaluation.reviewed_by, evaluation.reviewed_at = user, timezone.now()
    evaluation.save()
    _event(evaluation, user, "returned", comment=evaluation.review_comment)
    return evaluation


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, user: User, comment: str = "") -> Evaluation:
    """Submitted → published: measures read again, level computed and written onto the listing
    for the version's validity; the supplier's earlier evaluations stay in its history."""
    _require_staff(user)
    evaluation = _locked(evaluation)
    _require_status(evaluation, EvaluationStatus.SUBMITTED)
    result = _result_store(evaluation)
    now = timezone.now()
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.reviewed_by, evaluation.reviewed_at, evaluation.published_at = user, now, now
    evaluation.review_comment = (comment or "").strip()
    evaluation.valid_until = add_months(_today(), evaluation.version.validity_months)
    evaluation.expiry_reminded_at = None
    evaluation.save()
    supplier_qualification_set(
        supplier=evaluation.supplier, level=result.level, valid_until=evaluation.valid_until
    )
    _event(evaluation, user, "published", score=str(result.score), level=result.level)
    return evaluation


@transaction.atomic
def evaluation_cancel(*, evaluation: Evaluation, user: User) -> Evaluation:
    _require_staff(user)
    evaluation = _locked(evaluation)
    _require_status(evaluation, *OPEN_EVALUATION_STATUSES)
    evaluation.status = EvaluationStatus.CANCELLED
    evaluation.save(update_fields=["status"])
    _event(evaluation, user, "cancelled")
    return evaluation


@transaction.atomic
def evaluation_contest(*, evaluation: Evaluation, user: User, comment: str) -> Contest:
    """A member of the supplier disputes its published evaluation, with a comment."""
    evaluation = _locked(evaluation)
    if not (
        user.is_authenticated
        and user.is_supplier_member
        and evaluation.supplier.members.filter(pk=user.pk).exists()
    ):
        raise PermissionDenied(_("Only a member of this supplier may contest its evaluation."))
    _require_status(evaluation, EvaluationStatus.PUBLISHED)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why you contest this evaluation.")})
    if evaluation.contests.filter(resolved_at=None).exists():
        raise ValidationError(
            _("A contest of this evaluation is already waiting for the bureau's answer."),
            code="contest_open",
        )
    contest = Contest(evaluation=evaluation, author=user, comment=comment.strip())
    contest.full_clean()
    contest.save()
    _event(evaluation, user, "contested", contest=contest.pk)
    return contest


@transaction.atomic
def contest_resolve(*, contest: Contest, user: User, response: str) -> Contest:
    _require_staff(user)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.resolved_at is not None:
        raise ValidationError(_("This contest has already been answered."), code="resolved")
    if not (response or "").strip():
        raise ValidationError({"response": _("Write the bureau's answer.")})
    contest.response = response.strip()
    contest.resolved_by, contest.resolved_at = user, timezone.now()
    contest.save()
    _event(contest.evaluation, user, "contest_resolved", contest=contest.pk)
    return contest


# ----------------------------------------------------------------------------- expiry


def qualifications_expire(*, today: datetime.date | None = None) -> int:
    """Listings whose level is past its validity go back to "not qualified"."""
    today = today or _today()
    expired = Supplier.objects.filter(
        qualification_level__gt=QualificationLevel.NONE, qualification_valid_until__lt=today
    )
    count = 0
    for supplier in expired.iterator():
        with transaction.atomic():
            supplier_qualification_set(
                supplier=supplier,
                level=QualificationLevel.NONE,
                valid_until=supplier.qualification_valid_until,
            )
            current = _last_published(supplier)
            if current is not None:
                _event(current, None, "expired", valid_until=str(current.valid_until))
        count += 1
    return count


def _reminder_due(evaluation: Evaluation, today: datetime.date, thresholds: list[int]) -> bool:
    """Due when the latest threshold reached has not had its reminder yet."""
    days_left = (evaluation.valid_until - today).days
    reached = [t for t in thresholds if days_left <= t]
    if not reached:
        return False
    window_start = evaluation.valid_until - datetime.timedelta(days=min(reached))
    last = evaluation.expiry_reminded_at
    return last is None or timezone.localdate(last) < window_start


def expiry_reminders_send(
    *, today: datetime.date | None = None, days_before: Iterable[int] = (90, 30)
) -> int:
    """Mail the supplier's members and the staff before a published level expires, once per
    threshold. Returns the number of evaluations reminded."""
    today = today or _today()
    thresholds = sorted(days_before)
    later = Evaluation.objects.filter(
        supplier=OuterRef("supplier"),
        status=EvaluationStatus.PUBLISHED,
        published_at__gt=OuterRef("published_at"),
    )
    candidates = (
        Evaluation.objects.filter(
            status=EvaluationStatus.PUBLISHED,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=max(thresholds)),
            supplier__qualification_level__gt=QualificationLevel.NONE,
        )
        .exclude(Exists(later))
        .select_related("supplier", "version__grid")
    )
    sent = 0
    for evaluation in candidates:
        if _reminder_due(evaluation, today, thresholds) and _reminder_send(evaluation, today):
            sent += 1
    return sent


def _stamp(today: datetime.date) -> datetime.datetime:
    """Now, or the same time of day on `today` when run as of another date (checks, tests)."""
    now = timezone.localtime()
    if today == now.date():
        return now
    return timezone.make_aware(datetime.datetime.combine(today, now.time()))


def _reminder_send(evaluation: Evaluation, today: datetime.date) -> bool:
    """Claim the reminder with a conditional update, then mail; a mail failure undoes the claim."""
    with transaction.atomic():
        claimed = Evaluation.objects.filter(
            pk=evaluation.pk, expiry_reminded_at=evaluation.expiry_reminded_at
        ).update(expiry_reminded_at=_stamp(today))
        if claimed != 1:
            return False
        _reminder_mail(evaluation, today)
        _event(evaluation, None, "expiry_reminded", days_left=(evaluation.valid_until - today).days)
    return True


def _reminder_mail(evaluation: Evaluation, today: datetime.date) -> None:
    supplier = evaluation.supplier
    context = {
        "supplier": supplier,
        "evaluation": evaluation,
        "level": QualificationLevel(supplier.qualification_level).label,
        "days_left": (evaluation.valid_until - today).days,
        "brand": settings.MICEDESK_BRAND,
    }
    members = list(
        supplier.members.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    )
    staff = list(
        User.objects.filter(is_active=True, role__in=[Role.STAFF, Role.ADMIN])
        .exclude(email="")
        .values_list("email", flat=True)
    )
    with translation.override("fr"):
        subject = _("Your qualification expires on %(date)s") % {
            "date": evaluation.valid_until.strftime("%d/%m/%Y")
        }
        if members:
            body = render_to_string("qualification/mail_expiry_supplier.txt", context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, members)
        if staff:
            staff_subject = _("Qualification of %(supplier)s expires on %(date)s") % {
                "supplier": supplier.name,
                "date": evaluation.valid_until.strftime("%d/%m/%Y"),
            }
            body = render_to_string("qualification/mail_expiry_staff.txt", context)
            send_mail(staff_subject, body, settings.DEFAULT_FROM_EMAIL, staff)
