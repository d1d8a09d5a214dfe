"""The Django admin of the bureau's events: staff read events and manage the returns parameters;
no one else gets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.operations.reference import reference_load
from tests.operations import builders

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:operations_bureauevent_changelist",
    "admin:operations_eventguest_changelist",
    "admin:operations_appointment_changelist",
    "admin:operations_partnersurvey_changelist",
    "admin:operations_campaignvisit_changelist",
    "admin:operations_spendparameter_changelist",
    "admin:operations_returnssettings_changelist",
]


class OperationsAdminTestCase:
    def test_staff_read_every_list_and_an_event(self, client, people):
        event = builders.event()
        builders.cost_line(event)
        builders.participant(event, supplier=people.hotel)
        reference_load()
        client.force_login(people.admin)
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, name
        page = client.get(reverse("admin:operations_bureauevent_change", args=[event.pk]))
        assert page.status_code == 200

    def test_events_cannot_be_added_in_the_admin(self, client, people):
        client.force_login(people.admin)
        assert client.get(reverse("admin:operations_bureauevent_add")).status_code == 403

    def test_members_and_outsiders_are_kept_out(self, client, people):
        for user in (people.supplier, people.partner, people.outsider):
            client.force_login(user)
            response = client.get(reverse(PAGES[0]))
            assert response.status_code in (302, 403)
