"""Logging in at /connexion/ and out at /deconnexion/."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.mark.django_db
class LoginTestCase:
    def test_it_shows_a_form_labelled_for_e_mail_login(self, client):
        html = client.get("/en/connexion/").content.decode()
        assert '<label for="id_username">E-mail address</label>' in html
        assert '<label for="id_password">Password</label>' in html
        assert 'type="email"' in html and 'autocomplete="email"' in html
        assert ">Log in</button>" in html

    def test_it_is_served_in_french_at_connexion(self, client):
        response = client.get("/connexion/")
        assert response.status_code == 200
        assert '<html lang="fr">' in response.content.decode()

    def test_it_logs_a_user_in_and_sends_them_to_their_account(self, client, people):
        response = client.post(
            "/connexion/", {"username": people.supplier.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == "/compte/"
        assert client.session["_auth_user_id"] == str(people.supplier.pk)

    def test_it_follows_a_safe_next_address(self, client, people):
        response = client.post(
            "/connexion/?next=/extranet/",
            {"username": people.staff.email, "password": PASSWORD, "next": "/extranet/"},
        )
        assert response["Location"] == "/extranet/"

    def test_it_ignores_a_next_address_on_another_site(self, client, people):
        response = client.post(
            "/connexion/",
            {"username": people.staff.email, "password": PASSWORD, "next": "https://evil.example/"},
        )
        assert response["Location"] == "/compte/"

    def test_it_refuses_a_wrong_password(self, client, people):
        response = client.post(
            "/en/connexion/", {"username": people.supplier.email, "password": "wrong"}
        )
        assert response.status_code == 200
        assert 'data-testid="login-errors"' in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_it_refuses_an_inactive_user(self, client, people):
        people.outsider.is_active = False
        people.outsider.save()
        response = client.post(
            "/en/connexion/", {"username": people.outsider.email, "password": PASSWORD}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_it_refuses_a_missing_e_mail(self, client, people):
        response = client.post("/en/connexion/", {"username": "", "password": PASSWORD})
        assert response.status_code == 200
        assert 'id="id_username_error"' in response.content.decode()

    def test_it_sends_a_logged_in_user_to_their_account(self, client, people):
        client.force_login(people.outsider)
        assert client.get("/connexion/")["Location"] == "/compte/"
        assert client.get("/en/connexion/")["Location"] == "/en/compte/"

    def test_it_ignores_a_next_address_that_loops_back_to_the_login(self, client, people):
        client.force_login(people.outsider)
        response = client.get("/connexion/?next=/connexion/")
        assert response.status_code == 302 and response["Location"] == "/compte/"


@pytest.mark.django_db
class LogoutTestCase:
    def test_it_logs_out_on_post_and_goes_home(self, client, people):
        client.force_login(people.supplier)
        response = client.post("/deconnexion/")
        assert response.status_code == 302 and response["Location"] == "/"
        assert "_auth_user_id" not in client.session

    def test_it_refuses_a_get(self, client, people):
        client.force_login(people.supplier)
        assert client.get("/deconnexion/").status_code == 405
        assert client.session["_auth_user_id"] == str(people.supplier.pk)

    def test_the_header_offers_logout_to_a_logged_in_user_only(self, client, people):
        assert 'action="/en/deconnexion/"' not in client.get("/en/").content.decode()
        client.force_login(people.outsider)
        html = client.get("/en/").content.decode()
        assert 'action="/en/deconnexion/"' in html and 'href="/en/compte/"' in html
