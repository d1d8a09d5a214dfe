"""The back-office screens of the action plan: who may open them, the follow-up of a year, adding
and copying years, an action and its cost estimates, an action's year and its indicators. Edits
with good values change the database; refused ones re-render with the reason and change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.operations.models import BureauEvent, CostCategory, CostLine
from micedesk.plan.models import Action, ActionStatus, ActionYear, CostItem, ItemQuantity, Kpi, Plan
from micedesk.plan.reference import DEFAULT_PLAN_FILE, load_plan
from tests.operations import builders

NOT_STAFF = ["supplier", "partner", "outsider"]
CODE = "normandie-2023-2025"


def action_of(plan: Plan, code: str) -> Action:
    return plan.actions.get(code=code)


def year_of(plan: Plan, code: str, year: int) -> ActionYear:
    return ActionYear.objects.get(action__plan=plan, action__code=code, year=year)


def snapshot() -> list:
    """Everything the screens may write, to check that a refusal changed nothing."""
    return [
        list(Plan.objects.values().order_by("pk")),
        list(Action.objects.values().order_by("pk")),
        list(CostItem.objects.values().order_by("pk")),
        list(ActionYear.objects.values().order_by("pk")),
        list(ItemQuantity.objects.values().order_by("pk")),
        list(Kpi.objects.values().order_by("pk")),
    ]


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


@pytest.fixture
def en_client(staff_client):
    """Staff reading the back-office in English, to check the words of a refusal."""
    staff_client.cookies["django_language"] = "en"
    return staff_client


@pytest.fixture
def other_plan(plan, tmp_path) -> Plan:
    """A second plan, loaded from a copy of the data file under another code."""
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    path = tmp_path / "other.toml"
    path.write_text(text.replace(f'code = "{CODE}"', 'code = "other-plan"', 1), encoding="utf-8")
    return load_plan(path).plan


def url(name: str, *args: object) -> str:
    return reverse(f"backoffice:{name}", args=args)


# --- Who may open the screens -------------------------------------------------------------


@pytest.fixture
def urls(plan) -> list[tuple[str, str]]:
    """Each screen with its method: pages, forms and buttons."""
    action = action_of(plan, "eductours")
    action_year = year_of(plan, "eductours", 2024)
    item = action.costs.first()
    kpi = Kpi.objects.create(action_year=action_year, name="Hand-made")
    return [
        ("get", url("plan_home")),
        ("get", url("plan_year", CODE, 2024)),
        ("post", url("plan_year_add", CODE)),
        ("post", url("plan_year_copy", CODE, 2024)),
        ("get", url("plan_action_new", CODE)),
        ("post", url("plan_action_new", CODE)),
        ("get", url("plan_action", CODE, action.pk)),
        ("get", url("plan_action_edit", CODE, action.pk)),
        ("post", url("plan_action_edit", CODE, action.pk)),
        ("post", url("plan_action_follow", CODE, action.pk)),
        ("get", url("plan_cost_new", CODE, action.pk)),
        ("post", url("plan_cost_new", CODE, action.pk)),
        ("get", url("plan_cost", CODE, action.pk, item.pk)),
        ("post", url("plan_cost", CODE, action.pk, item.pk)),
        ("post", url("plan_cost_delete", CODE, action.pk, item.pk)),
        ("get", url("plan_action_year", CODE, action_year.pk)),
        ("post", url("plan_action_year", CODE, action_year.pk)),
        ("post", url("plan_action_year_delete", CODE, action_year.pk)),
        ("get", url("plan_kpi_new", CODE, action_year.pk)),
        ("post", url("plan_kpi_new", CODE, action_year.pk)),
        ("get", url("plan_kpi", CODE, action_year.pk, kpi.pk)),
        ("post", url("plan_kpi", CODE, action_year.pk, kpi.pk)),
        ("post", url("plan_kpi_delete", CODE, action_year.pk, kpi.pk)),
    ]


class PlanAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, urls):
        before = snapshot()
        for method, address in urls:
            response = getattr(client, method)(address)
            assert response.status_code == 302, address
            assert "/connexion/" in response["Location"], address
        assert snapshot() == before

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_users_who_are_not_staff(self, client, people, urls, who):
        client.force_login(getattr(people, who))
        before = snapshot()
        for method, address in urls:
            data = {"year": 2025, "title": "X", "label": "X", "name": "X", "status": "done"}
            response = client.post(address, data) if method == "post" else client.get(address)
            assert response.status_code == 403, address
        assert snapshot() == before

    def test_it_lets_staff_in(self, staff_client, urls):
        for method, address in urls:
            if method == "get":
                response = staff_client.get(address, follow=True)
                assert response.status_code == 200, address

    def test_it_shows_the_plan_in_the_menu(self, staff_client, plan):
        response = staff_client.get(url("plan_year", CODE, 2024))
        assert f'href="{url("plan_home")}" aria-current="page"' in response.content.decode()

    def test_it_answers_404_for_another_plans_ids(self, staff_client, plan, other_plan):
        foreign = action_of(other_plan, "eductours")
        foreign_year = foreign.years.get(year=2024)
        own = action_of(plan, "eductours")
        own_year = own.years.get(year=2024)
        foreign_item = foreign.costs.first()
        foreign_kpi = Kpi.objects.create(action_year=foreign_year, name="Theirs")
        for address in (
            url("plan_action", CODE, foreign.pk),
            url("plan_action_edit", CODE, foreign.pk),
            url("plan_cost_new", CODE, foreign.pk),
            url("plan_cost", CODE, own.pk, foreign_item.pk),
            url("plan_action_year", CODE, foreign_year.pk),
            url("plan_kpi_new", CODE, foreign_year.pk),
            url("plan_kpi", CODE, own_year.pk, foreign_kpi.pk),
        ):
            assert staff_client.get(address).status_code == 404, address
        before = snapshot()
        for address in (
            url("plan_cost_delete", CODE, own.pk, foreign_item.pk),
            url("plan_kpi_delete", CODE, own_year.pk, foreign_kpi.pk),
            url("plan_action_year_delete", CODE, foreign_year.pk),
            url("plan_action_follow", CODE, foreign.pk),
        ):
            assert staff_client.post(address, {"year": 2024}).status_code == 404, address
        assert snapshot() == before

    def test_it_answers_404_for_an_unknown_plan_or_a_year_outside_it(self, staff_client, plan):
        assert staff_client.get(url("plan_year", "no-such-plan", 2024)).status_code == 404
        assert staff_client.get(url("plan_year", CODE, 2022)).status_code == 404
        assert staff_client.get(url("plan_year", CODE, 2026)).status_code == 404


# --- The plan's home and its years --------------------------------------------------------


class PlanHomeTestCase:
    def test_it_says_how_to_load_a_plan_when_none_is(self, staff_client, db):
        response = staff_client.get(url("plan_home"))
        assert response.status_code == 200
        assert b'data-testid="no-plan"' in response.content
        assert b"manage.py load_plan" in response.content

    def test_it_opens_the_current_year_or_else_the_plans_last(self, staff_client, plan):
        this_year = timezone.localdate().year
        expected = this_year if plan.first_year <= this_year <= plan.last_year else plan.last_year
        response = staff_client.get(url("plan_home"))
        assert response.status_code == 302
        assert response["Location"] == url("plan_year", CODE, expected)

    def test_it_opens_the_current_year_once_the_plan_covers_it(self, staff_client, plan):
        this_year = timezone.localdate().year
        Plan.objects.filter(pk=plan.pk).update(last_year=max(this_year, plan.last_year))
        response = staff_client.get(url("plan_home"))
        assert response["Location"] == url("plan_year", CODE, max(this_year, plan.first_year))


class PlanYearTestCase:
    def test_it_shows_each_objective_with_its_actions_and_totals(self, staff_client, plan):
        response = staff_client.get(url("plan_year", CODE, 2023))
        assert response.status_code == 200
        follow_up = response.context["follow_up"]
        numbers = [part.objective.number for part, _lines in response.context["objectives"]]
        assert numbers == [1, 2, 3]
        shown = sum(len(lines) for _part, lines in response.context["objectives"])
        assert shown == ActionYear.objects.filter(action__plan=plan, year=2023).count()
        html = response.content.decode()
        assert f'data-value="{follow_up.planned_high}"' in html
        assert html.count('data-testid="objective-totals"') == 3
        assert "Qualifier l&#x27;envoi des demandes de devis entrantes" in html
        for year in plan.years:
            assert f'href="{url("plan_year", CODE, year)}"' in html
        assert f'href="{url("plan_synthesis", CODE)}"' in html
        assert f'href="{url("plan_timeline", CODE)}"' in html

    def test_it_lists_the_costs_the_plan_gives_no_figure_for(self, staff_client, plan):
        response = staff_client.get(url("plan_year", CODE, 2024))
        titles = [action.code for action in response.context["unknowns"]]
        assert "super-ambassadeurs" in titles
        assert b'data-testid="unknowns"' in response.content

    def test_it_marks_a_budget_entered_by_hand(self, staff_client, plan):
        ActionYear.objects.filter(pk=year_of(plan, "site-web", 2023).pk).update(
            planned_amount=Decimal("1234.50")
        )
        response = staff_client.get(url("plan_year", CODE, 2023))
        row = _row(response, year_of(plan, "site-web", 2023))
        assert 'data-low="1234.50"' in row
        assert 'data-testid="planned-entered"' in row

    def test_it_reads_actual_spend_from_the_years_events(self, staff_client, plan, people):
        action_year = year_of(plan, "eductours", 2024)
        event = _event("eductour", datetime.date(2024, 5, 14), actual=Decimal(800))
        response = staff_client.get(url("plan_year", CODE, 2024))
        row = _row(response, action_year)
        assert 'data-figure="actual" data-value="800.00"' in row
        assert f"{url('events')}?year=2024&amp;kind=eductour" in row
        assert event.pk

    def test_it_counts_indicators_measured_entered_and_missing(self, staff_client, plan):
        action_year = year_of(plan, "site-web", 2023)
        Kpi.objects.filter(action_year=action_year).delete()
        Kpi.objects.create(action_year=action_year, name="By hand", manual_value=3)
        Kpi.objects.create(action_year=action_year, name="Missing")
        Kpi.objects.create(action_year=action_year, name="Measured", measure="requests.received")
        response = staff_client.get(url("plan_year", CODE, 2023))
        row = _row(response, action_year)
        assert 'data-measured="1" data-by-hand="1" data-missing="1"' in row


def _row(response, action_year: ActionYear) -> str:
    """The table row of an action-year on the year's page."""
    html = response.content.decode()
    start = html.index(f'data-action-year="{action_year.pk}"')
    return html[start : html.index("</tr>", start)]


def _event(kind: str, day: datetime.date, *, actual: Decimal) -> BureauEvent:
    event = builders.event(kind=kind, starts_on=day)
    CostLine.objects.create(
        event=event, category=CostCategory.TRANSPORT, label="Train", budget=1000, actual=actual
    )
    return event


class PlanYearAddCopyTestCase:
    def test_it_adds_a_year(self, staff_client, plan):
        response = staff_client.post(url("plan_year_add", CODE))
        assert response["Location"] == url("plan_year", CODE, 2026)
        plan.refresh_from_db()
        assert plan.last_year == 2026

    def test_it_refuses_more_than_ten_years(self, en_client, plan):
        Plan.objects.filter(pk=plan.pk).update(last_year=2032)
        response = en_client.post(url("plan_year_add", CODE), follow=True)
        assert "A plan covers at most 10 years." in response.content.decode()
        plan.refresh_from_db()
        assert plan.last_year == 2032

    def test_it_copies_a_year_into_the_next_then_adds_nothing_new(self, en_client, plan):
        expected = (
            ActionYear.objects.filter(action__plan=plan, year=2025)
            .exclude(status=ActionStatus.DROPPED)
            .count()
        )
        response = en_client.post(url("plan_year_copy", CODE, 2025), follow=True)
        assert response.redirect_chain[-1][0] == url("plan_year", CODE, 2026)
        assert ActionYear.objects.filter(action__plan=plan, year=2026).count() == expected
        assert f"{expected} actions of 2025 copied to 2026." in response.content.decode()
        again = en_client.post(url("plan_year_copy", CODE, 2025), follow=True)
        assert ActionYear.objects.filter(action__plan=plan, year=2026).count() == expected
        assert "nothing to copy" in again.content.decode()

    def test_it_refuses_to_copy_an_empty_year(self, en_client, plan):
        en_client.post(url("plan_year_add", CODE))
        before = snapshot()
        response = en_client.post(url("plan_year_copy", CODE, 2026), follow=True)
        assert "2026 has no action to copy." in response.content.decode()
        assert snapshot() == before

    def test_it_refuses_to_copy_a_year_outside_the_plan(self, en_client, plan):
        before = snapshot()
        response = en_client.post(url("plan_year_copy", CODE, 2019), follow=True)
        assert "The plan runs from 2023 to 2025." in response.content.decode()
        assert snapshot() == before

    def test_the_buttons_only_answer_post(self, staff_client, plan):
        assert staff_client.get(url("plan_year_add", CODE)).status_code == 405
        assert staff_client.get(url("plan_year_copy", CODE, 2024)).status_code == 405


# --- An action ----------------------------------------------------------------------------


class PlanActionTestCase:
    def test_it_shows_the_action_as_the_plan_describes_it(self, staff_client, plan):
        action = action_of(plan, "eductours")
        response = staff_client.get(url("plan_action", CODE, action.pk))
        html = response.content.decode()
        assert action.title in html
        assert 'data-testid="also-objectives"' in html
        assert 'data-event-kind="eductour"' in html
        assert [line.action_year.year for line in response.context["lines"]] == [2023, 2024, 2025]
        for item in action.costs.all():
            assert f'data-cost="{item.pk}"' in html

    def test_it_shows_clearly_that_a_figure_is_unknown(self, staff_client, plan):
        action = action_of(plan, "super-ambassadeurs")
        response = staff_client.get(url("plan_action", CODE, action.pk))
        assert b'data-testid="cost-unknown"' in response.content
        assert b'data-unknown="true"' in response.content

    def test_it_offers_to_follow_the_action_in_the_years_it_is_not(self, staff_client, plan):
        action = action_of(plan, "site-web")
        response = staff_client.get(url("plan_action", CODE, action.pk))
        assert response.context["missing_years"] == [2024, 2025]
        response = staff_client.post(url("plan_action_follow", CODE, action.pk), {"year": 2024})
        created = action.years.get(year=2024)
        assert response["Location"] == url("plan_action_year", CODE, created.pk)

    def test_it_refuses_to_follow_twice_or_outside_the_plan(self, en_client, plan):
        action = action_of(plan, "eductours")
        before = snapshot()
        for year, text in ((2024, "already followed in 2024"), ("x", "The plan runs from")):
            address = url("plan_action_follow", CODE, action.pk)
            response = en_client.post(address, {"year": year}, follow=True)
            assert text in response.content.decode()
        assert snapshot() == before


class ActionFormTestCase:
    def test_it_creates_an_action_followed_from_its_start(self, staff_client, plan):
        objective = plan.objectives.get(number=2)
        address = url("plan_action_new", CODE)
        assert staff_client.get(address, {"objectif": 2}).context["form"].initial["objective"] == (
            objective
        )
        data = {
            "objective": objective.pk,
            "title": "Rencontres des prestataires",
            "timing": "start",
            "start_year": 2024,
            "event_kind": "workshop",
        }
        response = staff_client.post(address, data)
        action = plan.actions.get(title="Rencontres des prestataires")
        assert response["Location"] == url("plan_action", CODE, action.pk)
        assert list(action.years.values_list("year", flat=True)) == [2024, 2025]

    def test_it_edits_an_action(self, staff_client, plan, people):
        action = action_of(plan, "site-web")
        data = {
            "objective": action.objective_id,
            "also_objectives": [plan.objectives.get(number=1).pk],
            "title": "Parfaire le site web",
            "timing": "progressive",
            "owner": people.staff.pk,
            "lead": "CRT",
        }
        response = staff_client.post(url("plan_action_edit", CODE, action.pk), data)
        assert response.status_code == 302
        action.refresh_from_db()
        assert (action.title, action.timing, action.start_year) == (
            "Parfaire le site web",
            "progressive",
            None,
        )
        assert action.owner == people.staff
        assert [o.number for o in action.also_objectives.all()] == [1]

    def test_it_refuses_an_action_to_start_without_its_year(self, en_client, plan):
        action = action_of(plan, "site-web")
        before = snapshot()
        data = {"objective": action.objective_id, "title": "Nouveau titre", "timing": "start"}
        response = en_client.post(url("plan_action_edit", CODE, action.pk), data)
        assert response.status_code == 400
        assert response.context["form"].errors["start_year"] == [
            "An action to start in a given year needs that year."
        ]
        assert response.context["action"].title == action.title
        assert snapshot() == before

    def test_it_refuses_an_objective_of_another_plan(self, staff_client, plan, other_plan):
        before = snapshot()
        foreign = other_plan.objectives.get(number=1)
        data = {"objective": foreign.pk, "title": "X", "timing": "progressive"}
        response = staff_client.post(url("plan_action_new", CODE), data)
        assert response.status_code == 400
        assert "objective" in response.context["form"].errors
        assert snapshot() == before


# --- Cost estimates -----------------------------------------------------------------------


COST = {"label": "Vidéo courte", "unit": "vidéo", "for_quantity": 1}


class CostFormTestCase:
    def test_it_adds_a_cost_estimate_to_each_year(self, staff_client, plan):
        action = action_of(plan, "site-web")
        data = {**COST, "amount_low": "1 500,50", "amount_high": "2000", "staff_months": "0,5"}
        response = staff_client.post(url("plan_cost_new", CODE, action.pk), data)
        assert response["Location"] == url("plan_action", CODE, action.pk) + "#costs"
        item = action.costs.get(label="Vidéo courte")
        assert (item.amount_low, item.amount_high, item.staff_months) == (
            Decimal("1500.50"),
            Decimal("2000.00"),
            Decimal("0.50"),
        )
        assert item.quantities.count() == action.years.count()

    def test_it_records_an_unknown_figure(self, staff_client, plan):
        action = action_of(plan, "site-web")
        staff_client.post(url("plan_cost_new", CODE, action.pk), COST)
        assert action.costs.get(label="Vidéo courte").is_unknown

    def test_it_edits_a_cost_estimate(self, staff_client, plan):
        action = action_of(plan, "eductours")
        item = action.costs.first()
        data = {"label": item.label, "amount_low": "100", "amount_high": "200", "for_quantity": 1}
        staff_client.post(url("plan_cost", CODE, action.pk, item.pk), data)
        item.refresh_from_db()
        assert (item.amount_low, item.amount_high) == (Decimal(100), Decimal(200))

    @pytest.mark.parametrize(
        ("low", "high", "field", "message"),
        [
            ("-5", "10", "amount_low", "An amount cannot be negative."),
            ("300", "200", "amount_high", "The low estimate (300.00 €) is above the high"),
            ("300", "", None, "Give both the low and the high estimate, or neither"),
            ("abc", "10", "amount_low", "Enter a number."),
        ],
    )
    def test_it_refuses_bad_amounts(self, en_client, plan, low, high, field, message):
        action = action_of(plan, "eductours")
        item = action.costs.first()
        before = snapshot()
        data = {"label": "Changed", "amount_low": low, "amount_high": high, "for_quantity": 1}
        for address in (
            url("plan_cost", CODE, action.pk, item.pk),
            url("plan_cost_new", CODE, action.pk),
        ):
            response = en_client.post(address, data)
            assert response.status_code == 400
            errors = response.context["form"].errors.get(field or "__all__")
            assert errors and errors[0].startswith(message), errors
            assert 'data-testid="form-errors"' in response.content.decode()
        assert snapshot() == before

    def test_it_refuses_zero_units(self, staff_client, plan):
        action = action_of(plan, "eductours")
        before = snapshot()
        data = {**COST, "amount_low": "1", "amount_high": "2", "for_quantity": 0}
        response = staff_client.post(url("plan_cost_new", CODE, action.pk), data)
        assert response.status_code == 400
        assert "for_quantity" in response.context["form"].errors
        assert snapshot() == before

    def test_it_deletes_a_cost_estimate(self, staff_client, plan):
        action = action_of(plan, "eductours")
        item = action.costs.first()
        staff_client.post(url("plan_cost_delete", CODE, action.pk, item.pk))
        assert not CostItem.objects.filter(pk=item.pk).exists()


# --- An action's year ---------------------------------------------------------------------


def year_data(action_year: ActionYear, **changes: object) -> dict:
    data = {
        "status": action_year.status,
        "priority": action_year.priority,
        "planned_amount": "",
        "committed_amount": "0",
        "actual_amount": "0",
        "notes": "",
    }
    for row in action_year.quantities.all():
        data[f"q-{row.item_id}"] = row.quantity
        data[f"max-{row.item_id}"] = row.max_quantity
    data.update(changes)
    return data


class ActionYearTestCase:
    def test_it_shows_the_spend_events_and_indicators(self, staff_client, plan, people):
        action_year = year_of(plan, "eductours", 2024)
        event = _event("eductour", datetime.date(2024, 9, 3), actual=Decimal(450))
        _event("webinar", datetime.date(2024, 9, 3), actual=Decimal(99))
        response = staff_client.get(url("plan_action_year", CODE, action_year.pk))
        assert response.status_code == 200
        html = response.content.decode()
        assert [e.pk for e, _costs in response.context["events"]] == [event.pk]
        assert f'href="{url("event", event.pk)}"' in html
        assert 'data-figure="actual_events" data-value="450.00"' in html
        for row in action_year.quantities.all():
            assert f'name="q-{row.item_id}"' in html
            assert f'name="max-{row.item_id}"' in html

    def test_it_says_where_each_indicator_value_comes_from(self, staff_client, plan):
        action_year = year_of(plan, "site-web", 2023)
        Kpi.objects.filter(action_year=action_year).delete()
        by_hand = Kpi.objects.create(
            action_year=action_year, name="Pages", manual_value=12, manual_source="Matomo"
        )
        missing = Kpi.objects.create(action_year=action_year, name="Missing", target=5)
        measured = Kpi.objects.create(
            action_year=action_year, name="Requests", measure="requests.received", target=1
        )
        response = staff_client.get(url("plan_action_year", CODE, action_year.pk))
        html = response.content.decode()
        assert f'data-kpi="{by_hand.pk}" data-origin="by_hand"' in html
        assert f'data-kpi="{missing.pk}" data-origin="missing"' in html
        assert f'data-kpi="{measured.pk}" data-origin="' in html
        assert "Matomo" in html
        values = {item.kpi.pk: item for item in response.context["line"].kpis}
        assert values[measured.pk].measured
        assert not values[by_hand.pk].measured

    def test_it_saves_the_years_follow_up(self, staff_client, plan):
        action_year = year_of(plan, "eductours", 2024)
        row = action_year.quantities.first()
        changes = {
            "status": "committed",
            "priority": 5,
            "planned_amount": "12 000",
            "committed_amount": "",
            "actual_amount": "350,25",
            "notes": "Avec Caen",
            f"q-{row.item_id}": 2,
            f"max-{row.item_id}": 4,
        }
        address = url("plan_action_year", CODE, action_year.pk)
        response = staff_client.post(address, year_data(action_year, **changes))
        assert response["Location"] == address
        action_year.refresh_from_db()
        row.refresh_from_db()
        assert (action_year.status, action_year.priority, action_year.notes) == (
            "committed",
            5,
            "Avec Caen",
        )
        assert action_year.planned_amount == Decimal(12000)
        assert action_year.committed_amount == 0
        assert action_year.actual_amount == Decimal("350.25")
        assert (row.quantity, row.max_quantity) == (2, 4)

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"priority": 7}, "priority", "The priority goes from 0 to 5."),
            ({"status": "forgotten"}, "status", "Unknown status."),
            ({"actual_amount": "-10"}, "actual_amount", "An amount cannot be negative."),
            ({"planned_amount": "beaucoup"}, "planned_amount", "Enter a number."),
            ({"quantity": (3, 2)}, None, "planned is more than the 2 at most."),
            ({"quantity": (-1, 2)}, None, "a quantity cannot be negative."),
        ],
    )
    def test_it_refuses_bad_values(self, en_client, plan, changes, field, message):
        action_year = year_of(plan, "eductours", 2024)
        if "quantity" in changes:
            row = action_year.quantities.first()
            quantity, most = changes.pop("quantity")
            changes = {f"q-{row.item_id}": quantity, f"max-{row.item_id}": most}
        before = snapshot()
        data = year_data(action_year, notes="Should not be saved", **changes)
        response = en_client.post(url("plan_action_year", CODE, action_year.pk), data)
        assert response.status_code == 400
        errors = response.context["form"].errors.get(field or "__all__")
        assert errors and message in errors[0], errors
        assert snapshot() == before

    def test_it_refuses_more_than_one_lump_sum(self, en_client, plan):
        action_year = year_of(plan, "site-web", 2023)
        row = action_year.quantities.filter(item__unit="").first()
        before = snapshot()
        data = year_data(action_year, **{f"max-{row.item_id}": 3})
        response = en_client.post(url("plan_action_year", CODE, action_year.pk), data)
        assert response.status_code == 400
        assert "is a lump sum" in response.context["form"].errors["__all__"][0]
        assert snapshot() == before

    def test_it_stops_following_an_action_in_a_year(self, staff_client, plan):
        action_year = year_of(plan, "eductours", 2025)
        response = staff_client.post(url("plan_action_year_delete", CODE, action_year.pk))
        assert response["Location"] == url("plan_action", CODE, action_year.action_id) + "#years"
        assert not ActionYear.objects.filter(pk=action_year.pk).exists()


# --- Indicators ---------------------------------------------------------------------------


class KpiFormTestCase:
    def test_it_adds_an_indicator_entered_by_hand(self, staff_client, plan):
        action_year = year_of(plan, "site-web", 2023)
        data = {"name": "Visites", "measure": "", "target": "1 000", "manual_value": "850"}
        response = staff_client.post(url("plan_kpi_new", CODE, action_year.pk), data)
        assert response["Location"] == url("plan_action_year", CODE, action_year.pk) + "#kpis"
        kpi = action_year.kpis.get(name="Visites")
        assert (kpi.target, kpi.manual_value) == (Decimal(1000), Decimal(850))

    def test_it_adds_a_measured_indicator(self, staff_client, plan):
        action_year = year_of(plan, "site-web", 2023)
        data = {"name": "Demandes", "measure": "requests.received", "target": "10"}
        staff_client.post(url("plan_kpi_new", CODE, action_year.pk), data)
        assert action_year.kpis.get(name="Demandes").measure == "requests.received"

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            (
                {"measure": "requests.received", "manual_value": "3"},
                "manual_value",
                "This indicator is measured by micedesk",
            ),
            ({"measure": "weather.sunny"}, "measure", "Unknown measure: weather.sunny."),
            ({"target": "lots"}, "target", "Enter a number."),
            ({"name": ""}, "name", "This field is required."),
        ],
    )
    def test_it_refuses_bad_values(self, en_client, plan, changes, field, message):
        action_year = year_of(plan, "site-web", 2023)
        kpi = Kpi.objects.create(action_year=action_year, name="Visites")
        before = snapshot()
        data = {"name": "Renamed", "measure": "", **changes}
        for address in (
            url("plan_kpi", CODE, action_year.pk, kpi.pk),
            url("plan_kpi_new", CODE, action_year.pk),
        ):
            response = en_client.post(address, data)
            assert response.status_code == 400
            errors = response.context["form"].errors[field]
            assert errors[0].startswith(message), errors
        assert snapshot() == before

    def test_it_deletes_an_indicator(self, staff_client, plan):
        action_year = year_of(plan, "site-web", 2023)
        kpi = Kpi.objects.create(action_year=action_year, name="Visites")
        staff_client.post(url("plan_kpi_delete", CODE, action_year.pk, kpi.pk))
        assert not Kpi.objects.filter(pk=kpi.pk).exists()
