"""A supplier member's qualification: its published level, the evaluation read-only with the
grade's explanation and history, and a contest; it can change nothing of the evaluation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.qualification.models import Answer, Contest, EvaluationStatus
from micedesk.qualification.services import contest_resolve
from tests.qualification import builders


@pytest.fixture
def published(people):
    return builders.evaluation_published(
        supplier=people.hotel,
        evaluator=people.partner,
        staff=people.staff,
        answers={**builders.ALL_MET, "wifi_mbps": "12"},
    )


def contest_url(evaluation) -> str:
    return reverse("extranet:evaluation_contest", kwargs={"pk": evaluation.pk})


class MyQualificationTestCase:
    def test_it_shows_the_published_level_and_history(self, client, people, published):
        client.force_login(people.supplier)
        response = client.get(reverse("extranet:my_qualification"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-level="{published.level}"' in html
        assert f'data-evaluation="{published.pk}"' in html
        assert reverse("extranet:my_evaluation", kwargs={"pk": published.pk}) in html

    def test_it_shows_a_listing_without_evaluation(self, client, people):
        client.force_login(people.supplier)
        response = client.get(reverse("extranet:my_qualification"))
        assert response.status_code == 200
        [(supplier, current, history)] = response.context["listings"]
        assert supplier == people.hotel and current is None and not history

    def test_an_open_evaluation_stays_hidden_from_the_supplier(self, client, people):
        open_one = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        client.force_login(people.supplier)
        response = client.get(reverse("extranet:my_qualification"))
        assert f'data-evaluation="{open_one.pk}"' not in response.content.decode()
        url = reverse("extranet:my_evaluation", kwargs={"pk": open_one.pk})
        assert client.get(url).status_code == 404


class PublishedEvaluationTestCase:
    def test_it_explains_the_grade(self, client, people, published):
        client.force_login(people.supplier)
        response = client.get(reverse("extranet:my_evaluation", kwargs={"pk": published.pk}))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="answer-wifi_mbps" data-met="no"' in html
        assert 'data-testid="answer-named_contact" data-met="yes"' in html
        assert 'data-testid="measured-value"' not in html  # read-only, not the form
        assert "<input" not in html.split('data-testid="contest-form"')[0].split("<main")[1]
        wifi = next(c for c in response.context["grade"]["missed"] if c["code"] == "wifi_mbps")
        assert wifi["gap"]

    def test_the_member_contests_it(self, client, people, published):
        client.force_login(people.supplier)
        response = client.post(contest_url(published), {"comment": "Le wifi a été changé."})
        assert response.status_code == 302
        contest = Contest.objects.get(evaluation=published)
        assert contest.author == people.supplier and contest.comment == "Le wifi a été changé."

    def test_it_shows_the_bureaus_answer(self, client, people, published):
        contest = Contest.objects.create(evaluation=published, author=people.supplier, comment="x")
        contest_resolve(contest=contest, user=people.staff, response="Nous revenons vers vous.")
        client.force_login(people.supplier)
        response = client.get(reverse("extranet:my_evaluation", kwargs={"pk": published.pk}))
        assert 'data-testid="contest-response"' in response.content.decode()

    def test_it_refuses_an_empty_contest(self, client, people, published):
        client.force_login(people.supplier)
        response = client.post(contest_url(published), {"comment": "  "})
        assert response.status_code == 400
        assert response.context["form"].errors
        assert not Contest.objects.exists()

    def test_it_refuses_a_second_contest_while_one_waits(self, client, people, published):
        client.force_login(people.supplier)
        client.post(contest_url(published), {"comment": "Premier"})
        response = client.post(contest_url(published), {"comment": "Second"})
        assert response.status_code == 400
        assert 'data-testid="contest-errors"' in response.content.decode()
        assert Contest.objects.count() == 1

    def test_the_supplier_cannot_change_its_evaluation(self, client, people, published):
        before = list(Answer.objects.filter(evaluation=published).values().order_by("pk"))
        client.force_login(people.supplier)
        pk = published.pk
        posts = [
            reverse("extranet:evaluation_save", kwargs={"pk": pk}),
            reverse("extranet:evaluation_overall_save", kwargs={"pk": pk}),
            reverse("extranet:evaluation_criterion_save", kwargs={"pk": pk, "code": "wifi_mbps"}),
            reverse("extranet:evaluation_evidence_add", kwargs={"pk": pk, "code": "daylight"}),
            reverse("extranet:evaluation_submit", kwargs={"pk": pk}),
        ]
        for url in posts:
            response = client.post(url, {"c-wifi_mbps-value": "100", "overall-comment": "x"})
            assert response.status_code in (403, 404), url
        published.refresh_from_db()
        assert published.status == EvaluationStatus.PUBLISHED
        assert list(Answer.objects.filter(evaluation=published).values().order_by("pk")) == before
