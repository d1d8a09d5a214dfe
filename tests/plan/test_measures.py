"""plan.measures: each figure a KPI may name, computed for a year from micedesk's own data on
hand-built rows; the years without data; every key at once in a bounded number of queries."""

from __future__ import annotations

import datetime
import tomllib
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from micedesk.crm.models import Contact
from micedesk.leads.models import RequestStatus
from micedesk.operations.models import (
    EVENT_KINDS,
    CampaignVisit,
    EventStatus,
    PartnerSurvey,
    SpendParameter,
)
from micedesk.operations.returns import year_returns
from micedesk.plan import measures
from micedesk.plan.models import Kpi
from micedesk.plan.reference import DEFAULT_PLAN_FILE
from micedesk.plan.selectors import kpi_values
from micedesk.qualification.models import Evaluation, EvaluationStatus
from tests import factories
from tests.crm import builders as crm_builders
from tests.leads.builders import dispatch, quote_request
from tests.operations import builders as ops
from tests.qualification.builders import grid_version

END_2024 = datetime.date(2024, 12, 31)


def aware(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 10))


def compute(*keys: str, year: int = 2024, as_of: datetime.date | None = END_2024):
    with translation.override("en"):
        return measures.compute(set(keys), year=year, as_of=as_of)


def value(key: str, **kwargs) -> measures.MeasuredValue:
    return compute(key, **kwargs)[key]


class RegistryTestCase:
    def test_it_knows_every_measure_the_plan_file_names(self):
        with DEFAULT_PLAN_FILE.open("rb") as file:
            data = tomllib.load(file)
        named = {
            kpi["measure"]
            for action in data["actions"]
            for kpi in action.get("kpis", [])
            if kpi.get("measure")
        }
        assert named and named <= set(measures.MEASURES)

    def test_it_offers_every_figure_of_every_kind_of_event(self):
        figures = ("held", "participants", "useful_contacts", "events_won", "impact_per_euro")
        for kind, _label in EVENT_KINDS:
            for figure in (*figures, "cost_per_useful_contact", "survey_score"):
                assert f"events.{kind}.{figure}" in measures.MEASURES

    def test_each_measure_says_what_it_reads(self):
        with translation.override("en"):
            for key, measure in measures.MEASURES.items():
                assert measure.key == key
                assert str(measure.label) and str(measure.source)
            assert "Trade show" in str(measures.MEASURES["events.trade_show.held"].label)
            assert "not won" in measures.describe("requests.conversion")
            assert measures.describe("requests.nothing") == "unknown measure"

    def test_its_choices_start_with_the_value_entered_by_hand(self):
        choices = measures.choices()
        assert choices[0][0] == ""
        assert [key for key, _label in choices[1:]] == list(measures.MEASURES)


class QuoteRequestMeasuresTestCase:
    def test_it_counts_the_requests_received_in_the_year_without_spam_or_duplicates(self, db):
        quote_request(created_at=aware(2024, 1, 1))
        quote_request(created_at=aware(2024, 12, 31), campaign="seminaires-au-vert")
        quote_request(created_at=aware(2024, 5, 1), status=RequestStatus.QUARANTINED)
        quote_request(created_at=aware(2024, 5, 1), status=RequestStatus.REJECTED)
        quote_request(created_at=aware(2024, 5, 1), status=RequestStatus.DUPLICATE)
        quote_request(
            created_at=aware(2024, 5, 1), status=RequestStatus.DUPLICATE, campaign="seminaires"
        )
        quote_request(created_at=aware(2023, 12, 31))
        quote_request(created_at=aware(2025, 1, 1), campaign="seminaires-au-vert")
        found = compute("requests.received", "campaigns.requests")
        assert found["requests.received"].value == 2
        assert found["requests.received"].detail == "2 requests received in 2024."
        assert found["campaigns.requests"].value == 1

    def test_it_counts_only_the_days_of_the_year_already_passed(self, db):
        quote_request(created_at=aware(2024, 3, 1))
        quote_request(created_at=aware(2024, 9, 1))
        found = value("requests.received", as_of=datetime.date(2024, 6, 30))
        assert found.value == 1
        assert "2024 (to " in found.detail

    def test_it_measures_the_conversion_of_requests_routed_in_the_year(self, db):
        venue, other, winner_elsewhere = (factories.SupplierFactory() for _ in range(3))
        partner = factories.partner()
        won = quote_request(
            status=RequestStatus.WON, won_by=venue, outcome_declared_at=aware(2024, 6, 1)
        )
        dispatch(won, supplier=venue, created_at=aware(2024, 3, 1))
        dispatch(won, supplier=other, created_at=aware(2024, 3, 1))
        elsewhere = quote_request(
            status=RequestStatus.WON,
            won_by=winner_elsewhere,
            outcome_declared_at=aware(2024, 6, 1),
        )
        dispatch(elsewhere, supplier=other, created_at=aware(2024, 4, 1))
        lost = quote_request(status=RequestStatus.LOST, outcome_declared_at=aware(2024, 6, 1))
        dispatch(lost, supplier=venue, created_at=aware(2024, 4, 1))
        undeclared = quote_request()
        dispatch(undeclared, supplier=venue, created_at=aware(2024, 12, 31))
        only_partner = quote_request()
        dispatch(only_partner, partner=partner, created_at=aware(2024, 4, 1))
        # Routed first in 2023: it counts for 2023 only, even when forwarded again in 2024.
        earlier = quote_request(status=RequestStatus.WON, won_by=venue)
        dispatch(earlier, supplier=venue, created_at=aware(2023, 12, 20))
        dispatch(earlier, supplier=other, created_at=aware(2024, 1, 5))
        found = compute("requests.routed", "requests.conversion")
        assert found["requests.routed"].value == 4
        conversion = found["requests.conversion"]
        assert conversion.value == Decimal("25.0")
        assert conversion.detail == (
            "1 won by a supplier they were sent to, of 4 requests routed in 2024 "
            "(1 without a declared outcome, counted as not won)."
        )
        assert value("requests.conversion", year=2023, as_of=None).value == Decimal("100.0")

    def test_it_gives_no_conversion_when_nothing_was_routed(self, db):
        quote_request(created_at=aware(2024, 3, 1))
        found = compute("requests.routed", "requests.conversion")
        assert found["requests.routed"].value == 0
        assert found["requests.conversion"].value is None
        assert found["requests.conversion"].detail == "No request routed in 2024."


class QualificationMeasuresTestCase:
    def published(self, supplier, version, *, on: datetime.date, level: int, until: datetime.date):
        return Evaluation.objects.create(
            supplier=supplier,
            version=version,
            status=EvaluationStatus.PUBLISHED,
            published_at=aware(on.year, on.month, on.day),
            valid_until=until,
            level=level,
        )

    def test_it_reads_the_levels_held_at_the_end_of_each_year_from_the_evaluations(self, db):
        version = grid_version()
        held, expired, not_enough, demoted, later = (factories.SupplierFactory() for _ in range(5))
        self.published(
            held, version, on=datetime.date(2023, 5, 2), level=2, until=datetime.date(2026, 5, 2)
        )
        self.published(
            expired, version, on=datetime.date(2021, 6, 1), level=1, until=datetime.date(2023, 6, 1)
        )
        self.published(
            not_enough,
            version,
            on=datetime.date(2024, 2, 1),
            level=0,
            until=datetime.date(2027, 2, 1),
        )
        self.published(
            demoted,
            version,
            on=datetime.date(2023, 1, 10),
            level=3,
            until=datetime.date(2026, 1, 10),
        )
        self.published(
            demoted, version, on=datetime.date(2024, 6, 1), level=0, until=datetime.date(2027, 6, 1)
        )
        self.published(
            later, version, on=datetime.date(2025, 3, 1), level=2, until=datetime.date(2028, 3, 1)
        )
        Evaluation.objects.create(supplier=later, version=version, status=EvaluationStatus.DRAFT)  # fmt: skip
        assert value("suppliers.qualified", year=2022, as_of=None).value == 1
        assert value("suppliers.qualified", year=2023, as_of=None).value == 2
        qualified = value("suppliers.qualified")
        assert qualified.value == 1
        assert qualified.detail.startswith("1 supplier held a valid published level on 12/31/2024")
        assert value("evaluations.published").value == 2
        assert value("evaluations.published", year=2025, as_of=None).value == 1

    def test_a_level_counts_on_the_day_the_figure_is_read(self, db):
        version = grid_version()
        supplier = factories.SupplierFactory()
        self.published(
            supplier,
            version,
            on=datetime.date(2024, 9, 1),
            level=2,
            until=datetime.date(2027, 9, 1),
        )
        assert value("suppliers.qualified", as_of=datetime.date(2024, 8, 31)).value == 0
        assert value("suppliers.qualified", as_of=datetime.date(2024, 9, 1)).value == 1


class CrmMeasuresTestCase:
    def test_it_measures_the_share_of_contacts_whose_origin_is_known(self, db):
        workshop = crm_builders.bureau_action(starts_on=datetime.date(2023, 3, 1))
        made = [
            (aware(2023, 3, 1), workshop, None),
            (aware(2024, 2, 1), workshop, None),
            (aware(2024, 2, 1), None, None),
            (aware(2024, 2, 1), workshop, aware(2024, 10, 1)),  # erased in 2024: left out
            (aware(2024, 2, 1), None, aware(2025, 1, 15)),  # anonymised in 2025: still there
            (aware(2025, 2, 1), workshop, None),
        ]
        for created_at, source, anonymised_at in made:
            contact = crm_builders.contact(source_action=source)
            Contact.objects.filter(pk=contact.pk).update(
                created_at=created_at, anonymised_at=anonymised_at
            )
        found = compute("crm.contacts_sourced", "crm.contacts_added")
        assert found["crm.contacts_sourced"].value == Decimal("50.0")
        assert found["crm.contacts_sourced"].detail == (
            "2 of 4 contacts in the CRM in 2024 came through a known bureau action."
        )
        assert found["crm.contacts_added"].value == 4
        assert value("crm.contacts_sourced", year=2023, as_of=None).value == Decimal("100.0")

    def test_it_gives_no_share_without_contacts(self, db):
        found = value("crm.contacts_sourced")
        assert found.value is None and found.detail == "No contact in the CRM in 2024."


class CampaignMeasuresTestCase:
    def test_it_adds_up_the_visits_of_the_year(self, db):
        campaign = ops.event(kind="campaign", starts_on=datetime.date(2024, 1, 10))
        for day, count in [
            ((2023, 12, 31), 5),
            ((2024, 1, 10), 40),
            ((2024, 12, 31), 2),
            ((2025, 1, 1), 9),
        ]:
            CampaignVisit.objects.create(event=campaign, day=datetime.date(*day), count=count)
        assert value("campaigns.visits").value == 42
        assert value("campaigns.visits", year=2022, as_of=None).value == 0


def workshops_build():
    """Two workshops of 2024 (one in March where a planner was met and later won a request,
    one in October), one cancelled, one of 2023; a trade show of 2024."""
    SpendParameter.objects.create(
        year=2024, spend_per_delegate_day=Decimal("200.00"), source="Test"
    )
    march = ops.event(kind="workshop", starts_on=datetime.date(2024, 3, 14))
    ops.cost_line(march, budget=Decimal("4000.00"), actual=Decimal("4000.00"))
    for score in (8, 9, None):
        member = ops.participant(march)
        PartnerSurvey.objects.create(
            event=march,
            participant=member,
            email="partner@venue.example",
            answered_at=aware(2024, 4, 1) if score is not None else None,
            score=score,
        )
    planner = ops.contact()
    ops.met(march, planner)
    ops.won_request(planner, created_at=aware(2024, 6, 1), participants=50, days=2)
    october = ops.event(kind="workshop", starts_on=datetime.date(2024, 10, 2))
    ops.cost_line(october, budget=Decimal("1000.00"))
    ops.participant(october)
    ops.event(kind="workshop", starts_on=datetime.date(2024, 5, 2), status=EventStatus.CANCELLED)
    ops.event(kind="workshop", starts_on=datetime.date(2023, 5, 2))
    ops.event(kind="trade_show", starts_on=datetime.date(2024, 9, 9))
    return march


class EventMeasuresTestCase:
    @pytest.fixture
    def workshops(self, db):
        return workshops_build()

    def test_it_reads_the_returns_as_the_year_dashboard_does(self, workshops):
        keys = [f"events.workshop.{figure}" for figure in measures.RETURNS_FIGURES]
        found = compute(*keys)
        totals = {row.kind: row.totals for row in year_returns(year=2024, as_of=END_2024).by_kind}
        workshop = totals["workshop"]
        assert found["events.workshop.useful_contacts"].value == workshop.useful_contacts == 1
        assert found["events.workshop.events_won"].value == workshop.events_won == 1
        assert found["events.workshop.impact_per_euro"].value == workshop.impact_per_euro
        assert found["events.workshop.impact_per_euro"].value == Decimal("4.00")
        assert found["events.workshop.cost_per_useful_contact"].value == Decimal("5000.00")
        assert found["events.workshop.cost_per_useful_contact"].detail == (
            "Workshop in 2024 — net cost: 5,000 €, useful contacts: 1 (events: 2)."
        )

    def test_a_request_won_after_the_year_still_counts_for_its_events(self, workshops):
        planner = ops.contact()
        ops.met(workshops, planner)
        ops.won_request(planner, created_at=aware(2025, 2, 1))
        assert value("events.workshop.useful_contacts").value == 1
        later = value("events.workshop.useful_contacts", as_of=datetime.date(2025, 6, 30))
        assert later.value == 2

    def test_it_counts_the_events_held_and_their_participants(self, workshops):
        found = compute("events.workshop.held", "events.workshop.participants")
        assert found["events.workshop.held"].value == 2
        assert found["events.workshop.participants"].value == 4
        mid_year = compute(
            "events.workshop.held", "events.workshop.participants", as_of=datetime.date(2024, 6, 30)
        )
        assert mid_year["events.workshop.held"].value == 1
        assert mid_year["events.workshop.held"].detail.endswith(", 1 more planned.")
        assert mid_year["events.workshop.participants"].value == 3

    def test_it_averages_the_answered_partner_surveys(self, workshops):
        found = value("events.workshop.survey_score")
        assert found.value == Decimal("8.5")
        assert "2 answered surveys" in found.detail

    def test_a_kind_without_events_or_answers_gives_no_ratio(self, workshops):
        found = compute(
            "events.eductour.held",
            "events.eductour.useful_contacts",
            "events.eductour.impact_per_euro",
            "events.eductour.cost_per_useful_contact",
            "events.trade_show.survey_score",
            "events.trade_show.cost_per_useful_contact",
        )
        assert found["events.eductour.held"].value == 0
        assert found["events.eductour.useful_contacts"].value == 0
        assert found["events.eductour.impact_per_euro"].value is None
        assert "no event in 2024" in found["events.eductour.cost_per_useful_contact"].detail
        assert found["events.trade_show.survey_score"].value is None
        assert "no survey answered" in found["events.trade_show.survey_score"].detail
        show = found["events.trade_show.cost_per_useful_contact"]
        assert show.value is None and "no useful contact" in show.detail


class ComputeTestCase:
    def test_a_year_not_begun_has_no_value(self, db):
        found = compute("requests.received", "events.webinar.held", year=2030, as_of=END_2024)
        assert {item.value for item in found.values()} == {None}
        assert found["requests.received"].detail == "2030 has not begun."

    def test_an_unknown_key_gets_an_answer_without_a_value(self, db):
        found = value("requests.nothing")
        assert found.value is None and found.detail == "unknown measure"

    def test_it_computes_every_measure_at_once_in_few_queries(
        self, db, django_assert_max_num_queries
    ):
        workshops_build()
        with django_assert_max_num_queries(30):
            found = measures.compute(set(measures.MEASURES), year=2024, as_of=END_2024)
        assert set(found) == set(measures.MEASURES)

    def test_it_gives_the_plan_kpis_their_measured_values(self, plan):
        kpis = list(Kpi.objects.filter(action_year__action__plan=plan, action_year__year=2024))
        if not kpis:
            kpis = list(Kpi.objects.filter(action_year__action__plan=plan))
        assert any(kpi.measure for kpi in kpis)
        with translation.override("en"):
            values = kpi_values(kpis, year=2024, as_of=END_2024)
        for item in values:
            if item.kpi.measure:
                assert item.measured and item.source and "unknown" not in item.source
