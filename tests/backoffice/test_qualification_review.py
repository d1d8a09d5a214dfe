"""Reviewing evaluations in the back-office: the list of those submitted, one evaluation with its
answers, measures, evidence and grade, and publishing, returning or cancelling it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.qualification import services
from micedesk.qualification.models import EvaluationStatus
from tests.qualification import builders


@pytest.fixture
def submitted(people):
    evaluation = builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )
    builders.evaluation_filled(evaluation)
    return services.evaluation_submit(evaluation=evaluation, user=people.partner)


def url(name: str, evaluation) -> str:
    return reverse(f"backoffice:qualification_{name}", kwargs={"pk": evaluation.pk})


class EvaluationListTestCase:
    def test_it_lists_the_submitted_evaluations_by_default(self, client, people, submitted):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:qualification_evaluations"))
        assert response.status_code == 200
        assert list(response.context["items"]) == [submitted]
        assert f'data-evaluation="{submitted.pk}" data-status="submitted"' in response.text

    def test_it_filters_by_status_and_ignores_an_unknown_one(self, client, people, submitted):
        client.force_login(people.staff)
        list_url = reverse("backoffice:qualification_evaluations")
        assert list(client.get(list_url, {"status": "published"}).context["items"]) == []
        response = client.get(list_url, {"status": "nonsense"})
        assert response.context["status"] == "submitted"


class EvaluationDetailTestCase:
    def test_it_shows_answers_measures_evidence_and_the_grade(self, client, people, submitted):
        client.force_login(people.staff)
        response = client.get(url("evaluation", submitted))
        assert response.status_code == 200
        text = response.text
        assert 'data-criterion="quote_hours"' in text
        evidence = submitted.evidence_files.get()
        assert f'data-testid="evidence-{evidence.pk}"' in text
        assert f'data-level="{submitted.level}"' in text
        assert 'data-testid="publish-form"' in text and 'data-testid="return-form"' in text
        rows = [row for _section, rows in response.context["sections"] for row in rows]
        checks = {row[0].code: row[4] for row in rows}
        assert checks["wifi_mbps"]["met"] is True
        assert checks["quote_hours"]["met"] is None  # no quote requests yet: no data

    def test_it_links_the_suppliers_earlier_evaluations(self, client, people, submitted):
        services.evaluation_publish(evaluation=submitted, user=people.staff)
        again = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        client.force_login(people.staff)
        response = client.get(url("evaluation", again))
        assert list(response.context["earlier"]) == [submitted]
        assert f'data-evaluation="{submitted.pk}"' in response.text

    def test_staff_download_the_evidence_from_private_storage(self, client, people, submitted):
        evidence = submitted.evidence_files.get()
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:qualification_evidence", args=[evidence.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == evidence.content_type
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"  # a JPEG


class PublishTestCase:
    def test_staff_publish_with_a_comment(self, client, people, submitted):
        client.force_login(people.staff)
        response = client.post(url("publish", submitted), {"comment": "Bravo."})
        assert response.status_code == 302
        submitted.refresh_from_db()
        people.hotel.refresh_from_db()
        assert submitted.status == EvaluationStatus.PUBLISHED
        assert submitted.review_comment == "Bravo."
        assert people.hotel.qualification_level == submitted.level > 0
        assert people.hotel.qualification_valid_until == submitted.valid_until

    def test_it_refuses_to_publish_an_evaluation_not_submitted(self, client, people, submitted):
        services.evaluation_return(evaluation=submitted, user=people.staff, comment="Photo floue")
        client.force_login(people.staff)
        response = client.post(url("publish", submitted), {"comment": ""})
        assert response.status_code == 400
        assert response.context["forms"]["publish"].non_field_errors()
        assert 'data-testid="refusal-publish"' in response.text
        submitted.refresh_from_db()
        people.hotel.refresh_from_db()
        assert submitted.status == EvaluationStatus.RETURNED
        assert people.hotel.qualification_level == 0


class ReturnTestCase:
    def test_staff_return_it_with_a_comment(self, client, people, submitted):
        client.force_login(people.staff)
        response = client.post(url("return", submitted), {"comment": "Ajoutez une photo."})
        assert response.status_code == 302
        submitted.refresh_from_db()
        assert submitted.status == EvaluationStatus.RETURNED
        assert submitted.review_comment == "Ajoutez une photo."

    @pytest.mark.parametrize("comment", ["", "   "])
    def test_it_refuses_a_return_without_a_comment(self, client, people, submitted, comment):
        client.force_login(people.staff)
        response = client.post(url("return", submitted), {"comment": comment})
        assert response.status_code == 400
        assert response.context["forms"]["return"].errors
        assert 'data-testid="return-form"' in response.text
        submitted.refresh_from_db()
        assert submitted.status == EvaluationStatus.SUBMITTED


class CancelTestCase:
    def test_staff_cancel_an_open_evaluation(self, client, people, submitted):
        client.force_login(people.staff)
        response = client.post(url("cancel", submitted))
        assert response.status_code == 302
        submitted.refresh_from_db()
        assert submitted.status == EvaluationStatus.CANCELLED

    def test_it_refuses_to_cancel_a_published_evaluation(self, client, people, submitted):
        services.evaluation_publish(evaluation=submitted, user=people.staff)
        client.force_login(people.staff)
        response = client.post(url("cancel", submitted))
        assert response.status_code == 400
        assert response.context["forms"]["cancel"].non_field_errors()
        assert 'data-testid="refusal-cancel"' in response.text
        submitted.refresh_from_db()
        assert submitted.status == EvaluationStatus.PUBLISHED
