"""Evidence uploads: type read from the content, size cap, images re-encoded, refusals that say why."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from micedesk.qualification import services
from micedesk.qualification.models import EvidenceFile, VersionStatus
from tests.qualification import builders

CRITERIA = {
    **builders.CRITERIA,
    "menu": {"answer_type": "boolean", "verifiable": True, "evidence": "document"},
    "plain": {"answer_type": "boolean"},
}


@pytest.fixture
def evaluation(people):
    builders.grid_version(criteria=CRITERIA)
    return builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


def _criterion(evaluation, code):
    return evaluation.version.criteria.get(code=code)


def _add(evaluation, people, code, upload):
    return services.evidence_add(
        evaluation=evaluation,
        criterion=_criterion(evaluation, code),
        upload=upload,
        user=people.partner,
    )


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (30, 20), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


class EvidenceAddTestCase:
    def test_it_stores_a_photo_re_encoded_without_metadata(self, evaluation, people):
        upload = SimpleUploadedFile("room.jpg", _jpeg_with_exif(), content_type="image/jpeg")
        evidence = _add(evaluation, people, "daylight", upload)
        assert evidence.content_type == "image/jpeg"
        assert evidence.kind == "photo" and evidence.original_name == "room.jpg"
        with evidence.file.open("rb") as stored:
            data = stored.read()
        assert b"CameraMaker" not in data
        assert Image.open(io.BytesIO(data)).size == (30, 20)
        assert evidence.file.name.endswith(".jpg") and "room" not in evidence.file.name

    def test_it_accepts_a_png_and_a_pdf_for_a_document(self, evaluation, people):
        png = _add(evaluation, people, "menu", builders.image_upload("menu.png", "PNG"))
        pdf = _add(evaluation, people, "menu", builders.pdf_upload())
        assert (png.content_type, pdf.content_type) == ("image/png", "application/pdf")

    def test_it_refuses_a_pdf_for_a_photo_even_renamed_jpg(self, evaluation, people):
        upload = SimpleUploadedFile("photo.jpg", builders.PDF_BYTES, content_type="image/jpeg")
        with pytest.raises(ValidationError) as error:
            _add(evaluation, people, "daylight", upload)
        assert "PDF document" in error.value.message_dict["file"][0]
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_a_fake_image(self, evaluation, people):
        upload = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
        with pytest.raises(ValidationError) as error:
            _add(evaluation, people, "daylight", upload)
        assert "not a readable" in error.value.message_dict["file"][0]

    def test_it_refuses_a_truncated_image(self, evaluation, people):
        data = builders.image_bytes()[:60]
        with pytest.raises(ValidationError):
            _add(evaluation, people, "daylight", SimpleUploadedFile("p.jpg", data))

    def test_it_refuses_a_gif(self, evaluation, people):
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        with pytest.raises(ValidationError):
            _add(evaluation, people, "daylight", SimpleUploadedFile("p.gif", buffer.getvalue()))

    def test_it_refuses_a_text_file_for_a_document(self, evaluation, people):
        with pytest.raises(ValidationError) as error:
            _add(evaluation, people, "menu", SimpleUploadedFile("menu.pdf", b"hello"))
        assert "neither a PDF" in error.value.message_dict["file"][0]

    def test_it_refuses_a_file_too_big(self, evaluation, people, settings):
        settings.QUALIFICATION_EVIDENCE_MAX_BYTES = 100
        with pytest.raises(ValidationError) as error:
            _add(evaluation, people, "daylight", builders.image_upload())
        assert "too big" in error.value.message_dict["file"][0]
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_an_empty_file(self, evaluation, people):
        with pytest.raises(ValidationError):
            _add(evaluation, people, "menu", SimpleUploadedFile("empty.pdf", b""))

    def test_it_refuses_evidence_for_a_criterion_that_asks_none(self, evaluation, people):
        with pytest.raises(ValidationError):
            _add(evaluation, people, "plain", builders.image_upload())

    def test_it_refuses_a_criterion_of_another_version(self, evaluation, people):
        other = builders.grid_version("agency", status=VersionStatus.ACTIVE)
        with pytest.raises(ValidationError):
            services.evidence_add(
                evaluation=evaluation,
                criterion=other.criteria.get(code="daylight"),
                upload=builders.image_upload(),
                user=people.partner,
            )

    def test_it_refuses_anyone_but_the_evaluator(self, evaluation, people):
        for user in (people.supplier, people.staff, people.outsider):
            with pytest.raises(PermissionDenied):
                services.evidence_add(
                    evaluation=evaluation,
                    criterion=_criterion(evaluation, "daylight"),
                    upload=builders.image_upload(),
                    user=user,
                )
        assert not EvidenceFile.objects.exists()


class EvidenceDeleteTestCase:
    def test_it_deletes_the_row_and_the_file(
        self, evaluation, people, django_capture_on_commit_callbacks
    ):
        evidence = _add(evaluation, people, "daylight", builders.image_upload())
        storage, name = evidence.file.storage, evidence.file.name
        with django_capture_on_commit_callbacks(execute=True):
            services.evidence_delete(evidence=evidence, user=people.partner)
        assert not EvidenceFile.objects.exists()
        assert not storage.exists(name)

    def test_it_refuses_anyone_but_the_evaluator(self, evaluation, people):
        evidence = _add(evaluation, people, "daylight", builders.image_upload())
        with pytest.raises(PermissionDenied):
            services.evidence_delete(evidence=evidence, user=people.supplier)
        assert EvidenceFile.objects.count() == 1
