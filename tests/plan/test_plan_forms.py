"""The forms of the action plan screens: what they accept as staff type it (French amounts with
spaces and commas), the choices they offer (the plan's years, staff, measures), and what they
refuse before the services are asked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from micedesk.backoffice.plan_forms import (
    ActionForm,
    ActionYearForm,
    CostItemForm,
    KpiForm,
    NumberField,
)
from micedesk.plan import measures
from micedesk.plan.models import ActionYear, Timing


def eductours_2024(plan) -> ActionYear:
    return ActionYear.objects.get(action__plan=plan, action__code="eductours", year=2024)


class NumberFieldTestCase:
    @pytest.mark.parametrize(
        ("typed", "value"),
        [
            ("1 500,50", Decimal("1500.50")),
            ("1\u00a0500", Decimal(1500)),
            ("1\u202f500,5", Decimal("1500.5")),
            ("12,00", Decimal(12)),
        ],
    )
    def test_it_reads_french_amounts_with_spaces(self, typed, value):
        field = NumberField(localize=True, required=False)
        with translation.override("fr"):
            assert field.clean(typed) == value

    def test_it_reads_english_amounts(self):
        field = NumberField(localize=True, required=False)
        with translation.override("en"):
            assert field.clean("1500.50") == Decimal("1500.50")

    def test_it_refuses_words(self):
        field = NumberField(localize=True, required=False)
        with pytest.raises(ValidationError) as refused:
            field.clean("beaucoup")
        assert refused.value.code == "invalid"

    def test_empty_is_none(self):
        assert NumberField(required=False).clean("") is None


class ActionFormTestCase:
    def test_it_offers_the_plans_years_and_objectives(self, plan):
        form = ActionForm.for_action(None, plan=plan)
        assert [value for value, _label in form.fields["start_year"].choices] == [
            "",
            2023,
            2024,
            2025,
        ]
        assert [o.number for o in form.fields["objective"].queryset] == [1, 2, 3]
        assert form.initial["timing"] == Timing.PROGRESSIVE

    def test_it_offers_only_active_staff_as_followers(self, plan, people):
        form = ActionForm.for_action(None, plan=plan)
        followers = set(form.fields["owner"].queryset)
        assert {people.staff, people.admin} <= followers
        assert not followers & {people.supplier, people.partner, people.outsider}

    def test_it_starts_from_the_action(self, plan):
        action = plan.actions.get(code="eductours")
        form = ActionForm.for_action(action, plan=plan)
        assert form.initial["title"] == action.title
        assert form.initial["event_kind"] == "eductour"
        assert [o.number for o in form.initial["also_objectives"]] == [3]

    def test_it_preselects_the_objective_asked_for(self, plan):
        form = ActionForm.for_action(None, plan=plan, objective=3)
        assert form.initial["objective"].number == 3

    def test_it_refuses_a_year_outside_the_plan_and_an_unknown_kind(self, plan):
        data = {
            "objective": plan.objectives.get(number=1).pk,
            "title": "X",
            "timing": "start",
            "start_year": 2030,
            "event_kind": "party",
        }
        form = ActionForm(data, plan=plan)
        assert not form.is_valid()
        assert set(form.errors) == {"start_year", "event_kind"}


class CostItemFormTestCase:
    def test_it_leaves_both_amounts_empty_for_an_unknown_figure(self):
        form = CostItemForm({"label": "Programme", "for_quantity": 1})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount_low"] is None
        assert form.cleaned_data["amount_high"] is None

    def test_it_starts_from_the_cost_estimate(self, plan):
        item = plan.actions.get(code="eductours").costs.first()
        form = CostItemForm.for_item(item)
        assert form.initial["amount_low"] == item.amount_low
        assert form.initial["for_quantity"] == item.for_quantity

    def test_it_needs_a_label_and_a_whole_number_of_units(self):
        form = CostItemForm({"label": "", "for_quantity": "1,5"})
        assert not form.is_valid()
        assert set(form.errors) == {"label", "for_quantity"}


class ActionYearFormTestCase:
    def test_it_has_a_planned_and_a_maximum_input_per_cost_estimate(self, plan):
        action_year = eductours_2024(plan)
        form = ActionYearForm.for_action_year(action_year)
        rows = list(action_year.quantities.all())
        assert rows
        for row in rows:
            assert form.fields[f"q-{row.item_id}"].initial == row.quantity
            assert form.fields[f"max-{row.item_id}"].initial == row.max_quantity
        assert [item.pk for item, _q, _m in form.quantity_fields()] == [r.item_id for r in rows]

    def test_it_gives_the_service_its_data_and_quantities(self, plan):
        action_year = eductours_2024(plan)
        row = action_year.quantities.first()
        data = {
            "status": "planned",
            "priority": "4",
            "planned_amount": "",
            "committed_amount": "",
            "actual_amount": "10",
            "notes": "",
        }
        for each in action_year.quantities.all():
            data[f"q-{each.item_id}"] = each.quantity
            data[f"max-{each.item_id}"] = each.max_quantity
        data[f"q-{row.item_id}"] = "1"
        data[f"max-{row.item_id}"] = "3"
        form = ActionYearForm(data, action_year=action_year)
        assert form.is_valid(), form.errors
        given = form.data_for_service()
        assert given["priority"] == 4
        assert given["planned_amount"] is None
        assert given["committed_amount"] == Decimal(0)
        assert given["actual_amount"] == Decimal(10)
        assert form.quantities()[row.item_id] == (1, 3)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("priority", "7", "The priority goes from 0 to 5."),
            ("priority", "-1", "The priority goes from 0 to 5."),
            ("status", "forgotten", "Unknown status."),
        ],
    )
    def test_it_refuses_choices_it_does_not_offer(self, plan, field, value, message):
        action_year = eductours_2024(plan)
        form = ActionYearForm({field: value}, action_year=action_year)
        with translation.override("en"):
            assert not form.is_valid()
            assert form.errors[field] == [message]

    def test_it_needs_every_quantity(self, plan):
        action_year = eductours_2024(plan)
        row = action_year.quantities.first()
        form = ActionYearForm({"status": "planned", "priority": "3"}, action_year=action_year)
        assert not form.is_valid()
        assert f"q-{row.item_id}" in form.errors

    def test_the_priorities_say_what_they_mean(self):
        with translation.override("en"):
            labels = [
                str(label) for _value, label in ActionYearForm.base_fields["priority"].choices
            ]
        assert labels[0] == "0 · not wanted"
        assert labels[-1] == "5 · essential"


class KpiFormTestCase:
    def test_it_offers_the_measures_with_entered_by_hand_first(self):
        form = KpiForm()
        choices = list(form.fields["measure"].choices)
        assert choices[0][0] == ""
        assert {value for value, _label in choices[1:]} == set(measures.MEASURES)

    def test_it_refuses_an_unknown_measure(self):
        form = KpiForm({"name": "X", "measure": "weather.sunny"})
        with translation.override("en"):
            assert not form.is_valid()
            assert form.errors["measure"] == ["Unknown measure: weather.sunny."]

    def test_it_reads_a_target_typed_in_french(self):
        form = KpiForm({"name": "Visites", "measure": "", "target": "1 000,5"})
        with translation.override("fr"):
            assert form.is_valid(), form.errors
        assert form.cleaned_data["target"] == Decimal("1000.5")

    def test_it_starts_from_the_indicator(self, plan):
        action_year = eductours_2024(plan)
        kpi = action_year.kpis.first()
        assert kpi is not None
        form = KpiForm.for_kpi(kpi)
        assert form.initial["name"] == kpi.name
        assert form.initial["measure"] == kpi.measure
