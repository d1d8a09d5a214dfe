"""The synthesis screens of the action plan: the page (the plan's cost tables, totals, unknowns and
its own budget statement), its printable A4 page, its XLSX download, and the timeline of the
plan's years. Staff only."""

from __future__ import annotations

import datetime
import io
import re
import types
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from micedesk.backoffice import plan_synthesis_views
from micedesk.operations.models import EventStatus
from micedesk.plan import services
from micedesk.plan.models import Action, ActionStatus, ActionYear, CostItem
from micedesk.plan.selectors import plan_synthesis
from tests.operations import builders

NOT_STAFF = ["supplier", "partner", "outsider"]
NAMES = ["plan_synthesis", "plan_synthesis_print", "plan_synthesis_xlsx", "plan_timeline"]


def url(name: str, plan) -> str:
    return reverse(f"backoffice:{name}", args=[plan.code])


def english(client) -> None:
    """Interface strings in English (the site is French by default; translations come later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def attribute(html: str, testid: str, name: str) -> str:
    tag = re.search(rf'<[^>]*data-testid="{testid}"[^>]*>', html)
    assert tag, testid
    found = re.search(rf'{name}="([^"]*)"', tag.group(0))
    assert found, (testid, name)
    return found.group(1)


def row(html: str, code: str, objective: int) -> str:
    """The cost-table row of action `code` in objective `objective`'s table."""
    table = re.search(rf'<table[^>]*data-testid="costs-{objective}".*?</table>', html, re.S).group(
        0
    )
    found = re.search(rf'<tr data-action="{code}".*?</tr>', table, re.S)
    assert found, (code, objective)
    return found.group(0)


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


class SynthesisAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, plan):
        for name in NAMES:
            response = client.get(url(name, plan))
            assert response.status_code == 302, name
            assert "/connexion/" in response["Location"], name

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_users_who_are_not_staff(self, client, people, plan, who):
        client.force_login(getattr(people, who))
        for name in NAMES:
            assert client.get(url(name, plan)).status_code == 403, name

    def test_it_lets_staff_and_admins_in(self, client, people, plan):
        for who in ("staff", "admin"):
            client.force_login(getattr(people, who))
            for name in NAMES:
                assert client.get(url(name, plan)).status_code == 200, (who, name)

    def test_it_answers_404_for_an_unknown_plan(self, staff_client, plan):
        for name in NAMES:
            response = staff_client.get(reverse(f"backoffice:{name}", args=["no-such-plan"]))
            assert response.status_code == 404, name

    def test_it_refuses_to_be_posted_to(self, staff_client, plan):
        for name in NAMES:
            assert staff_client.post(url(name, plan)).status_code == 405, name


class SynthesisPageTestCase:
    def test_it_shows_the_totals_per_objective_and_overall(self, staff_client, plan):
        html = staff_client.get(url("plan_synthesis", plan)).text
        totals = {
            key: (
                Decimal(attribute(html, f"total-{key}", "data-low")),
                Decimal(attribute(html, f"total-{key}", "data-high")),
            )
            for key in ("1", "2", "3", "overall")
        }
        assert totals == {
            "1": (384500, 390500),
            "2": (36500, 109000),
            "3": (126500, 196000),
            "overall": (537500, 685500),
        }

    def test_it_states_each_estimate_as_the_plan_does(self, staff_client, plan):
        english(staff_client)
        html = staff_client.get(url("plan_synthesis", plan)).text
        assert "per éductour" in row(html, "eductours", 2)
        assert "for 10 établissements" in row(html, "programme-accompagnement", 1)
        assert "for 3 établissements" in row(html, "certification-centres-congres", 1)
        assert "per établissement" in row(html, "professionnalisation", 1)
        assert "lump sum" in row(html, "site-web", 3)
        # The plan's own words are kept beside the figures.
        assert "Néant si le CRT retient la 2ème option" in row(html, "qualifier-demandes-devis", 1)

    def test_it_marks_the_action_listed_under_two_objectives(self, staff_client, plan):
        english(staff_client)
        html = staff_client.get(url("plan_synthesis", plan)).text
        shared = row(html, "eductours", 3)
        assert "data-shared" in shared and "counted once" in shared
        assert "Also listed under objective 3" in row(html, "eductours", 2)
        assert "data-shared" not in row(html, "eductours", 2)
        assert 'data-testid="counted-once"' in html

    def test_it_lists_the_unknown_costs_and_the_plans_own_statement(self, staff_client, plan):
        english(staff_client)
        html = staff_client.get(url("plan_synthesis", plan)).text
        unknowns = re.search(r'<ul data-testid="unknowns">.*?</ul>', html, re.S).group(0)
        assert 'data-action="super-ambassadeurs"' in unknowns
        assert unknowns.count("<li") == 1
        ambassadors = row(html, "super-ambassadeurs", 3)
        assert "data-unknown" in ambassadors and "unknown" in ambassadors
        stated = re.search(r'<dd data-figure="stated_min_budget">(.*?)</dd>', html, re.S).group(1)
        assert re.sub(r"\D", "", stated) == "130000"
        fte = re.search(r'<dd data-figure="stated_fte">(.*?)</dd>', html, re.S).group(1)
        assert fte.strip() == "2"
        computed = re.search(r'<dd data-figure="computed">(.*?)</dd>', html, re.S).group(1)
        assert re.sub(r"\D", "", computed) == "537500685500"
        assert "budget minimal de 130.000 €" in html
        assert "not expected to equal their total" in html

    def test_it_groups_the_actions_to_start_by_year_and_the_progressive_ones(
        self, staff_client, plan
    ):
        html = staff_client.get(url("plan_synthesis", plan)).text
        start = re.search(r'data-testid="start-3-2023".*?</ul>', html, re.S).group(0)
        assert start.count("<li") == 4
        progressive = re.search(r'data-testid="progressive-3".*?</ul>', html, re.S).group(0)
        assert progressive.count("<li") == 6 and 'data-action="eductours"' in progressive

    def test_it_shows_a_new_unknown_cost_as_unknown_not_zero(self, staff_client, plan):
        action = Action.objects.get(plan=plan, code="site-web")
        CostItem.objects.create(action=action, label="Hébergement", position=9)
        html = staff_client.get(url("plan_synthesis", plan)).text
        line = row(html, "site-web", 3)
        assert "data-unknown" in line and 'data-low="2000.00"' in line
        assert 'data-action="site-web"' in re.search(
            r'<ul data-testid="unknowns">.*?</ul>', html, re.S
        ).group(0)

    def test_it_reads_the_plan_in_a_few_queries(
        self, staff_client, plan, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(15):
            assert staff_client.get(url("plan_synthesis", plan)).status_code == 200

    def test_it_has_print_styles_and_links_to_the_print_page(self, staff_client, plan):
        html = staff_client.get(url("plan_synthesis", plan)).text
        assert 'href="/static/css/print-plan.css" media="print"' in html
        assert url("plan_synthesis_print", plan) in html
        assert url("plan_synthesis_xlsx", plan) in html


class SynthesisPrintTestCase:
    def test_it_is_an_a4_page_without_the_menu(self, staff_client, plan):
        response = staff_client.get(url("plan_synthesis_print", plan))
        html = response.text
        assert response.status_code == 200
        assert "<nav" not in html and "site-header" not in html
        assert 'href="/static/css/print-plan.css">' in html  # for the screen too, not print only
        assert Decimal(attribute(html, "total-overall", "data-low")) == 537500
        for number in (1, 2, 3):
            assert f'data-testid="costs-{number}"' in html

    def test_its_stylesheet_sets_an_a4_page(self):
        css = (settings.BASE_DIR / "static" / "css" / "print-plan.css").read_text()
        assert "size: A4 portrait" in css and "size: A4 landscape" in css


class SynthesisXlsxTestCase:
    def test_it_opens_and_its_numbers_are_the_selectors(self, staff_client, people, plan):
        response = staff_client.get(url("plan_synthesis_xlsx", plan))
        assert response.status_code == 200
        assert f'filename="synthese-{plan.code}.xlsx"' in response["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        synthesis = plan_synthesis(user=people.staff, plan=plan)
        assert len(book.sheetnames) == 4
        for part, name in zip(synthesis.objectives, book.sheetnames[:3], strict=True):
            sheet = book[name]
            assert sheet.freeze_panes == "A2"
            rows = list(sheet.iter_rows(min_row=2, values_only=True))
            *items, total = rows
            assert (total[4], total[5]) == (part.low, part.high)
            for synthesis_row in part.rows:
                mine = [r for r in items if r[0] == synthesis_row.action.title]
                assert len(mine) == max(1, len(synthesis_row.costs))
                low = sum((Decimal(str(r[4] or 0)) for r in mine), Decimal(0))
                high = sum((Decimal(str(r[5] or 0)) for r in mine), Decimal(0))
                assert (low, high) == (synthesis_row.low, synthesis_row.high)
        totals = list(book[book.sheetnames[3]].iter_rows(min_row=2, values_only=True))
        assert [(r[2], r[3]) for r in totals[:4]] == [
            (384500, 390500),
            (36500, 109000),
            (126500, 196000),
            (537500, 685500),
        ]
        assert totals[4] == (None, None, None, None, None)
        assert totals[5][2] == 130000 and totals[6][2] == 2
        assert "budget minimal" in totals[7][1]

    def test_it_leaves_unknown_figures_empty_with_a_note(self, staff_client, plan):
        english(staff_client)
        response = staff_client.get(url("plan_synthesis_xlsx", plan))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["Objective 3"]
        header = [cell.value for cell in sheet[1]]
        assert header[4:6] == ["Low (€)", "High (€)"] and header[-1] == "The plan's words"
        line = next(r for r in sheet.iter_rows(min_row=2) if "Super Ambassadeurs" in r[0].value)
        assert line[4].value is None and line[5].value is None
        assert "unknown" in line[4].comment.text
        eductour = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "Éductour")
        assert eductour[3].value == "per éductour"
        assert eductour[4].value == 10000 and "€" in eductour[4].number_format
        assert "counted once" in eductour[7].value
        assert book.sheetnames[3] == "Totals"

    def test_it_writes_a_formula_like_title_as_text(self, staff_client, plan):
        Action.objects.filter(plan=plan, code="site-web").update(title="=HYPERLINK(1)")
        response = staff_client.get(url("plan_synthesis_xlsx", plan))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = [r[0] for r in book.worksheets[2].iter_rows(min_row=2)]
        written = next(c for c in cells if c.value == "=HYPERLINK(1)")
        assert written.data_type == "s"


class TimelineTestCase:
    @pytest.fixture
    def frozen(self, monkeypatch):
        """Today is 15 June 2024 for the view."""
        day = datetime.date(2024, 6, 15)
        monkeypatch.setattr(
            plan_synthesis_views, "timezone", types.SimpleNamespace(localdate=lambda: day)
        )
        return day

    def cell(self, html: str, code: str, year: int) -> str:
        line = re.search(rf'<tr data-action="{code}">.*?</tr>', html, re.S).group(0)
        return re.search(rf'<td class="plan-tl-cell" data-year="{year}".*?</td>', line, re.S).group(
            0
        )

    def test_it_shows_an_event_on_its_month_and_a_dropped_years_status(
        self, staff_client, plan, frozen
    ):
        english(staff_client)
        held = builders.event(name="Éductour Pays d'Auge", kind="eductour", starts_on=frozen)
        builders.event(
            name="Éductour annulé",
            kind="eductour",
            starts_on=datetime.date(2024, 9, 3),
            status=EventStatus.CANCELLED,
        )
        builders.event(name="Workshop Rouen", kind="workshop", starts_on=datetime.date(2024, 3, 1))
        dropped = ActionYear.objects.get(action__plan=plan, action__code="table-ronde", year=2023)
        services.action_year_update(
            action_year=dropped, user=None, data={"status": ActionStatus.DROPPED}, quantities={}
        )
        html = staff_client.get(url("plan_timeline", plan)).text

        eductours = self.cell(html, "eductours", 2024)
        assert f'data-event="{held.pk}"' in eductours and "plan-tl-dot m-6" in eductours
        assert reverse("backoffice:event", args=[held.pk]) in eductours
        assert "Éductour annulé" not in html
        assert "data-event" not in self.cell(html, "eductours", 2023)
        assert "Workshop Rouen" in self.cell(html, "workshops-normandie-idf", 2024)
        assert "Workshop Rouen" not in eductours

        round_table = self.cell(html, "table-ronde", 2023)
        assert 'data-status="dropped"' in round_table
        assert "plan-tl-bar--dropped" in round_table and "Dropped" in round_table
        assert "plan-tl-none" in self.cell(html, "table-ronde", 2024)

    def test_it_marks_today_in_its_year_only(self, staff_client, plan, frozen):
        html = staff_client.get(url("plan_timeline", plan)).text
        assert 'class="plan-tl-today m-6"' in self.cell(html, "site-web", 2024)
        assert "plan-tl-today" not in self.cell(html, "site-web", 2023)
        assert html.count('data-testid="today"') == 21

    def test_it_lists_every_action_once_under_its_objective(self, staff_client, plan):
        html = staff_client.get(url("plan_timeline", plan)).text
        assert html.count("<tr data-action=") == 21
        objective_2 = re.search(r'<tbody data-objective="2">.*?</tbody>', html, re.S).group(0)
        assert objective_2.count("<tr data-action=") == 5
        assert 'data-action="eductours"' in objective_2
        for year in plan.years:
            assert re.search(rf'<th scope="col" class="plan-tl-year[^"]*" data-year="{year}"', html)

    def test_a_year_added_to_the_plan_gets_its_column(self, staff_client, plan):
        services.plan_year_add(plan=plan, user=None)
        html = staff_client.get(url("plan_timeline", plan)).text
        assert "plan-tl-none" in self.cell(html, "site-web", 2026)

    def test_it_reads_the_plan_in_a_few_queries(
        self, staff_client, plan, django_assert_max_num_queries
    ):
        builders.event(kind="eductour", starts_on=datetime.date(2024, 5, 2))
        with django_assert_max_num_queries(20):
            assert staff_client.get(url("plan_timeline", plan)).status_code == 200
