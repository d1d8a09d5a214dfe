"""Evidence on the evaluation form: a photo or document per criterion that asks for one, refused
files say why, the evaluator deletes what it uploaded."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from micedesk.qualification.models import EvidenceFile
from tests.factories import SupplierFactory
from tests.qualification import builders


@pytest.fixture
def evaluation(people):
    return builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


def add_url(evaluation, code: str = "daylight") -> str:
    return reverse("extranet:evaluation_evidence_add", kwargs={"pk": evaluation.pk, "code": code})


def file_errors(response, code: str = "daylight") -> list[str]:
    rows = [row for _s, rows in response.context["sections"] for row in rows]
    row = next(row for row in rows if row.criterion.code == code)
    return row.evidence_form.errors.get("file", [])


class EvidenceAddTestCase:
    def test_the_evaluator_adds_a_photo(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(add_url(evaluation), {"e-daylight-file": builders.image_upload()})
        assert response.status_code == 302
        assert response.url.endswith("#criterion-daylight")
        evidence = EvidenceFile.objects.get(evaluation=evaluation)
        assert evidence.criterion.code == "daylight" and evidence.content_type == "image/jpeg"
        page = client.get(reverse("extranet:evaluation", kwargs={"pk": evaluation.pk}))
        assert f'data-evidence="{evidence.pk}"' in page.content.decode()

    def test_it_refuses_a_text_file_named_like_a_photo(self, client, people, evaluation):
        client.force_login(people.partner)
        fake = SimpleUploadedFile("photo.jpg", b"not a picture\n" * 20, content_type="image/jpeg")
        response = client.post(add_url(evaluation), {"e-daylight-file": fake})
        assert response.status_code == 400
        assert file_errors(response)
        assert 'data-testid="evidence-error"' in response.content.decode()
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_a_pdf_where_a_photo_is_asked(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(add_url(evaluation), {"e-daylight-file": builders.pdf_upload()})
        assert response.status_code == 400
        assert file_errors(response)
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_a_file_too_big(self, client, people, evaluation, settings):
        settings.QUALIFICATION_EVIDENCE_MAX_BYTES = 100
        client.force_login(people.partner)
        response = client.post(add_url(evaluation), {"e-daylight-file": builders.image_upload()})
        assert response.status_code == 400
        assert file_errors(response)
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_a_post_without_a_file(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(add_url(evaluation), {})
        assert response.status_code == 400
        assert file_errors(response)
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_a_criterion_that_asks_for_no_evidence(self, client, people, evaluation):
        client.force_login(people.partner)
        url = add_url(evaluation, "wifi_mbps")
        response = client.post(url, {"e-wifi_mbps-file": builders.image_upload()})
        assert response.status_code == 404
        assert not EvidenceFile.objects.exists()


class EvidenceDeleteTestCase:
    def test_the_evaluator_deletes_a_file(self, client, people, evaluation):
        builders.evaluation_filled(evaluation)
        evidence = EvidenceFile.objects.get(evaluation=evaluation)
        client.force_login(people.partner)
        url = reverse(
            "extranet:evaluation_evidence_delete",
            kwargs={"pk": evaluation.pk, "evidence_pk": evidence.pk},
        )
        response = client.post(url)
        assert response.status_code == 302
        assert not EvidenceFile.objects.exists()

    def test_it_refuses_the_file_of_another_evaluation(self, client, people, evaluation):
        other = builders.evaluation_assigned(
            supplier=SupplierFactory(name="Manoir des Tilleuls", slug="manoir-des-tilleuls"),
            evaluator=people.partner,
            staff=people.staff,
        )
        builders.evaluation_filled(other)
        evidence = EvidenceFile.objects.get(evaluation=other)
        client.force_login(people.partner)
        url = reverse(
            "extranet:evaluation_evidence_delete",
            kwargs={"pk": evaluation.pk, "evidence_pk": evidence.pk},
        )
        assert client.post(url).status_code == 404
        assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
