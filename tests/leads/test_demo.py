"""The demo quote requests: deterministic, idempotent, marked as demo, every status, no mail to send."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from micedesk.directory.demo import demo_suppliers_generate
from micedesk.leads.demo import DEMO_NOTE, DEMO_REFERENCE_PREFIX, demo_requests_generate
from micedesk.leads.figures import figures_for_period
from micedesk.leads.intake import same_event, same_planner
from micedesk.leads.models import (
    Dispatch,
    DispatchStatus,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
)
from micedesk.leads.outbox import dispatches_due
from micedesk.leads.responses import dispatches_due_reminder
from tests import factories
from tests.conftest import make_people, shared_data
from tests.leads.builders import quote_request

NOW = datetime.datetime(2026, 11, 2, 15, 30, tzinfo=datetime.UTC)
COUNT = 100


def demo_suppliers():
    people = make_people(factories.normandy())
    demo_suppliers_generate(count=100, seed=11)
    return people


def demo_requests():
    people = demo_suppliers()
    demo_requests_generate(count=COUNT, seed=5, now=NOW)
    return people


# The 100 demo suppliers (and the 100 demo requests) are built once per class, each test running in
# a savepoint rolled back after it: the tests that generate requests themselves start from the
# suppliers alone, the ones that read the demo requests share one generation.
@pytest.fixture(scope="class")
def supplier_world(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, demo_suppliers)


@pytest.fixture(scope="class")
def demo_world(django_db_setup, django_db_blocker):
    yield from shared_data(django_db_blocker, demo_requests)


@pytest.fixture
def suppliers(db, supplier_world):
    return supplier_world


@pytest.fixture
def people(db, demo_world):
    return demo_world


@pytest.fixture
def demo(db, demo_world):
    return QuoteRequest.objects.filter(reference__startswith=DEMO_REFERENCE_PREFIX)


def snapshot() -> list[tuple]:
    return list(
        QuoteRequest.objects.order_by("reference").values_list(
            "reference",
            "organisation",
            "contact_name",
            "email",
            "channel",
            "event_kind",
            "participants",
            "start_date",
            "created_at",
            "commune_id",
            "departments",
            "status",
        )
    )


def counts() -> tuple[int, int, int]:
    return (
        QuoteRequest.objects.count(),
        Dispatch.objects.count(),
        RoutingLogEntry.objects.count(),
    )


class DemoRequestsGenerateTestCase:
    """Generating requests over the demo suppliers, by function and by command (one class: they
    share the suppliers)."""

    def test_the_same_seed_gives_the_same_requests(self, suppliers):
        demo_requests_generate(count=30, seed=3, now=NOW)
        first = snapshot()
        demo_requests_generate(count=25, seed=3, now=NOW)
        demo_requests_generate(count=30, seed=3, now=NOW)
        assert snapshot() == first

    def test_another_seed_gives_other_requests(self, suppliers):
        demo_requests_generate(count=20, seed=3, now=NOW)
        first = [row[1:] for row in snapshot()]
        demo_requests_generate(count=21, seed=4, now=NOW)
        assert [row[1:] for row in snapshot()][:20] != first

    def test_it_keeps_the_real_requests(self, suppliers):
        real = quote_request()
        demo_requests_generate(count=15, seed=3, now=NOW)
        demo_requests_generate(count=10, seed=3, now=NOW)
        assert QuoteRequest.objects.filter(pk=real.pk).exists()
        assert QuoteRequest.objects.count() == 11

    def test_it_writes_the_requests(self, suppliers):
        call_command("generate_demo_requests", "--count", "25", "--seed", "2", verbosity=0)
        assert QuoteRequest.objects.filter(reference__startswith="DEMO-").count() == 25

    def test_remove_deletes_the_demo_requests_only(self, suppliers):
        real = quote_request()
        call_command("generate_demo_requests", "--count", "25", verbosity=0)
        call_command("generate_demo_requests", "--remove", verbosity=0)
        assert list(QuoteRequest.objects.all()) == [real]

    def test_it_refuses_a_count_below_one(self, suppliers):
        with pytest.raises(CommandError):
            call_command("generate_demo_requests", "--count", "0", verbosity=0)


class DemoRequestsContentTestCase:
    """What one generation of demo requests holds, and the pages that list requests showing it: the
    staff inbox, both extranets, the figures, and a request's detail (one class: they share the
    generation)."""

    def test_it_writes_the_number_of_requests_asked_for(self, demo):
        assert demo.count() == COUNT

    def test_a_second_run_duplicates_nothing(self, demo):
        before = counts()
        assert demo_requests_generate(count=COUNT, seed=5, now=NOW) == 0
        assert counts() == before

    def test_every_request_status_is_present(self, demo):
        assert set(demo.values_list("status", flat=True)) == set(RequestStatus.values)

    def test_the_answers_cover_every_kind_of_answer(self, demo):
        statuses = set(Dispatch.objects.values_list("status", flat=True))
        assert statuses >= {
            DispatchStatus.SENT,
            DispatchStatus.VIEWED,
            DispatchStatus.INTERESTED,
            DispatchStatus.DECLINED,
            DispatchStatus.PROPOSAL,
            DispatchStatus.WON,
            DispatchStatus.LOST,
        }

    def test_everything_is_marked_as_demo(self, demo):
        for reference, email, message in demo.values_list("reference", "email", "message"):
            assert reference.startswith(DEMO_REFERENCE_PREFIX)
            assert email.endswith(".example")
            assert message.startswith(DEMO_NOTE)

    def test_the_requests_span_the_past_year_only(self, demo):
        dates = list(demo.values_list("created_at", flat=True))
        assert max(dates) < NOW
        assert min(dates) >= NOW - datetime.timedelta(days=366)

    def test_nothing_is_left_for_the_outbox_or_the_reminders(self, demo):
        assert Dispatch.objects.exists()
        assert not Dispatch.objects.filter(sent_at__isnull=True).exists()
        assert not dispatches_due(now=timezone.now()).exists()
        assert not dispatches_due_reminder(now=timezone.now()).exists()

    def test_the_history_is_dated_in_the_past_and_in_order(self, demo):
        assert not RoutingLogEntry.objects.filter(at__gt=NOW).exists()
        for request in demo.exclude(status=RequestStatus.RECEIVED)[:40]:
            received, *later = request.log.all()
            assert received.event == "received"
            assert all(entry.at >= received.at for entry in later)

    def test_answers_come_after_sending_and_before_now(self, demo):
        for sent, viewed, answered in Dispatch.objects.values_list(
            "sent_at", "viewed_at", "first_answer_at"
        ):
            assert sent < NOW
            assert viewed is None or sent <= viewed <= NOW
            assert answered is None or sent <= answered <= NOW

    def test_a_won_request_is_won_by_a_supplier_it_was_sent_to(self, demo):
        won = demo.filter(status=RequestStatus.WON)
        assert won.exists()
        for request in won:
            assert request.dispatches.filter(
                supplier=request.won_by, status=DispatchStatus.WON
            ).exists()

    def test_duplicates_point_at_a_request_of_the_same_planner(self, demo):
        duplicates = demo.filter(status=RequestStatus.DUPLICATE).select_related("duplicate_of")
        assert duplicates.exists()
        for duplicate in duplicates:
            assert same_planner(duplicate.duplicate_of, duplicate)
            assert same_event(duplicate.duplicate_of, duplicate)
            assert not duplicate.dispatches.exists()

    def test_the_member_supplier_and_the_member_bureau_receive_requests(self, demo, people):
        assert Dispatch.objects.filter(supplier=people.hotel).exists()
        assert Dispatch.objects.filter(partner=people.partner_org).exists()

    def test_the_figures_show_a_funnel(self, demo, people):
        figures = figures_for_period(
            user=people.staff, start=NOW.date().replace(year=2025), end=NOW.date()
        )
        steps = {row[0]: row[1] for row in figures.funnel.rows}
        assert list(steps.values())[0] == COUNT
        assert all(value > 0 for value in steps.values())

    def test_the_staff_inbox_lists_demo_requests(self, demo, people, client):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:requests"))
        assert response.status_code == 200
        assert DEMO_REFERENCE_PREFIX in response.content.decode()

    def test_a_won_demo_request_opens_for_staff(self, demo, people, client):
        client.force_login(people.staff)
        won = demo.filter(status=RequestStatus.WON).first()
        response = client.get(reverse("backoffice:request", args=[won.pk]))
        assert response.status_code == 200
        assert won.reference in response.content.decode()

    def test_the_figures_page_opens_on_demo_data(self, demo, people, client):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:figures")).status_code == 200

    def test_the_member_supplier_sees_demo_requests(self, demo, people, client):
        client.force_login(people.supplier)
        response = client.get(reverse("extranet:requests"))
        assert response.status_code == 200
        assert DEMO_REFERENCE_PREFIX in response.content.decode()

    def test_the_member_bureau_sees_demo_requests(self, demo, people, client):
        client.force_login(people.partner)
        response = client.get(reverse("extranet:requests"))
        assert response.status_code == 200
        assert DEMO_REFERENCE_PREFIX in response.content.decode()


class DemoRequestsWithoutSuppliersTestCase:
    """Nothing to send requests to: nothing is written (no shared data here)."""

    def test_it_writes_nothing_without_departments(self, db):
        assert demo_requests_generate(count=10, seed=1, now=NOW) == 0
        assert not QuoteRequest.objects.exists()

    def test_it_refuses_to_run_without_suppliers(self, communes):
        with pytest.raises(CommandError):
            call_command("generate_demo_requests", verbosity=0)


class SetupDemoRequestsTestCase:
    def test_setup_demo_loads_the_requests_once(self, communes):
        # Small counts: the command also runs the evaluations, CRM and events demos at their own
        # sizes; idempotence does not depend on how many suppliers and requests there are.
        args = ("setup_demo", "--suppliers", "24", "--requests", "12")
        call_command(*args, verbosity=0)
        before = counts()
        call_command(*args, verbosity=0)
        assert before[0] == 12
        assert counts() == before
