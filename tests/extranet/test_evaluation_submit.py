"""Submitting an evaluation for review: the page shows the grade as it stands and what is missing;
a refusal lists what is missing and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.qualification.models import EvaluationStatus
from tests.qualification import builders


@pytest.fixture
def evaluation(people):
    return builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


def url(evaluation) -> str:
    return reverse("extranet:evaluation_submit", kwargs={"pk": evaluation.pk})


class EvaluationSubmitTestCase:
    def test_it_shows_the_grade_and_what_is_missing(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.get(url(evaluation))
        assert response.status_code == 200
        assert response.context["grade"]["level"] == 0
        missed = {check["code"] for check in response.context["grade"]["missed"]}
        assert {"named_contact", "wifi_mbps", "breaks", "daylight"} <= missed
        assert len(response.context["missing"]) == 4
        assert 'data-testid="missing"' in response.content.decode()

    def test_it_shows_what_the_next_level_needs(self, client, people, evaluation):
        builders.evaluation_filled(evaluation, answers={**builders.ALL_MET, "wifi_mbps": "10"})
        client.force_login(people.partner)
        response = client.get(url(evaluation))
        grade = response.context["grade"]
        wifi = next(check for check in grade["missed"] if check["code"] == "wifi_mbps")
        assert wifi["gap"]  # how far from the target, in words
        assert response.context["missing"] == []
        assert 'data-testid="complete"' in response.content.decode()

    def test_it_refuses_an_incomplete_evaluation_and_says_why(self, client, people, evaluation):
        builders.evaluation_filled(evaluation, answers={"named_contact": True})
        client.force_login(people.partner)
        response = client.post(url(evaluation))
        assert response.status_code == 400
        assert response.context["errors"]
        assert 'data-testid="error-summary"' in response.content.decode()
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.DRAFT and evaluation.submitted_at is None

    def test_it_submits_a_complete_evaluation(self, client, people, evaluation):
        builders.evaluation_filled(evaluation)
        client.force_login(people.partner)
        response = client.post(url(evaluation))
        assert response.status_code == 302
        assert response.url == reverse("extranet:evaluations")
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.SUBMITTED and evaluation.result

    def test_a_submitted_evaluation_cannot_be_submitted_again(self, client, people, evaluation):
        builders.evaluation_filled(evaluation)
        client.force_login(people.partner)
        client.post(url(evaluation))
        assert client.post(url(evaluation)).status_code == 403
        assert client.get(url(evaluation)).status_code == 403
