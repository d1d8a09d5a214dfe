"""Who may open the back-office screens of the bureau's events: staff only. Anonymous visitors go
to the login page; suppliers, partners and outsiders get a 403 on every screen and endpoint."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.operations import services
from micedesk.operations.models import BureauEvent, CostCategory, CostLine


def make_event(user, **fields: object) -> BureauEvent:
    """An event created the way the screens create one, with its CRM action."""
    today = timezone.localdate()
    data = {
        "name": "Workshop Paris",
        "kind": "workshop",
        "starts_on": today + datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=30),
        "place": "Pavillon Ledoyen",
        "country": "FR",
        "department_code": "75",
    }
    data.update(fields)
    return services.event_create(data=data, user=user)


@pytest.fixture
def event(people):
    return make_event(people.staff)


def _urls(event: BureauEvent) -> list[tuple[str, str]]:
    """Every screen and endpoint, with the method it answers."""
    participant = services.participant_add(
        event=event, user=None, role="exhibitor", supplier=event._hotel
    )
    line = CostLine.objects.create(event=event, category=CostCategory.STAND, budget=100)
    pk = event.pk
    year = event.starts_on.year
    return [
        ("get", reverse("backoffice:events")),
        ("get", reverse("backoffice:event_new")),
        ("post", reverse("backoffice:event_new")),
        ("get", reverse("backoffice:event_calendar", args=[year])),
        ("get", reverse("backoffice:event_calendar_ics", args=[year])),
        ("get", reverse("backoffice:event_costs_template")),
        ("get", reverse("backoffice:event", args=[pk])),
        ("get", reverse("backoffice:event_edit", args=[pk])),
        ("get", reverse("backoffice:event_ics", args=[pk])),
        ("get", reverse("backoffice:event_close", args=[pk])),
        ("post", reverse("backoffice:event_close", args=[pk])),
        ("get", reverse("backoffice:event_cancel", args=[pk])),
        ("post", reverse("backoffice:event_cancel", args=[pk])),
        ("post", reverse("backoffice:event_participant_add", args=[pk])),
        ("get", reverse("backoffice:event_participant", args=[pk, participant.pk])),
        ("post", reverse("backoffice:event_participant_remove", args=[pk, participant.pk])),
        ("get", reverse("backoffice:event_invite", args=[pk])),
        ("post", reverse("backoffice:event_invite", args=[pk])),
        ("post", reverse("backoffice:event_guest_add", args=[pk])),
        ("post", reverse("backoffice:event_guest_attendance", args=[pk, 1])),
        ("post", reverse("backoffice:event_appointment_add", args=[pk])),
        ("post", reverse("backoffice:event_appointment_status", args=[pk, 1])),
        ("post", reverse("backoffice:event_cost_add", args=[pk])),
        ("get", reverse("backoffice:event_cost", args=[pk, line.pk])),
        ("post", reverse("backoffice:event_cost_delete", args=[pk, line.pk])),
        ("get", reverse("backoffice:event_costs_import", args=[pk])),
        ("post", reverse("backoffice:event_costs_import", args=[pk])),
        ("post", reverse("backoffice:event_surveys_send", args=[pk])),
    ]


@pytest.fixture
def urls(event, people):
    event._hotel = people.hotel
    return _urls(event)


class OperationsAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, urls, event):
        for method, url in urls:
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("portal:login")), url
        event.refresh_from_db()
        assert event.status == "planned" and event.costs.count() == 1

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "partner", "outsider"])
    def test_it_refuses_users_who_are_not_staff(self, client, people, urls, event, who):
        client.force_login(getattr(people, who))
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 403, url
        event.refresh_from_db()
        assert event.status == "planned" and event.participants.count() == 1

    def test_it_lets_staff_in(self, client, people, urls):
        client.force_login(people.staff)
        for method, url in urls:
            if method == "get":
                assert client.get(url).status_code == 200, url

    def test_it_answers_404_for_an_unknown_event(self, client, people):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:event", args=[999999])).status_code == 404
        assert client.get(reverse("backoffice:event_ics", args=[999999])).status_code == 404
