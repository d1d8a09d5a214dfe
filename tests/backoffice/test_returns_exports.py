"""The XLSX downloads of the returns (a year, an event) open and hold the figures, and the
one-page summary for the partners holds counts and scope but no person."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests.backoffice.test_returns_fixtures import YEAR, event_with_a_win, settings_row
from tests.operations import builders


@pytest.fixture
def event(people):
    settings_row()
    return event_with_a_win()


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content))


class YearExportTestCase:
    def test_it_holds_every_event_the_kinds_and_the_ranking(self, client, people, event):
        builders.event(name="=HYPERLINK(1)", kind="trade_show", starts_on=datetime.date(YEAR, 9, 1))
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:returns_year_export"), {"year": YEAR})
        assert f"returns-{YEAR}.xlsx" in response["Content-Disposition"]
        book = workbook(response)
        assert book.sheetnames == ["events", "by_kind", "year_on_year", "ranking"]
        rows = list(book["events"].iter_rows(values_only=True))
        assert len(rows) == 3
        workshop = next(row for row in rows[1:] if row[0] == "Workshop Paris 2024")
        assert workshop[10] == 1000  # net cost
        assert workshop[11] == 2  # contacts met
        assert workshop[12] == 1  # useful contacts
        assert workshop[15] == 80  # delegate-days
        assert workshop[17] == 16000  # economic impact
        assert workshop[21] == 16  # impact per euro
        # A name a spreadsheet would run as a formula is written as text.
        assert any(row[0] == "=HYPERLINK(1)" for row in rows[1:])
        assert book["events"].cell(row=3, column=1).data_type == "s"
        ranking = list(book["ranking"].iter_rows(values_only=True))
        assert ranking[1][1] == "Workshop Paris 2024"
        assert ranking[1][5] in ("keep", "review", "drop", "too_early")
        kinds = list(book["by_kind"].iter_rows(values_only=True))
        assert len(kinds) == 3
        year_on_year = list(book["year_on_year"].iter_rows(values_only=True))
        assert [row[0] for row in year_on_year[1:]] == [YEAR - 1, YEAR]

    def test_it_refuses_a_bad_year(self, client, people):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:returns_year_export"), {"year": "x"})
        assert response.status_code == 400


class EventExportTestCase:
    def test_it_holds_the_figures_costs_and_won_requests(self, client, people, event):
        client.force_login(people.staff)
        book = workbook(client.get(reverse("backoffice:event_returns_export", args=[event.pk])))
        assert book.sheetnames == ["event", "costs", "won_requests", "useful_contacts", "scope"]
        figures = [row[1] for row in book["event"].iter_rows(min_row=2, values_only=True)]
        assert figures[0] == "Workshop Paris 2024"
        assert figures[10] == 1000 and figures[17] == 16000
        costs = list(book["costs"].iter_rows(min_row=2, values_only=True))
        assert [(row[1], row[2]) for row in costs] == [(1000, 1200)]
        won = list(book["won_requests"].iter_rows(min_row=2, values_only=True))
        assert len(won) == 1 and won[0][3] == 40 and won[0][4] == 2 and won[0][7] == 1
        useful = list(book["useful_contacts"].iter_rows(min_row=2, values_only=True))
        assert len(useful) == 1 and "Exampleton" in useful[0][1]
        scope = list(book["scope"].iter_rows(min_row=2, values_only=True))
        assert ("75", 1) in [(row[1], row[2]) for row in scope]


class EventSummaryTestCase:
    def test_it_holds_counts_and_scope_but_no_person(self, client, people, event):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:event_summary", args=[event.pk]))
        assert response.status_code == 200
        text = response.text
        summary = text[text.index('data-testid="event-summary"') :]
        assert 'data-figure="contacts_met">2<' in summary
        assert 'data-figure="useful_contacts">1<' in summary
        assert 'data-figure="delegate_days">80<' in summary
        guests = list(event.guests.select_related("contact"))
        assert len(guests) == 2
        for guest in guests:
            assert guest.contact.first_name not in text
            assert guest.contact.last_name not in text
            assert guest.contact.email not in text
            assert reverse("backoffice:contact", args=[guest.contact.pk]) not in text
        assert "@" not in summary

    def test_it_carries_the_brand_and_the_print_stylesheet(self, client, people, event, settings):
        client.force_login(people.staff)
        text = client.get(reverse("backoffice:event_summary", args=[event.pk])).text
        assert f'data-testid="brand">{settings.MICEDESK_BRAND}<'.replace("&", "&amp;") in text
        assert 'href="/static/css/print.css" media="print"' in text

    def test_it_groups_the_smallest_origins_to_hold_on_one_page(self, client, people, event):
        for number in range(10):
            planner = builders.contact(department_code=f"{20 + number}")
            builders.met(event, planner)
            day = datetime.date(YEAR, 7, 1 + number)
            builders.won_request(planner, created_at=builders.aware(day))
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:event_summary", args=[event.pk]))
        origins = response.context["origins"]
        assert len(response.context["result"].by_origin) == 11
        assert len(origins) == 8
        assert sum(weight for _origin, weight in origins) == 11

    def test_it_has_no_request_reference(self, client, people, event):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:event_summary", args=[event.pk]))
        for request, _weight in response.context["result"].won_requests:
            assert request.reference not in response.text
            assert request.organisation not in response.text
        assert response.context["result"].economic_impact == Decimal("16000.00")
