"""Loading the plan from its data file: every action, cost and year; unknown figures stay unknown;
a second load keeps staff edits; a bad file is refused whole, saying where and why."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from micedesk.plan.demo import demo_plan_extend
from micedesk.plan.models import Action, ActionYear, CostItem, ItemQuantity, Kpi, Plan, Timing
from micedesk.plan.reference import DEFAULT_PLAN_FILE, PlanFileError, load_plan

pytestmark = pytest.mark.django_db


def test_the_plan_is_loaded_whole(plan):
    assert plan.first_year == 2023 and plan.last_year == 2025
    assert plan.stated_min_budget == Decimal("130000") and plan.stated_fte == Decimal("2")
    assert "budget minimal de 130.000 €" in plan.budget_wording
    assert [o.number for o in plan.objectives.all()] == [1, 2, 3]
    counts = {o.number: o.actions.count() for o in plan.objectives.all()}
    assert counts == {1: 7, 2: 5, 3: 9}
    eductours = Action.objects.get(plan=plan, code="eductours")
    assert [o.number for o in eductours.also_objectives.all()] == [3]
    assert CostItem.objects.filter(action__plan=plan).count() == 24


def test_unknown_and_nil_figures_are_told_apart(plan):
    ambassadors = CostItem.objects.get(action__code="super-ambassadeurs")
    assert ambassadors.is_unknown and ambassadors.cost_for(1) is None
    nil = CostItem.objects.filter(action__plan=plan, amount_low=0)
    assert {item.action.code for item in nil} == {
        "qualifier-demandes-devis",
        "dossiers-candidature",
    }
    assert all(item.amount_high == 0 for item in nil)


def test_units_and_quantities_follow_the_plan(plan):
    programme = CostItem.objects.get(action__code="programme-accompagnement")
    assert (programme.unit, programme.for_quantity) == ("établissement", 10)
    assert programme.cost_for(10) == (Decimal("327500.00"), Decimal("327500.00"))
    eductour = ItemQuantity.objects.get(item__action__code="eductours", action_year__year=2024)
    assert (eductour.quantity, eductour.max_quantity) == (2, 3)
    revision = CostItem.objects.get(action__code="recenser-qualifier-offres", position=2)
    quantities = dict(revision.quantities.values_list("action_year__year", "quantity"))
    assert quantities == {2023: 1, 2024: 0, 2025: 0}
    staff = CostItem.objects.get(action__code="base-clients-tourinsoft")
    assert staff.staff_months == Decimal("2")


def test_years_follow_the_timing(plan):
    years = {
        action.code: sorted(action.years.values_list("year", flat=True))
        for action in Action.objects.filter(plan=plan)
    }
    assert years["table-ronde"] == [2023]
    assert years["job-dating"] == [2023, 2024, 2025]
    for action in Action.objects.filter(plan=plan, timing=Timing.PROGRESSIVE):
        assert years[action.code] == [2023, 2024, 2025]
    assert all(
        action.start_year == 2023 for action in Action.objects.filter(plan=plan, timing="start")
    )


def test_indicators_name_measures_or_are_entered_by_hand(plan):
    from micedesk.plan.measures import MEASURES

    kpis = Kpi.objects.filter(action_year__action__plan=plan)
    assert kpis.exists()
    assert {k.measure for k in kpis if k.measure} <= set(MEASURES)
    assert not kpis.exclude(target=None).exists()  # the plan sets no targets
    hires = kpis.filter(action_year__action__code="job-dating", measure="")
    assert hires.exists()


def test_a_second_load_keeps_edits_and_replace_reloads(plan):
    ActionYear.objects.filter(action__plan=plan).update(priority=5)
    again = load_plan(DEFAULT_PLAN_FILE)
    assert not again.created and again.plan.pk == plan.pk
    assert not ActionYear.objects.exclude(priority=5).exists()
    fresh = load_plan(DEFAULT_PLAN_FILE, replace=True)
    assert fresh.created and Plan.objects.count() == 1
    assert not ActionYear.objects.filter(priority=5).exists()


def test_the_command_loads_and_says_what(db, capsys):
    call_command("load_plan")
    assert "21 actions" in capsys.readouterr().out
    call_command("load_plan")
    assert "already loaded" in capsys.readouterr().out


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('low = "5000"\nhigh = "7000"', 'low = "7000"\nhigh = "5000"', "is above high"),
        ('low = "4000"\nhigh = "4000"', 'low = "-4000"\nhigh = "4000"', "is negative"),
        ('low = "3000"\nhigh = "7000"', 'low = "3000"', "give both low and high"),
        ('low = "2000"', 'low = "deux mille"', "is not a number"),
        ("objective = 3", "objective = 9", "no objective 9"),
        ('timing = "start"', 'timing = "soon"', "timing must be one of"),
        ('event_kind = "job_dating"', 'event_kind = "party"', "unknown event kind"),
        ("years = [2023]", "years = [2031]", "outside the plan"),
        (
            "quantity = 2\nmax_quantity = 3",
            "quantity = 2\nmax_quantity = 1",
            "quantity above max_quantity",
        ),
        ("[plan]", "[plan", "plan.toml"),
    ],
)
def test_a_bad_file_is_refused_whole(db, tmp_path, old, new, message):
    with pytest.raises(PlanFileError, match=message):
        load_plan(_variant(tmp_path, old, new))
    assert not Plan.objects.exists() and not Action.objects.exists()


def test_the_command_refuses_a_missing_file(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_plan", str(tmp_path / "missing.toml"))


def test_the_demo_carries_the_plan_to_this_year(plan):
    added = demo_plan_extend(year=2026)
    assert added == [2026]
    plan.refresh_from_db()
    assert plan.last_year == 2026
    copied = ActionYear.objects.filter(action__plan=plan, year=2026)
    assert copied.count() == ActionYear.objects.filter(action__plan=plan, year=2025).count()
    assert demo_plan_extend(year=2026) == []
