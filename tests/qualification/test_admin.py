"""The qualification pages of the Django admin: staff read grids and evaluations; a draft version's
criteria may be edited there, an active one's not; everyone else is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.qualification.models import VersionStatus
from tests.qualification import builders

CHANGELISTS = ["grid", "gridversion", "evaluation"]


@pytest.fixture
def published(people):
    return builders.evaluation_published(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


class QualificationAdminTestCase:
    @pytest.mark.parametrize("model", CHANGELISTS)
    def test_staff_see_the_lists(self, client, people, published, model):
        client.force_login(people.staff)
        assert client.get(reverse(f"admin:qualification_{model}_changelist")).status_code == 200

    @pytest.mark.parametrize("model", CHANGELISTS)
    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_everyone_else_is_sent_to_the_login_page(self, client, people, model, who):
        client.force_login(getattr(people, who))
        response = client.get(reverse(f"admin:qualification_{model}_changelist"))
        assert response.status_code == 302

    def test_staff_read_an_evaluation_without_changing_it(self, client, people, published):
        client.force_login(people.staff)
        url = reverse("admin:qualification_evaluation_change", args=[published.pk])
        response = client.get(url)
        assert response.status_code == 200
        assert b'name="status"' not in response.content

    def test_an_active_versions_criteria_are_read_only(self, client, people):
        active = builders.grid_version()
        draft = builders.grid_version("agency", status=VersionStatus.DRAFT)
        client.force_login(people.staff)
        active_page = client.get(
            reverse("admin:qualification_gridversion_change", args=[active.pk])
        )
        draft_page = client.get(reverse("admin:qualification_gridversion_change", args=[draft.pk]))
        assert b'name="criteria-0-target"' not in active_page.content
        assert b'name="criteria-0-target"' in draft_page.content
