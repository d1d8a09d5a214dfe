"""Bureau actions in the back-office: list, a page with the contacts met, invited and attended,
creating and editing (dates in order, a real commune)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from micedesk.crm.models import BureauAction, InteractionKind
from tests.crm import builders

ACTIONS = reverse("backoffice:bureau_actions")
NEW = reverse("backoffice:bureau_action_new")


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


class BureauActionPageTestCase:
    def test_it_lists_actions(self, staff_client):
        action = builders.bureau_action("Salon Heavent")
        response = staff_client.get(ACTIONS)
        assert response.status_code == 200
        assert [item.pk for item in response.context["window"].items] == [action.pk]

    def test_it_counts_contacts_met_invited_and_attended(self, staff_client):
        action = builders.bureau_action("Workshop Deauville")
        first, second = builders.contact(source_action=action), builders.contact()
        builders.interaction(first, InteractionKind.INVITED, action=action)
        builders.interaction(second, InteractionKind.INVITED, action=action)
        builders.interaction(first, InteractionKind.ATTENDED, action=action)
        builders.interaction(first, InteractionKind.MET, action=action)
        builders.interaction(first, InteractionKind.MET, action=action)  # met twice: one person
        response = staff_client.get(reverse("backoffice:bureau_action", kwargs={"pk": action.pk}))
        counts = {kind: count for kind, _label, count in response.context["counts"]}
        assert counts == {"met": 1, "invited": 2, "attended": 1}
        assert response.context["sourced"] == 1


class BureauActionFormTestCase:
    def data(self, **fields: object) -> dict:
        values = {
            "name": "Workshop Caen 2026",
            "kind": "workshop",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-11",
            "commune_code": "14118",
        }
        values.update(fields)
        return values

    def test_it_creates_an_action_in_its_commune_and_department(self, staff_client, communes):
        seminars = builders.topic()
        assert staff_client.get(NEW).status_code == 200
        response = staff_client.post(NEW, self.data(topics=[seminars.pk]))
        action = BureauAction.objects.get()
        assert response.status_code == 302
        assert action.commune_id == "14118" and action.department_code == "14"
        assert action.starts_on == datetime.date(2026, 3, 10)
        assert list(action.topics.all()) == [seminars]

    @pytest.mark.parametrize(
        "field, value",
        [
            ("ends_on", "2026-03-01"),
            ("commune_code", "99999"),
            ("kind", "party"),
            ("name", ""),
            ("starts_on", "10/03/2026x"),
        ],
    )
    def test_it_refuses_bad_input_and_saves_nothing(self, staff_client, communes, field, value):
        response = staff_client.post(NEW, self.data(**{field: value}))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not BureauAction.objects.exists()

    def test_it_edits_an_action(self, staff_client, communes):
        action = builders.bureau_action("Old name")
        url = reverse("backoffice:bureau_action_edit", kwargs={"pk": action.pk})
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url, self.data(name="New name", commune_code=""))
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.name == "New name" and action.commune is None
