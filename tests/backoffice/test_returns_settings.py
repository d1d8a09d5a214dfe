"""The returns parameters: the attribution settings (window, rule, minimum) and the spend per
delegate-day figures with their source and year; every bad input is refused, nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from micedesk.operations.models import ReturnsSettings, SpendParameter

SETTINGS_URL = reverse("backoffice:returns_settings")
NEW_URL = reverse("backoffice:spend_parameter_new")
GOOD_SETTINGS = {"window_months": "24", "rule": "shared", "min_useful_contacts": "5"}
GOOD_SPEND = {
    "event_kind": "congres",
    "year": "2024",
    "spend_per_delegate_day": "280,50",
    "source": "Congress spend study 2023",
    "notes": "",
}


@pytest.fixture
def staff(client, people):
    client.force_login(people.staff)
    return client


class ReturnsSettingsTestCase:
    def test_it_shows_the_rules_explained(self, staff):
        response = staff.get(SETTINGS_URL)
        assert response.status_code == 200
        assert response.text.count('name="rule"') == 3
        assert 'data-testid="rule-help"' in response.text
        assert len(response.context["rule_help"]) == 3

    def test_it_saves_the_settings(self, staff):
        response = staff.post(SETTINGS_URL, GOOD_SETTINGS)
        assert response.status_code == 302
        row = ReturnsSettings.objects.get(pk=1)
        assert (row.window_months, row.rule, row.min_useful_contacts) == (24, "shared", 5)

    def test_the_form_starts_from_the_current_settings(self, staff):
        ReturnsSettings.objects.create(pk=1, window_months=18, rule="last_touch")
        form = staff.get(SETTINGS_URL).context["form"]
        assert form.initial["window_months"] == 18 and form.initial["rule"] == "last_touch"

    @pytest.mark.parametrize(
        "field,value",
        [
            ("window_months", "0"),
            ("window_months", "121"),
            ("window_months", "deux ans"),
            ("window_months", ""),
            ("rule", "everyone"),
            ("rule", ""),
            ("min_useful_contacts", "-1"),
            ("min_useful_contacts", ""),
        ],
    )
    def test_it_refuses_bad_settings_and_writes_nothing(self, staff, field, value):
        response = staff.post(SETTINGS_URL, {**GOOD_SETTINGS, field: value})
        assert response.status_code == 400
        assert response.context["form"].errors[field]
        assert 'data-testid="form-errors"' in response.text
        assert not ReturnsSettings.objects.exists()


class SpendParametersTestCase:
    def test_it_lists_the_figures_with_their_source_and_year(self, staff):
        SpendParameter.objects.create(
            event_kind="", year=2023, spend_per_delegate_day=200, source="Seminar spend study"
        )
        response = staff.get(reverse("backoffice:spend_parameters"))
        assert response.status_code == 200
        assert "Seminar spend study" in response.text and "2023" in response.text

    def test_it_adds_a_figure(self, staff):
        response = staff.post(NEW_URL, GOOD_SPEND)
        assert response.status_code == 302
        parameter = SpendParameter.objects.get()
        assert parameter.event_kind == "congres" and parameter.year == 2024
        assert parameter.spend_per_delegate_day == Decimal("280.50")
        assert parameter.source == "Congress spend study 2023"

    def test_it_edits_a_figure(self, staff):
        parameter = SpendParameter.objects.create(
            event_kind="", year=2023, spend_per_delegate_day=200, source="Old"
        )
        url = reverse("backoffice:spend_parameter_edit", args=[parameter.pk])
        assert staff.get(url).context["form"].initial["source"] == "Old"
        response = staff.post(url, {**GOOD_SPEND, "event_kind": "", "year": "2023"})
        assert response.status_code == 302
        parameter.refresh_from_db()
        assert parameter.spend_per_delegate_day == Decimal("280.50")

    @pytest.mark.parametrize(
        "field,value",
        [
            ("spend_per_delegate_day", "-1"),
            ("spend_per_delegate_day", "beaucoup"),
            ("spend_per_delegate_day", "1000000"),
            ("spend_per_delegate_day", "12.345"),
            ("year", "1999"),
            ("year", ""),
            ("event_kind", "picnic"),
            ("source", ""),
            ("source", "   "),
        ],
    )
    def test_it_refuses_bad_figures_and_writes_nothing(self, staff, field, value):
        response = staff.post(NEW_URL, {**GOOD_SPEND, field: value})
        assert response.status_code == 400
        assert response.context["form"].errors[field]
        assert not SpendParameter.objects.exists()

    def test_it_refuses_a_second_figure_for_the_same_kind_and_year(self, staff):
        SpendParameter.objects.create(
            event_kind="congres", year=2024, spend_per_delegate_day=250, source="First"
        )
        response = staff.post(NEW_URL, GOOD_SPEND)
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
        assert 'data-testid="form-errors"' in response.text
        assert SpendParameter.objects.get().source == "First"

    def test_editing_a_figure_onto_another_kind_and_year_is_refused(self, staff):
        SpendParameter.objects.create(
            event_kind="", year=2024, spend_per_delegate_day=200, source="Default"
        )
        other = SpendParameter.objects.create(
            event_kind="congres", year=2024, spend_per_delegate_day=250, source="Congress"
        )
        url = reverse("backoffice:spend_parameter_edit", args=[other.pk])
        response = staff.post(url, {**GOOD_SPEND, "event_kind": ""})
        assert response.status_code == 400
        other.refresh_from_db()
        assert other.event_kind == "congres" and other.spend_per_delegate_day == 250
