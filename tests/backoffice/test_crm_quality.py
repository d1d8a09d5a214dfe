"""The quality screen of the contact base: completeness, suspected duplicates, work list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.crm import builders

URL = reverse("backoffice:crm_quality")


@pytest.fixture
def base(db):
    action = builders.bureau_action("Workshop démo")
    complete = builders.contact("Amélie", "Lefèvre", source_action=action)
    twin = builders.contact("Amélie", "Lefèvre", email="")
    lost = builders.contact("Paul", "Martin", department_code="", country="")
    return complete, twin, lost


class CrmQualityTestCase:
    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(URL)
        assert response.status_code == 302
        assert "/connexion/" in response["Location"]

    def test_suppliers_partners_and_outsiders_are_refused(self, client, people):
        for user in (people.supplier, people.partner, people.outsider):
            client.force_login(user)
            assert client.get(URL).status_code == 403

    def test_it_shows_the_completeness_of_each_field(self, client, people, base):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        assert 'data-field="email" data-percent="67"' in response.text
        assert 'data-field="source_action" data-percent="33"' in response.text
        assert "<meter" in response.text

    def test_it_links_suspected_duplicates_to_the_merge_screen(self, client, people, base):
        complete, twin, _lost = base
        client.force_login(people.staff)
        response = client.get(URL)
        merge = reverse("backoffice:contact_merge", args=[complete.pk])
        assert f'href="{merge}?other={twin.pk}"' in response.text

    def test_it_lists_contacts_without_origin_or_first_touch(self, client, people, base):
        complete, twin, lost = base
        client.force_login(people.staff)
        response = client.get(URL)
        assert f'data-contact="{lost.pk}"' in response.text
        assert f'data-contact="{twin.pk}"' in response.text
        assert f'data-contact="{complete.pk}"' not in response.text

    def test_the_work_list_is_paginated(self, client, people, db):
        for _number in range(55):
            builders.contact("Demo", department_code="", country="")
        client.force_login(people.staff)
        first = client.get(URL)
        second = client.get(URL, {"page": 2})
        assert first.text.count("data-contact=") == 50
        assert second.text.count("data-contact=") == 5
