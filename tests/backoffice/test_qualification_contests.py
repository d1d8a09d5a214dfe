"""Contests in the back-office: the list, one contest, and the bureau's answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.qualification import services
from tests.qualification import builders


@pytest.fixture
def contest(people):
    builders.grid_version("venue")
    evaluation = builders.evaluation_published(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )
    return services.evaluation_contest(
        evaluation=evaluation, user=people.supplier, comment="La salle est occultable."
    )


def contest_url(contest) -> str:
    return reverse("backoffice:qualification_contest", kwargs={"pk": contest.pk})


class ContestListTestCase:
    def test_it_lists_the_contests_open_first(self, client, people, contest):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:qualification_contests"))
        assert response.status_code == 200
        assert list(response.context["items"]) == [contest]
        assert f'data-contest="{contest.pk}" data-resolved="no"' in response.text


class ContestResolveTestCase:
    def test_it_shows_the_contest_and_the_answer_form(self, client, people, contest):
        client.force_login(people.staff)
        response = client.get(contest_url(contest))
        assert response.status_code == 200
        assert "La salle est occultable." in response.text
        assert 'data-testid="resolve-form"' in response.text

    def test_staff_answer_a_contest(self, client, people, contest):
        client.force_login(people.staff)
        response = client.post(contest_url(contest), {"response": "Une visite est prévue."})
        assert response.status_code == 302
        contest.refresh_from_db()
        assert contest.response == "Une visite est prévue."
        assert contest.resolved_by == people.staff and contest.resolved_at is not None
        page = client.get(contest_url(contest)).text
        assert 'data-testid="contest-response"' in page and 'data-testid="resolve-form"' not in page

    @pytest.mark.parametrize("answer", ["", "  "])
    def test_it_refuses_an_empty_answer(self, client, people, contest, answer):
        client.force_login(people.staff)
        response = client.post(contest_url(contest), {"response": answer})
        assert response.status_code == 400
        assert response.context["form"].errors
        contest.refresh_from_db()
        assert contest.resolved_at is None

    def test_it_refuses_to_answer_twice(self, client, people, contest):
        services.contest_resolve(contest=contest, user=people.staff, response="Première réponse")
        client.force_login(people.staff)
        response = client.post(contest_url(contest), {"response": "Seconde"})
        assert response.status_code == 400
        assert 'data-testid="form-errors"' in response.text
        contest.refresh_from_db()
        assert contest.response == "Première réponse"
