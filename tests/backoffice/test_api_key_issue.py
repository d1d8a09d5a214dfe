"""Issuing an API key from the back-office: the secret is shown once and works."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.accounts.models import ApiKey
from micedesk.accounts.services import api_key_authenticate

URL = reverse("backoffice:api_key_issue")


def form_error_codes(response) -> set[tuple[str, str]]:
    errors = response.context["form"].errors.as_data()
    return {(field, error.code) for field, items in errors.items() for error in items}


class ApiKeyIssueTestCase:
    def test_staff_get_the_form(self, client, people):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        assert 'name="email"' in response.text

    def test_it_issues_a_key_and_shows_its_secret_once(self, client, people):
        client.force_login(people.staff)
        response = client.post(URL, {"email": "CB@caen.example ", "label": "Partner site"})
        assert response.status_code == 200
        key = ApiKey.objects.get()
        assert (key.user, key.label, key.created_by) == (
            people.partner,
            "Partner site",
            people.staff,
        )
        secret = response.context["secret"]
        assert secret in response.text and secret.startswith(f"mk_{key.prefix}_")
        assert api_key_authenticate(secret=secret) == people.partner
        assert "no-store" in response["Cache-Control"]
        listing = client.get(reverse("backoffice:api_keys"))
        assert secret not in listing.text

    def test_it_refuses_an_unknown_user(self, client, people):
        client.force_login(people.staff)
        response = client.post(URL, {"email": "nobody@nowhere.example", "label": "x"})
        assert response.status_code == 400
        assert form_error_codes(response) == {("email", "unknown_user")}
        assert not ApiKey.objects.exists()

    def test_it_refuses_a_deactivated_user(self, client, people):
        people.outsider.is_active = False
        people.outsider.save()
        client.force_login(people.staff)
        response = client.post(URL, {"email": people.outsider.email})
        assert form_error_codes(response) == {("email", "inactive_user")}
        assert not ApiKey.objects.exists()

    def test_it_refuses_a_malformed_address(self, client, people):
        client.force_login(people.staff)
        response = client.post(URL, {"email": "not-an-address"})
        assert form_error_codes(response) == {("email", "invalid")}
        assert not ApiKey.objects.exists()

    def test_it_refuses_a_label_too_long(self, client, people):
        client.force_login(people.staff)
        response = client.post(URL, {"email": people.partner.email, "label": "x" * 101})
        assert form_error_codes(response) == {("label", "max_length")}
        assert not ApiKey.objects.exists()

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_it_refuses_everyone_but_staff(self, client, people, who):
        client.force_login(getattr(people, who))
        response = client.post(URL, {"email": getattr(people, who).email})
        assert response.status_code == 403
        assert not ApiKey.objects.exists()

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        assert client.post(URL, {"email": people.partner.email}).status_code == 302
        assert not ApiKey.objects.exists()
