"""The list of API keys in the back-office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.accounts.services import api_key_create, api_key_revoke

URL = reverse("backoffice:api_keys")


class ApiKeysTestCase:
    def test_staff_see_every_key_but_never_a_secret(self, client, people):
        active, secret = api_key_create(user=people.partner, label="Partner site")
        revoked, _secret = api_key_create(user=people.supplier, label="Old script")
        api_key_revoke(key=revoked)
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [revoked, active]
        assert "Partner site" in response.text and active.prefix in response.text
        assert secret not in response.text
        assert reverse("backoffice:api_key_revoke", kwargs={"pk": active.pk}) in response.text
        assert reverse("backoffice:api_key_revoke", kwargs={"pk": revoked.pk}) not in response.text

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_it_refuses_everyone_but_staff(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        assert client.get(URL).status_code == 302
