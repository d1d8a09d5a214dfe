"""Who may open the returns screens: bureau staff only; anonymous visitors go to the login page,
suppliers, partners and outsiders get a 403, on every page and download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.operations.models import ReturnsSettings, SpendParameter
from tests.operations import builders

NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]


@pytest.fixture
def urls(people) -> list[tuple[str, str]]:
    """Each returns page with its method: the pages, downloads and both forms."""
    event = builders.event()
    parameter = SpendParameter.objects.create(
        event_kind="", year=2024, spend_per_delegate_day=200, source="A study"
    )
    return [
        ("get", reverse("backoffice:returns_year")),
        ("get", reverse("backoffice:returns_year_export")),
        ("get", reverse("backoffice:event_returns", args=[event.pk])),
        ("get", reverse("backoffice:event_returns_export", args=[event.pk])),
        ("get", reverse("backoffice:event_summary", args=[event.pk])),
        ("get", reverse("backoffice:returns_settings")),
        ("post", reverse("backoffice:returns_settings")),
        ("get", reverse("backoffice:spend_parameters")),
        ("get", reverse("backoffice:spend_parameter_new")),
        ("post", reverse("backoffice:spend_parameter_new")),
        ("get", reverse("backoffice:spend_parameter_edit", args=[parameter.pk])),
        ("post", reverse("backoffice:spend_parameter_edit", args=[parameter.pk])),
    ]


class ReturnsAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, urls):
        for method, url in urls:
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert "/connexion/" in response["Location"], url

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_users_who_are_not_staff(self, client, people, urls, who):
        client.force_login(getattr(people, who))
        for method, url in urls:
            data = {"window_months": 1, "rule": "shared", "min_useful_contacts": 0}
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            assert response.status_code == 403, url
        assert not ReturnsSettings.objects.filter(rule="shared").exists()
        assert SpendParameter.objects.count() == 1

    def test_it_lets_staff_in(self, client, people, urls):
        client.force_login(people.staff)
        for method, url in urls:
            if method == "get":
                assert client.get(url).status_code == 200, url

    def test_it_answers_404_for_an_unknown_event(self, client, people):
        client.force_login(people.staff)
        for name in ("event_returns", "event_returns_export", "event_summary"):
            assert client.get(reverse(f"backoffice:{name}", args=[999999])).status_code == 404
        url = reverse("backoffice:spend_parameter_edit", args=[999999])
        assert client.get(url).status_code == 404
