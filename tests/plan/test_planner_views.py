"""The budget planner's screen: who may open it, the answer for the plan's own caps, htmx
fragments, refusals shown on the form, and applying a selection (POST only)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from micedesk.plan.models import ActionStatus, ActionYear, ItemQuantity

pytestmark = pytest.mark.django_db


def page_url(plan) -> str:
    return reverse("backoffice:plan_budget", args=[plan.code])


def apply_url(plan) -> str:
    return reverse("backoffice:plan_budget_apply", args=[plan.code])


CAPS = {"year": "2023", "budget": "60000", "fte": "2", "basis": "high"}


class AccessTestCase:
    def test_anonymous_visitors_go_to_the_login_page(self, client, plan):
        for response in (client.get(page_url(plan)), client.post(apply_url(plan), CAPS)):
            assert response.status_code == 302 and "/connexion/" in response["Location"]

    def test_other_roles_are_refused(self, client, plan, people):
        for user in (people.supplier, people.partner, people.outsider):
            client.force_login(user)
            assert client.get(page_url(plan)).status_code == 403
            assert client.post(apply_url(plan), CAPS).status_code == 403

    def test_an_unknown_plan_is_not_found(self, client, plan, people):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:plan_budget", args=["nope"])).status_code == 404


class PageTestCase:
    def test_it_opens_on_the_plans_own_caps(self, client, plan, people):
        client.force_login(people.staff)
        response = client.get(page_url(plan))
        assert response.status_code == 200
        answer = response.context["answer"]
        assert (answer.budget, answer.fte, answer.basis) == (130000, 2, "high")
        assert answer.year in plan.years
        content = response.content.decode()
        assert 'data-testid="budget-in"' in content and 'data-testid="budget-next"' in content
        assert 'data-action="super-ambassadeurs"' in content  # listed apart, no figure

    def test_the_query_gives_the_answer_a_url(self, client, plan, people):
        client.force_login(people.staff)
        response = client.get(page_url(plan), CAPS)
        assert response.context["answer"].budget == 60000
        assert response.context["answer"].cost <= 60000

    def test_htmx_gets_the_answer_alone(self, client, plan, people):
        client.force_login(people.staff)
        response = client.get(page_url(plan), CAPS, headers={"HX-Request": "true"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "<html" not in content and 'data-testid="budget-totals"' in content

    def test_a_negative_budget_is_refused_on_the_form(self, client, plan, people):
        client.force_login(people.staff)
        response = client.get(page_url(plan), {**CAPS, "budget": "-5"})
        assert response.status_code == 400
        assert response.context["answer"] is None
        assert "budget" in response.context["form"].errors

    def test_text_and_a_year_outside_the_plan_are_refused(self, client, plan, people):
        client.force_login(people.staff)
        response = client.get(page_url(plan), {**CAPS, "fte": "deux", "year": "2031"})
        assert response.status_code == 400
        assert {"fte", "year"} <= set(response.context["form"].errors)

    def test_a_budget_below_commitments_is_refused_with_the_figures(self, client, plan, people):
        ActionYear.objects.filter(action__code="salons-workshops-nationaux", year=2023).update(
            status=ActionStatus.COMMITTED
        )
        client.force_login(people.staff)
        response = client.get(
            page_url(plan), {**CAPS, "budget": "40000"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert 'data-testid="budget-refused"' in content
        # The figures, whatever the language's thousands separator.
        figures = re.sub(r"[\s\u202f.,]", "", content)
        assert "52000€" in figures and "40000€" in figures


class ApplyTestCase:
    def test_it_applies_the_selection_and_says_so(self, client, plan, people):
        client.force_login(people.staff)
        response = client.post(apply_url(plan), CAPS)
        assert response.status_code == 302
        answer = client.get(page_url(plan), CAPS).context["answer"]
        for pk, quantity in answer.quantities.items():
            assert ItemQuantity.objects.get(pk=pk).quantity == quantity
        kept = ActionYear.objects.filter(action__plan=plan, year=2023, status=ActionStatus.PLANNED)
        assert {ay.action.code for ay in kept} == {c.action.code for c in answer.chosen}

    def test_it_is_refused_on_get(self, client, plan, people):
        client.force_login(people.staff)
        assert client.get(apply_url(plan), CAPS).status_code == 405

    def test_bad_caps_write_nothing(self, client, plan, people):
        client.force_login(people.staff)
        before = list(ItemQuantity.objects.order_by("pk").values_list("quantity", flat=True))
        response = client.post(apply_url(plan), {**CAPS, "budget": "-1"}, follow=True)
        assert response.status_code in (200, 400)
        assert list(response.context["messages"])
        after = list(ItemQuantity.objects.order_by("pk").values_list("quantity", flat=True))
        assert before == after
        assert not ActionYear.objects.filter(status=ActionStatus.PLANNED).exists()
