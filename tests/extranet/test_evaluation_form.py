"""The evaluation form of an evaluator: criteria by section, answers saved as drafts (one criterion
at a time by htmx, or the whole form without JavaScript), refused values shown next to the input."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.qualification.models import Answer, Evaluation, EvaluationStatus
from micedesk.qualification.services import evaluation_return, evaluation_submit
from tests.qualification import builders

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def evaluation(people):
    return builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


def form_url(evaluation) -> str:
    return reverse("extranet:evaluation", kwargs={"pk": evaluation.pk})


def criterion_url(evaluation, code: str) -> str:
    return reverse("extranet:evaluation_criterion_save", kwargs={"pk": evaluation.pk, "code": code})


def save_url(evaluation) -> str:
    return reverse("extranet:evaluation_save", kwargs={"pk": evaluation.pk})


def answer(evaluation, code: str) -> Answer | None:
    return Answer.objects.filter(evaluation=evaluation, criterion__code=code).first()


class EvaluationFormPageTestCase:
    def test_it_shows_every_criterion_with_its_input(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.get(form_url(evaluation))
        assert response.status_code == 200
        html = response.content.decode()
        for code in builders.CRITERIA:
            assert f'data-testid="criterion-{code}"' in html
        assert 'name="c-named_contact-value" value="yes"' in html
        assert 'name="c-wifi_mbps-value"' in html and 'inputmode="decimal"' in html
        assert 'name="c-breaks-value" value="full"' in html
        assert 'name="c-quote_hours-value"' not in html  # measured: no input
        assert 'data-testid="measured-quote_hours"' in html
        assert (
            'capture="environment"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
        )
        assert f'hx-post="{criterion_url(evaluation, "wifi_mbps")}"' in html

    def test_it_shows_the_measured_value_and_its_source(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.get(form_url(evaluation))
        rows = [row for _s, rows in response.context["sections"] for row in rows]
        measured = next(row for row in rows if row.criterion.code == "quote_hours")
        assert measured.measure["no_data"] is True  # no quote request answered yet
        assert measured.measure["details"]  # what was counted is said

    def test_it_lists_the_evaluations_of_the_evaluator(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.get(reverse("extranet:evaluations"))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-evaluation="{evaluation.pk}" data-status="assigned"' in html
        assert 'data-overdue="yes"' not in html

    def test_it_flags_an_overdue_evaluation(self, client, people, evaluation):
        Evaluation.objects.filter(pk=evaluation.pk).update(
            due_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        client.force_login(people.partner)
        response = client.get(reverse("extranet:evaluations"))
        assert 'data-overdue="yes"' in response.content.decode()

    def test_it_shows_why_the_bureau_returned_it(self, client, people, evaluation):
        builders.evaluation_filled(evaluation)
        evaluation_submit(evaluation=evaluation, user=people.partner)
        evaluation_return(evaluation=evaluation, user=people.staff, comment="Photo floue")
        client.force_login(people.partner)
        response = client.get(form_url(evaluation))
        html = response.content.decode()
        assert 'data-testid="review-comment"' in html and "Photo floue" in html
        assert 'data-testid="save-draft"' in html  # editable again


class CriterionAutosaveTestCase:
    def test_it_saves_a_number_and_says_when(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(
            criterion_url(evaluation, "wifi_mbps"),
            {"c-wifi_mbps-value": "45,5", "c-wifi_mbps-comment": "Mesuré sur place"},
            **HTMX,
        )
        assert response.status_code == 200
        assert 'data-state="saved"' in response.content.decode()
        saved = answer(evaluation, "wifi_mbps")
        assert saved.value_number == Decimal("45.5") and saved.comment == "Mesuré sur place"
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.DRAFT

    def test_it_saves_a_yes_and_a_choice(self, client, people, evaluation):
        client.force_login(people.partner)
        client.post(
            criterion_url(evaluation, "named_contact"), {"c-named_contact-value": "yes"}, **HTMX
        )
        client.post(criterion_url(evaluation, "breaks"), {"c-breaks-value": "full"}, **HTMX)
        assert answer(evaluation, "named_contact").value_boolean is True
        assert answer(evaluation, "breaks").value_choice == "full"

    def test_it_saves_the_comment_of_a_measured_criterion(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(
            criterion_url(evaluation, "quote_hours"), {"c-quote_hours-comment": "Vu"}, **HTMX
        )
        assert response.status_code == 200
        assert answer(evaluation, "quote_hours").comment == "Vu"

    def test_it_refuses_a_number_that_is_not_one(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(
            criterion_url(evaluation, "wifi_mbps"), {"c-wifi_mbps-value": "beaucoup"}, **HTMX
        )
        assert response.status_code == 400
        assert 'data-state="error"' in response.content.decode()
        assert response.context["form"].errors["value"]
        assert answer(evaluation, "wifi_mbps") is None

    def test_it_refuses_a_negative_number_with_the_services_reason(
        self, client, people, evaluation
    ):
        client.force_login(people.partner)
        response = client.post(
            criterion_url(evaluation, "wifi_mbps"), {"c-wifi_mbps-value": "-3"}, **HTMX
        )
        assert response.status_code == 400
        assert response.context["form"].errors["value"]
        assert answer(evaluation, "wifi_mbps") is None

    def test_it_refuses_an_unknown_choice(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(
            criterion_url(evaluation, "breaks"), {"c-breaks-value": "champagne"}, **HTMX
        )
        assert response.status_code == 400
        assert response.context["form"].errors["value"]
        assert answer(evaluation, "breaks") is None

    def test_it_refuses_a_criterion_of_another_grid(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(criterion_url(evaluation, "no-such-code"), {}, **HTMX)
        assert response.status_code == 404

    def test_it_refuses_a_site_visit_in_the_future(self, client, people, evaluation):
        client.force_login(people.partner)
        url = reverse("extranet:evaluation_overall_save", kwargs={"pk": evaluation.pk})
        response = client.post(url, {"overall-visited_on": "2999-01-01"}, **HTMX)
        assert response.status_code == 400
        assert response.context["form"].errors["visited_on"]
        evaluation.refresh_from_db()
        assert evaluation.visited_on is None

    def test_it_saves_the_overall_comment(self, client, people, evaluation):
        client.force_login(people.partner)
        url = reverse("extranet:evaluation_overall_save", kwargs={"pk": evaluation.pk})
        response = client.post(
            url, {"overall-visited_on": "2024-05-02", "overall-comment": "Bon accueil"}, **HTMX
        )
        assert response.status_code == 200
        evaluation.refresh_from_db()
        assert evaluation.comment == "Bon accueil" and str(evaluation.visited_on) == "2024-05-02"


class WholeFormSaveTestCase:
    def data(self, **changes: str) -> dict:
        values = {
            "c-named_contact-value": "yes",
            "c-wifi_mbps-value": "50",
            "c-breaks-value": "basic",
            "c-daylight-value": "no",
            "overall-comment": "",
            "overall-visited_on": "",
        }
        values.update(changes)
        return values

    def test_it_saves_every_answer_without_javascript(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(save_url(evaluation), self.data())
        assert response.status_code == 302
        assert answer(evaluation, "named_contact").value_boolean is True
        assert answer(evaluation, "wifi_mbps").value_number == Decimal("50")
        assert answer(evaluation, "breaks").value_choice == "basic"
        assert answer(evaluation, "daylight").value_boolean is False

    def test_it_saves_nothing_when_one_value_is_refused(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(save_url(evaluation), self.data(**{"c-breaks-value": "champagne"}))
        assert response.status_code == 400
        assert not Answer.objects.filter(evaluation=evaluation).exists()
        # What was typed stays in the inputs.
        assert 'name="c-wifi_mbps-value" value="50"' in response.content.decode()

    def test_it_saves_nothing_when_the_service_refuses_a_value(self, client, people, evaluation):
        client.force_login(people.partner)
        response = client.post(save_url(evaluation), self.data(**{"c-wifi_mbps-value": "-1"}))
        assert response.status_code == 400
        rows = {
            row.criterion.code: row for _s, rows in response.context["sections"] for row in rows
        }
        assert rows["wifi_mbps"].form.errors["value"]
        assert 'value="-1"' in response.content.decode()
        assert not Answer.objects.filter(evaluation=evaluation).exists()

    def test_a_submitted_evaluation_can_no_longer_be_saved(self, client, people, evaluation):
        builders.evaluation_filled(evaluation)
        evaluation_submit(evaluation=evaluation, user=people.partner)
        client.force_login(people.partner)
        response = client.post(save_url(evaluation), self.data(**{"c-wifi_mbps-value": "1"}))
        assert response.status_code == 403
        assert answer(evaluation, "wifi_mbps").value_number == Decimal("50")
        page = client.get(form_url(evaluation))
        assert 'data-testid="read-only"' in page.content.decode()
