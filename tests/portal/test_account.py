"""/compte/: each role goes to its own space; a user without a role is told whom to ask."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
class AccountTestCase:
    def test_it_asks_an_anonymous_visitor_to_log_in(self, client):
        response = client.get("/compte/")
        assert response.status_code == 302
        assert response["Location"] == "/connexion/?next=/compte/"

    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_it_sends_bureau_staff_to_the_back_office(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get("/compte/")["Location"] == "/backoffice/"

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "partner"])
    def test_it_sends_members_to_the_extranet(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get("/compte/")["Location"] == "/extranet/"

    def test_it_tells_a_user_without_a_role_whom_to_contact(self, client, people, settings):
        client.force_login(people.outsider)
        response = client.get("/en/compte/")
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="no-role"' in html
        assert "has no role yet" in html
        assert f'href="mailto:{settings.MICEDESK_CONTACT_EMAIL}"' in html

    def test_it_refuses_other_methods(self, client, people):
        client.force_login(people.outsider)
        assert client.post("/compte/").status_code == 405

    def test_an_inactive_staff_member_is_not_sent_to_the_back_office(self, client, people):
        people.staff.is_active = False
        people.staff.save()
        client.force_login(people.staff)
        assert client.get("/compte/").status_code == 302
        assert client.get("/compte/")["Location"].startswith("/connexion/")
