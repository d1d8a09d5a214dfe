"""Merging two contacts from the back-office: side by side, a choice per field, every history item
follows the survivor; a contact is never merged with itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.crm.models import AuditEntry, Contact, Interaction, InteractionKind, Purpose
from tests.crm import builders


def merge_url(survivor: Contact) -> str:
    return reverse("backoffice:contact_merge", kwargs={"pk": survivor.pk})


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


@pytest.fixture
def pair(db):
    survivor = builders.contact("Jean", "Dupont", phone="", job_title="Buyer")
    duplicate = builders.contact("Jean", "Dupont", phone="+33 6 00 00 00 00", job_title="CEO")
    for kind in (InteractionKind.CALL, InteractionKind.NOTE):
        builders.interaction(duplicate, kind)
    builders.interaction(survivor, InteractionKind.VISIT)
    builders.consent(duplicate, Purpose.MAILING)
    return survivor, duplicate


class MergeScreenTestCase:
    def test_it_shows_both_contacts_and_their_history(self, staff_client, pair):
        survivor, duplicate = pair
        response = staff_client.get(merge_url(survivor), {"other": duplicate.pk})
        assert response.status_code == 200
        mine, theirs = response.context["counts"]
        assert (mine["interactions"], theirs["interactions"]) == (1, 2)
        assert theirs["consents"] == 1
        assert 'data-field="job_title"' in response.text
        assert f"?other={survivor.pk}" in response.text  # swap which one stays

    def test_it_merges_with_the_chosen_fields_and_keeps_every_item(self, staff_client, pair):
        survivor, duplicate = pair
        data = {"other": duplicate.pk, "take_job_title": "duplicate"}
        response = staff_client.post(merge_url(survivor), data)
        assert response.status_code == 302
        assert not Contact.objects.filter(pk=duplicate.pk).exists()
        survivor.refresh_from_db()
        assert survivor.job_title == "CEO"
        assert survivor.phone == "+33 6 00 00 00 00"  # empty on the survivor: filled
        assert Interaction.objects.filter(contact=survivor).count() == 3
        assert survivor.consents.count() == 1
        assert AuditEntry.objects.filter(action="merge", object_id=survivor.pk).exists()

    def test_it_keeps_the_survivors_values_by_default(self, staff_client, pair):
        survivor, duplicate = pair
        response = staff_client.post(merge_url(survivor), {"other": duplicate.pk})
        assert response.status_code == 302
        survivor.refresh_from_db()
        assert survivor.job_title == "Buyer"

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_refuses_to_merge_a_contact_with_itself(self, staff_client, pair, method):
        survivor, _duplicate = pair
        response = getattr(staff_client, method)(merge_url(survivor), {"other": survivor.pk})
        assert response.status_code == 400
        assert 'data-testid="merge-refused"' in response.text
        assert Contact.objects.filter(pk=survivor.pk).exists()

    @pytest.mark.parametrize("other", ["", "abc"])
    def test_it_refuses_a_missing_other_contact(self, staff_client, pair, other):
        survivor, _duplicate = pair
        response = staff_client.post(merge_url(survivor), {"other": other})
        assert response.status_code == 400
        assert Contact.objects.count() == 2

    def test_it_answers_404_for_an_unknown_other_contact(self, staff_client, pair):
        survivor, _duplicate = pair
        response = staff_client.post(merge_url(survivor), {"other": 999999})
        assert response.status_code == 404
        assert Contact.objects.count() == 2

    def test_it_refuses_an_unknown_choice_and_merges_nothing(self, staff_client, pair):
        survivor, duplicate = pair
        data = {"other": duplicate.pk, "take_job_title": "both"}
        response = staff_client.post(merge_url(survivor), data)
        assert response.status_code == 400
        assert Contact.objects.count() == 2
