"""Conversion figures on a small hand-built history whose answers are known, and their exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from micedesk.leads.figures import (
    LeadFigures,
    figures_export_csv,
    figures_export_xlsx,
    figures_for_period,
)
from micedesk.leads.models import DispatchStatus, RequestStatus
from tests import factories
from tests.leads.builders import dispatch, quote_request

S = DispatchStatus
START, END = datetime.date(2030, 3, 1), datetime.date(2030, 3, 31)


@pytest.fixture(autouse=True)
def in_english():
    """Labels are read in the active language: these tests compare them in English."""
    with translation.override("en"):
        yield


def paris(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def hours_after(moment: datetime.datetime, hours: float) -> datetime.datetime:
    return moment + datetime.timedelta(hours=hours)


def answered(request, supplier, hours: float, status: str, **fields):
    """A dispatch sent at the request's arrival and first answered `hours` later."""
    sent = request.created_at
    return dispatch(
        request,
        supplier=supplier,
        status=status,
        sent_at=sent,
        first_answer_at=hours_after(sent, hours),
        **fields,
    )


@pytest.fixture
def history(people, communes):
    """March 2030: seven requests (two not qualified), two won; two more outside the month.

    R1 portal, seminar, 15 people, Caen: hotel (2 h, proposal) won; competitor (10 h, declined).
    R2 portal, congress, 300 people, dept 76: centre (4 h, interested); competitor (no answer); lost.
    R3 api, seminar, 60 people, depts 14 and 76: hotel (6 h, interested); competitor (1 h,
       proposal) won.
    R4 staff, gala evening, 25 people, dept 61: sent to the partner only, no answer.
    R5 spam, R6 duplicate; R7 portal, training, 10 people, dept 50, held for review.
    """
    hotel, competitor = people.hotel, people.other_hotel
    centre = factories.SupplierFactory(
        name="Centre des Congrès de Caen", category="convention_centre"
    )
    r1 = quote_request(
        created_at=paris(2030, 3, 1, 0, 0),
        participants=15,
        commune=communes["14118"],
        departments=[],
        status=RequestStatus.WON,
        won_by=hotel,
    )
    answered(r1, hotel, 2, S.WON, proposal_amount=Decimal("5000"))
    answered(r1, competitor, 10, S.DECLINED, decline_reason="Full")
    r2 = quote_request(
        created_at=paris(2030, 3, 5, 9, 0),
        event_kind="congres",
        participants=300,
        departments=["76"],
        status=RequestStatus.LOST,
    )
    answered(r2, centre, 4, S.LOST)
    dispatch(r2, supplier=competitor, status=S.LOST, sent_at=r2.created_at)
    r3 = quote_request(
        created_at=paris(2030, 3, 10, 14, 30),
        channel="api",
        participants=60,
        departments=["14", "76"],
        status=RequestStatus.WON,
        won_by=competitor,
    )
    answered(r3, hotel, 6, S.LOST)
    answered(r3, competitor, 1, S.WON, proposal_amount=Decimal("8000"))
    r4 = quote_request(
        created_at=paris(2030, 3, 12, 8, 0),
        channel="staff",
        event_kind="soiree",
        participants=25,
        departments=["61"],
    )
    dispatch(r4, partner=people.partner_org, sent_at=r4.created_at)
    quote_request(created_at=paris(2030, 3, 15), status=RequestStatus.QUARANTINED)
    quote_request(created_at=paris(2030, 3, 16), status=RequestStatus.DUPLICATE)
    quote_request(
        created_at=paris(2030, 3, 31, 23, 59),
        event_kind="formation",
        participants=10,
        departments=["50"],
        status=RequestStatus.REVIEW,
    )
    for moment in (paris(2030, 4, 1, 0, 0), paris(2030, 2, 28, 23, 59)):
        outside = quote_request(created_at=moment, status=RequestStatus.WON, won_by=hotel)
        answered(outside, hotel, 100, S.WON, proposal_amount=Decimal("1"))
    return {"centre": centre}


def rows(figures: LeadFigures, name: str) -> list[list[object]]:
    return next(table for table in figures.tables if table.name == name).rows


@pytest.fixture
def figures(people, history) -> LeadFigures:
    return figures_for_period(user=people.staff, start=START, end=END)


class FiguresForPeriodTestCase:
    def test_the_funnel_counts_each_step(self, figures):
        assert rows(figures, "funnel") == [
            ["Received", 7, 100.0],
            ["Qualified (not spam, not a duplicate)", 5, 71.4],
            ["Sent to at least one recipient", 4, 57.1],
            ["Answered by at least one supplier", 3, 42.9],
            ["At least one proposal", 2, 28.6],
            ["Won", 2, 28.6],
        ]

    def test_conversion_by_channel(self, figures):
        assert rows(figures, "by_channel") == [
            ["Portal form", 3, 1, 33.3],
            ["API (partner web site)", 1, 1, 100.0],
            ["Entered by staff (phone, e-mail)", 1, 0, 0.0],
        ]

    def test_conversion_by_department_counts_a_request_in_each_department_it_names(self, figures):
        assert rows(figures, "by_department") == [
            ["Calvados (14)", 2, 2, 100.0],
            ["Manche (50)", 1, 0, 0.0],
            ["Orne (61)", 1, 0, 0.0],
            ["Seine-Maritime (76)", 2, 1, 50.0],
        ]

    def test_conversion_by_kind_of_supplier_compares_wins_with_dispatches(self, figures):
        assert rows(figures, "by_category") == [
            ["Hotel with meeting rooms", 2, 1, 50.0],
            ["Convention centre", 1, 0, 0.0],
            ["Château or unusual venue", 3, 1, 33.3],
        ]

    def test_which_kind_of_supplier_wins_which_kind_of_event(self, figures):
        table = next(t for t in figures.tables if t.name == "winners_by_event_kind")
        assert table.columns == [
            "Kind of event",
            "Hotel with meeting rooms",
            "Château or unusual venue",
            "Total",
        ]
        assert table.rows == [["Seminar", 1, 1, 2]]

    def test_conversion_by_kind_of_event(self, figures):
        assert rows(figures, "by_event_kind") == [
            ["Seminar", 2, 2, 100.0],
            ["Congress", 1, 0, 0.0],
            ["Gala evening", 1, 0, 0.0],
            ["Training", 1, 0, 0.0],
        ]

    def test_conversion_by_size_of_event(self, figures):
        assert rows(figures, "by_size") == [
            ["Under 20", 2, 1, 50.0],
            ["20 to 49", 1, 0, 0.0],
            ["50 to 99", 1, 1, 100.0],
            ["100 to 249", 0, 0, None],
            ["250 and more", 1, 0, 0.0],
        ]

    def test_median_time_to_first_answer_per_supplier(self, figures):
        assert rows(figures, "answer_time_by_supplier") == [
            ["Centre des Congrès de Caen", "Convention centre", 1, 1, 100.0, 4.0],
            ["Château de la Forêt", "Château or unusual venue", 3, 2, 66.7, 5.5],
            ["Hôtel de la Plage", "Hotel with meeting rooms", 2, 2, 100.0, 4.0],
        ]

    def test_median_time_to_first_answer_per_kind_of_supplier(self, figures):
        assert rows(figures, "answer_time_by_category") == [
            ["Hotel with meeting rooms", 2, 2, 100.0, 4.0],
            ["Convention centre", 1, 1, 100.0, 4.0],
            ["Château or unusual venue", 3, 2, 66.7, 5.5],
        ]

    def test_a_supplier_that_never_answered_has_no_median(self, people, history):
        silent = factories.SupplierFactory(name="Abbaye silencieuse", category="unusual_venue")
        request = quote_request(created_at=paris(2030, 3, 20))
        dispatch(request, supplier=silent, sent_at=request.created_at)
        figures = figures_for_period(user=people.staff, start=START, end=END)
        first = rows(figures, "answer_time_by_supplier")[0]
        assert first == ["Abbaye silencieuse", "Château or unusual venue", 1, 0, 0.0, None]

    def test_a_one_day_period_takes_that_day_in_local_time(self, people, history):
        figures = figures_for_period(
            user=people.staff, start=datetime.date(2030, 4, 1), end=datetime.date(2030, 4, 1)
        )
        assert rows(figures, "funnel")[0] == ["Received", 1, 100.0]

    def test_an_empty_period_gives_zeros_and_no_rates(self, people, history):
        figures = figures_for_period(
            user=people.staff, start=datetime.date(2031, 1, 1), end=datetime.date(2031, 12, 31)
        )
        assert rows(figures, "funnel")[0] == ["Received", 0, None]
        assert rows(figures, "by_channel") == []
        assert rows(figures, "answer_time_by_supplier") == []

    def test_the_number_of_queries_does_not_grow_with_the_data(self, people, history):
        with CaptureQueriesContext(connection) as before:
            figures_for_period(user=people.staff, start=START, end=END)
        for day in range(1, 20):
            request = quote_request(created_at=paris(2030, 3, day, 12))
            answered(request, people.hotel, day, S.INTERESTED)
        with CaptureQueriesContext(connection) as after:
            figures_for_period(user=people.staff, start=START, end=END)
        assert len(after.captured_queries) == len(before.captured_queries)

    def test_admins_read_the_figures_too(self, people, history):
        assert figures_for_period(user=people.admin, start=START, end=END).funnel.rows

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "partner", "outsider"])
    def test_anyone_but_staff_is_refused(self, people, history, who):
        with pytest.raises(PermissionDenied):
            figures_for_period(user=getattr(people, who), start=START, end=END)

    def test_an_anonymous_visitor_is_refused(self, history):
        with pytest.raises(PermissionDenied):
            figures_for_period(user=AnonymousUser(), start=START, end=END)

    def test_a_period_ending_before_it_starts_is_refused(self, people, history):
        with pytest.raises(ValidationError) as refused:
            figures_for_period(user=people.staff, start=END, end=START)
        assert "end" in refused.value.message_dict


class FiguresExportTestCase:
    def test_the_csv_holds_every_table_with_its_title_and_columns(self, figures):
        stream = io.BytesIO()
        assert figures_export_csv(tables=figures.tables, stream=stream) == len(figures.tables)
        raw = stream.getvalue()
        assert raw.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        blocks, block = [], []
        for line in lines:
            if line:
                block.append(line)
            else:
                blocks.append(block)
                block = []
        assert [b[0][0] for b in blocks] == [t.title for t in figures.tables]
        funnel = blocks[0]
        assert funnel[1] == ["Step", "Requests", "Of received (%)"]
        assert funnel[2] == ["Received", "7", "100.0"]
        size = blocks[[t.name for t in figures.tables].index("by_size")]
        assert ["100 to 249", "0", "0", ""] in size

    def test_the_xlsx_has_one_sheet_per_table_with_numbers_as_numbers(self, figures):
        stream = io.BytesIO()
        assert figures_export_xlsx(tables=figures.tables, stream=stream) == len(figures.tables)
        stream.seek(0)
        workbook = openpyxl.load_workbook(stream, read_only=True)
        assert workbook.sheetnames == [t.name for t in figures.tables]
        funnel = [list(row) for row in workbook["funnel"].iter_rows(values_only=True)]
        assert funnel[0] == ["Step", "Requests", "Of received (%)"]
        assert funnel[1] == ["Received", 7, 100]
        assert funnel[-1] == ["Won", 2, 28.6]
        by_supplier = list(workbook["answer_time_by_supplier"].iter_rows(values_only=True))
        assert by_supplier[2] == (
            "Château de la Forêt",
            "Château or unusual venue",
            3,
            2,
            66.7,
            5.5,
        )

    def test_a_name_that_looks_like_a_formula_is_exported_as_text(self, people, history):
        trap = factories.SupplierFactory(name='=HYPERLINK("http://bad.example","x")')
        request = quote_request(created_at=paris(2030, 3, 20))
        answered(request, trap, 3, S.INTERESTED)
        figures = figures_for_period(user=people.staff, start=START, end=END)
        stream = io.BytesIO()
        figures_export_csv(tables=figures.tables, stream=stream)
        assert "'=HYPERLINK" in stream.getvalue().decode("utf-8-sig")
        stream = io.BytesIO()
        figures_export_xlsx(tables=figures.tables, stream=stream)
        stream.seek(0)
        sheet = openpyxl.load_workbook(stream)["answer_time_by_supplier"]
        cell = sheet["A2"]
        assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
