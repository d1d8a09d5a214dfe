"""The partners' satisfaction survey through its private link: the form, the answer recorded,
each refusal (bad link, bad answer, a second answer) with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from micedesk.operations import services
from micedesk.operations.models import PartnerSurvey

TODAY = timezone.localdate()


@pytest.fixture
def survey(people):
    event = services.event_create(
        data={
            "name": "Workshop of the Norman venues",
            "kind": "workshop",
            "starts_on": TODAY - datetime.timedelta(days=20),
            "ends_on": TODAY - datetime.timedelta(days=20),
            "place": "Caen",
        },
        user=people.staff,
    )
    participant = services.participant_add(
        event=event, user=people.staff, role="exhibitor", supplier=people.hotel
    )
    return PartnerSurvey.objects.create(
        event=event, participant=participant, email="sales@hotel.example", sent_at=timezone.now()
    )


def url(survey) -> str:
    return f"/enquete/{services.survey_token(survey=survey)}/"


ANSWER = {"score": "8", "would_return": "yes", "improve": "More planners from Paris."}


@pytest.mark.django_db
class SurveyPageTestCase:
    def test_anyone_with_the_link_sees_the_form(self, client, survey):
        response = client.get(url(survey))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="survey-form"' in html
        assert "Workshop of the Norman venues" in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"

    def test_it_records_the_answer(self, client, survey):
        response = client.post(url(survey), ANSWER)
        assert response.status_code == 302
        survey.refresh_from_db()
        assert survey.answered_at is not None
        assert (survey.score, survey.would_return) == (8, True)
        assert survey.improve == "More planners from Paris."
        response = client.get(url(survey))
        assert 'data-testid="survey-answered"' in response.content.decode()

    def test_would_not_return_is_recorded_as_no(self, client, survey):
        client.post(url(survey), {**ANSWER, "would_return": "no", "score": "0"})
        survey.refresh_from_db()
        assert (survey.score, survey.would_return) == (0, False)

    def test_a_second_answer_is_refused_and_the_first_kept(self, client, survey):
        client.post(url(survey), ANSWER)
        response = client.post(url(survey), {**ANSWER, "score": "2"})
        assert response.status_code == 409
        assert 'data-testid="survey-already"' in response.content.decode()
        survey.refresh_from_db()
        assert survey.score == 8

    @pytest.mark.parametrize(
        "token",
        ["nonsense", "eyJzIjoxfQ:forgedsignature", "a" * 300],
    )
    def test_a_bad_link_is_refused(self, client, survey, token):
        response = client.get(f"/enquete/{token}/")
        assert response.status_code == 400
        assert 'data-testid="survey-invalid"' in response.content.decode()
        assert client.post(f"/enquete/{token}/", ANSWER).status_code == 400
        survey.refresh_from_db()
        assert survey.answered_at is None

    def test_the_link_of_a_deleted_survey_is_refused(self, client, survey):
        link = url(survey)
        survey.delete()
        assert client.get(link).status_code == 400

    @pytest.mark.parametrize(
        "changes",
        [
            {"score": "11"},
            {"score": "-1"},
            {"score": "eight"},
            {"score": ""},
            {"would_return": "maybe"},
            {"would_return": ""},
            {"improve": "x" * 3001},
        ],
    )
    def test_a_bad_answer_is_refused_and_nothing_written(self, client, survey, changes):
        response = client.post(url(survey), {**ANSWER, **changes})
        assert response.status_code == 400
        assert 'data-testid="form-errors"' in response.content.decode()
        survey.refresh_from_db()
        assert survey.answered_at is None
        assert survey.score is None

    def test_it_checks_the_csrf_token(self, survey):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        assert strict.post(url(survey), ANSWER).status_code == 403
        survey.refresh_from_db()
        assert survey.answered_at is None

    def test_it_opens_in_english_too(self, client, survey):
        assert client.get(f"/en{url(survey)}").status_code == 200
