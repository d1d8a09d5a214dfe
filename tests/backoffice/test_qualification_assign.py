"""Assigning evaluations in the back-office: the suppliers without an open evaluation, filtered,
and a bulk assignment where each refused supplier says why."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from micedesk.qualification.models import Evaluation, EvaluationStatus
from tests.factories import SupplierFactory
from tests.qualification import builders

URL = reverse("backoffice:qualification_assign")


@pytest.fixture
def grid(people):
    return builders.grid_version("venue")


@pytest.fixture
def bayeux_venue(people, communes):
    return SupplierFactory(name="Manoir de Bayeux", slug="manoir-bayeux", commune=communes["14047"])


def listed(response) -> list[str]:
    return [supplier.name for supplier in response.context["suppliers"]]


def notes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


class AssignListTestCase:
    def test_it_lists_published_suppliers_without_an_open_evaluation(
        self, client, people, grid, bayeux_venue
    ):
        builders.evaluation_assigned(
            supplier=bayeux_venue, evaluator=people.partner, staff=people.staff
        )
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        assert set(listed(response)) == {people.hotel.name, people.other_hotel.name}
        assert response.context["count"] == 2

    def test_it_offers_the_evaluators_covering_the_suppliers_listed(self, client, people, grid):
        client.force_login(people.staff)
        response = client.get(URL)
        assert list(response.context["form"].fields["evaluator"].queryset) == [people.partner]

    def test_it_filters_by_department_and_kind(self, client, people, grid):
        client.force_login(people.staff)
        assert listed(client.get(URL, {"department": "76"})) == [people.other_hotel.name]
        assert listed(client.get(URL, {"kind": "agency"})) == []

    def test_it_filters_never_evaluated_and_expiring(self, client, people, grid):
        builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        client.force_login(people.staff)
        assert listed(client.get(URL, {"which": "never"})) == [people.other_hotel.name]
        assert listed(client.get(URL, {"which": "expiring"})) == []
        soon = timezone.localdate() + datetime.timedelta(days=30)
        people.hotel.__class__.objects.filter(pk=people.hotel.pk).update(
            qualification_valid_until=soon
        )
        assert listed(client.get(URL, {"which": "expiring"})) == [people.hotel.name]

    @pytest.mark.parametrize("query", [{"kind": "castle"}, {"which": "soon"}, {"department": "99"}])
    def test_it_refuses_a_bad_filter(self, client, people, grid, query):
        client.force_login(people.staff)
        response = client.get(URL, query)
        assert response.status_code == 400
        assert response.context["filters"].errors


class AssignTestCase:
    def test_staff_assign_several_suppliers_of_a_territory(
        self, client, people, grid, bayeux_venue
    ):
        client.force_login(people.staff)
        due = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
        data = {
            "suppliers": [people.hotel.pk, bayeux_venue.pk],
            "evaluator": people.partner.pk,
            "due_on": due,
        }
        response = client.post(URL, data)
        assert response.status_code == 302
        evaluations = Evaluation.objects.filter(status=EvaluationStatus.ASSIGNED)
        assert {e.supplier for e in evaluations} == {people.hotel, bayeux_venue}
        assert {e.evaluator for e in evaluations} == {people.partner}
        assert {e.due_on.isoformat() for e in evaluations} == {due}

    def test_a_supplier_outside_the_territory_is_refused_with_the_reason(
        self, client, people, grid
    ):
        client.force_login(people.staff)
        data = {
            "suppliers": [people.hotel.pk, people.other_hotel.pk],
            "evaluator": people.partner.pk,
        }
        response = client.post(URL, data)
        assert response.status_code == 302
        assert Evaluation.objects.filter(supplier=people.hotel).count() == 1
        assert not Evaluation.objects.filter(supplier=people.other_hotel).exists()
        refused = [text for text in notes(response) if people.other_hotel.name in text]
        assert len(refused) == 1  # with the service's reason after the name

    def test_it_refuses_when_the_kind_has_no_active_grid(self, client, people):
        client.force_login(people.staff)
        data = {"suppliers": [people.hotel.pk], "evaluator": people.partner.pk}
        response = client.post(URL, data)
        assert response.status_code == 302
        assert not Evaluation.objects.exists()
        assert any(people.hotel.name in text for text in notes(response))

    @pytest.mark.parametrize("problem", ["no_supplier", "past_due", "not_evaluator", "open"])
    def test_it_refuses_a_bad_assignment_and_writes_nothing(
        self, client, people, grid, bayeux_venue, problem
    ):
        builders.evaluation_assigned(
            supplier=bayeux_venue, evaluator=people.partner, staff=people.staff
        )
        data = {"suppliers": [people.hotel.pk], "evaluator": people.partner.pk}
        if problem == "no_supplier":
            data["suppliers"] = []
        elif problem == "past_due":
            data["due_on"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        elif problem == "not_evaluator":
            data["evaluator"] = people.outsider.pk
        else:
            data["suppliers"] = [bayeux_venue.pk]  # already has an open evaluation
        client.force_login(people.staff)
        response = client.post(URL, data)
        assert response.status_code == 400
        assert response.context["form"].errors
        assert Evaluation.objects.count() == 1
        listed_pks = {supplier.pk for supplier in response.context["suppliers"]}
        for pk in set(data["suppliers"]) & listed_pks:  # what was picked stays picked
            assert f'value="{pk}" id="supplier-{pk}" checked' in response.text
