"""Tests of the dispatch outbox against a real SMTP server on loopback: claims, retries with
backoff, a mail server outage, and exactly one mail per recipient with two workers at once or
staff re-routing during sending (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from micedesk.accounts.models import Role
from micedesk.leads.models import Dispatch, DispatchStatus, RoutingMode, RoutingPolicy
from micedesk.leads.outbox import (
    BACKOFF_MAX,
    CLAIM,
    backoff,
    dispatch_send,
    dispatches_due,
    dispatches_send_due,
)
from micedesk.leads.routing import dispatch_create, quote_request_reroute, quote_request_route
from micedesk.leads.tasks import dispatches_send_due_task
from tests import factories
from tests.leads.conftest import quote_request_make, together, venue_make


def pending_dispatch(**request_fields) -> Dispatch:
    venue = venue_make()
    dispatch, _created = dispatch_create(
        quote_request=quote_request_make(**request_fields),
        supplier=venue,
        explanation=[
            {"code": "capacity", "params": {"layout": "theatre", "capacity": 100, "attendance": 40}}
        ],
    )
    return dispatch


def make_due(*dispatches: Dispatch) -> None:
    """Let the backoff pass, without waiting for it."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Dispatch.objects.filter(pk__in=[d.pk for d in dispatches]).update(next_attempt_at=past)


class BackoffTestCase:
    def test_it_doubles_from_one_minute_up_to_an_hour(self):
        minutes = [backoff(attempts).total_seconds() / 60 for attempts in range(1, 10)]
        assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
        assert backoff(200) == BACKOFF_MAX


@pytest.mark.django_db
class DispatchSendTestCase:
    def test_it_mails_the_supplier_and_marks_the_dispatch_sent(self, communes, smtp_server):
        dispatch = pending_dispatch()
        assert dispatch_send(dispatch_id=dispatch.pk) is True
        [mail] = smtp_server.messages
        assert mail.recipients == [dispatch.supplier.email]
        assert dispatch.quote_request.reference in mail.subject
        assert mail.header("X-Micedesk-Dispatch") == str(dispatch.pk)
        assert "theatre 100 ≥ 40" in mail.body or "100 ≥ 40" in mail.body
        dispatch.refresh_from_db()
        assert (dispatch.status, dispatch.attempts, dispatch.claimed_until) == ("sent", 1, None)
        assert dispatch.sent_at is not None

    def test_it_shows_the_planner_details_only_with_consent(self, communes, smtp_server):
        secret = pending_dispatch(consent_share=False, email="hidden@planner.example")
        shared = pending_dispatch(consent_share=True, email="shown@planner.example")
        dispatch_send(dispatch_id=secret.pk)
        dispatch_send(dispatch_id=shared.pk)
        hidden, shown = smtp_server.messages
        assert "hidden@planner.example" not in hidden.body + hidden.header("Reply-To")
        assert "+33 2 31" not in hidden.body and "Event planner" not in hidden.body
        assert "shown@planner.example" in shown.body
        assert shown.header("Reply-To") == "shown@planner.example"

    def test_it_writes_french_and_adds_english_when_the_planner_wrote_in_english(
        self, communes, smtp_server
    ):
        french = pending_dispatch(language="fr")
        english = pending_dispatch(language="en")
        dispatch_send(dispatch_id=french.pk)
        dispatch_send(dispatch_id=english.pk)
        only_french, both = smtp_server.messages
        assert "English version" not in only_french.body
        assert "English version" in both.body

    def test_it_sends_nothing_for_a_dispatch_already_sent(self, communes, smtp_server):
        dispatch = pending_dispatch()
        dispatch_send(dispatch_id=dispatch.pk)
        assert dispatch_send(dispatch_id=dispatch.pk) is False
        assert len(smtp_server.messages) == 1

    def test_it_leaves_a_dispatch_another_worker_holds(self, communes, smtp_server):
        dispatch = pending_dispatch()
        Dispatch.objects.filter(pk=dispatch.pk).update(claimed_until=timezone.now() + CLAIM)
        assert dispatch_send(dispatch_id=dispatch.pk) is False
        assert dispatches_send_due() == 0
        assert smtp_server.messages == []

    def test_it_takes_over_the_claim_of_a_worker_that_died(self, communes, smtp_server):
        dispatch = pending_dispatch()
        lapsed = timezone.now() - datetime.timedelta(seconds=1)
        Dispatch.objects.filter(pk=dispatch.pk).update(claimed_until=lapsed)
        assert dispatches_send_due() == 1
        assert len(smtp_server.messages) == 1

    def test_it_mails_the_members_when_the_supplier_has_no_address(self, communes, smtp_server):
        dispatch = pending_dispatch()
        supplier = dispatch.supplier
        supplier.email = ""
        supplier.save()
        supplier.members.add(
            factories.UserFactory(email="sales@member.example", role=Role.SUPPLIER)
        )
        dispatch_send(dispatch_id=dispatch.pk)
        assert smtp_server.messages[0].recipients == ["sales@member.example"]

    def test_a_recipient_without_any_address_finds_it_in_the_extranet(self, communes, smtp_server):
        dispatch = pending_dispatch()
        type(dispatch.supplier).objects.filter(pk=dispatch.supplier_id).update(email="")
        assert dispatch_send(dispatch_id=dispatch.pk) is True
        dispatch.refresh_from_db()
        assert dispatch.status == "sent"
        assert dispatch.last_error
        assert smtp_server.messages == []

    def test_it_keeps_the_status_an_answer_already_set(self, communes, smtp_server):
        dispatch = pending_dispatch()
        Dispatch.objects.filter(pk=dispatch.pk).update(status=DispatchStatus.VIEWED)
        dispatch_send(dispatch_id=dispatch.pk)
        dispatch.refresh_from_db()
        assert (dispatch.status, dispatch.sent_at is not None) == ("viewed", True)

    def test_it_mails_the_partner_the_ranked_matches(self, communes, people, smtp_server):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.PARTNER)
        people.partner_org.email = "mice@caen-bureau.example"
        people.partner_org.save()
        venue_make(name="Manoir des Essais")
        quote_request = quote_request_make(departments=[], commune=communes["14118"])
        quote_request_route(quote_request=quote_request)
        assert dispatches_send_due() == 1
        [mail] = smtp_server.messages
        assert mail.recipients == ["mice@caen-bureau.example"]
        assert "Manoir des Essais" in mail.body
        assert "Hôtel de la Plage" in mail.body

    def test_the_task_sends_the_due_dispatches(self, communes, smtp_server):
        pending_dispatch()
        pending_dispatch()
        assert dispatches_send_due_task.call() == 2
        assert len(smtp_server.messages) == 2


@pytest.mark.django_db(transaction=True)
class SendingTaskTestCase:
    def test_routing_queues_a_task_that_mails_once_the_transaction_commits(
        self, communes, smtp_server, settings
    ):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        venues = [venue_make() for _number in range(3)]
        quote_request = quote_request_make()
        with transaction.atomic():
            quote_request_route(quote_request=quote_request)
            assert smtp_server.messages == []  # nothing leaves before the commit
        assert smtp_server.per_recipient() == {venue.email: 1 for venue in venues}

    def test_the_database_backend_stores_one_task_per_routing(self, communes, settings):
        from django_tasks_db.models import DBTaskResult

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        for _number in range(3):
            venue_make()
        quote_request_route(quote_request=quote_request_make())
        [queued] = DBTaskResult.objects.all()
        assert queued.task_path == "micedesk.leads.tasks.dispatches_send_due_task"


@pytest.mark.django_db
class MailOutageTestCase:
    def test_dispatches_wait_while_the_server_is_down_and_go_once_it_is_back(
        self, communes, smtp_server
    ):
        dispatches = [pending_dispatch() for _number in range(4)]
        smtp_server.stop()
        assert dispatches_send_due() == 0
        rows = list(Dispatch.objects.order_by("pk"))
        assert all(row.status == "pending" and row.sent_at is None for row in rows)
        assert rows[0].attempts == 1
        assert all(row.last_error for row in rows)
        assert all(row.next_attempt_at > timezone.now() for row in rows)
        assert dispatches_due().count() == 0  # nobody hammers a server that is down

        make_due(*dispatches)
        assert dispatches_send_due() == 0  # still down: a second try, a longer wait
        assert Dispatch.objects.get(pk=rows[0].pk).attempts == 2

        smtp_server.start()
        assert dispatches_send_due() == 0  # back, but the wait is not over
        make_due(*dispatches)
        assert dispatches_send_due() == 4
        assert dispatches_send_due() == 0
        assert smtp_server.per_dispatch() == {d.pk: 1 for d in dispatches}
        assert set(Dispatch.objects.values_list("status", flat=True)) == {"sent"}

    def test_a_refused_message_is_retried_without_holding_up_the_others(
        self, communes, smtp_server
    ):
        refused = pending_dispatch()
        type(refused.supplier).objects.filter(pk=refused.supplier_id).update(
            email="no-such-mailbox@venue.example"
        )
        accepted = pending_dispatch()

        async def refuse_one(server, session, envelope, address, rcpt_options):
            if address.startswith("no-such-mailbox"):
                return "550 No such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        smtp_server.handle_RCPT = refuse_one  # aiosmtpd reads it for each new connection
        assert dispatches_send_due() == 1
        refused.refresh_from_db()
        assert (refused.status, refused.attempts) == ("pending", 1)
        assert "550" in refused.last_error
        assert smtp_server.per_dispatch() == {accepted.pk: 1}


@pytest.mark.usefixtures("concurrent_db")
class OutboxConcurrencyTestCase:
    def test_two_workers_at_once_send_each_dispatch_once(self, communes, smtp_server):
        quote_request = quote_request_make()
        venues = [venue_make() for _number in range(30)]
        for venue in venues:
            dispatch_create(quote_request=quote_request, supplier=venue)
        sent = together(
            lambda: dispatches_send_due(limit=100), lambda: dispatches_send_due(limit=100)
        )
        assert sum(sent) == 30
        assert smtp_server.per_recipient() == {venue.email: 1 for venue in venues}
        assert Dispatch.objects.filter(status="sent").count() == 30

    def test_workers_and_an_outage_lose_nothing_and_repeat_nothing(self, communes, smtp_server):
        quote_request = quote_request_make()
        venues = [venue_make() for _number in range(12)]
        for venue in venues:
            dispatch_create(quote_request=quote_request, supplier=venue)
        smtp_server.stop()
        together(dispatches_send_due, dispatches_send_due)
        assert not Dispatch.objects.filter(sent_at__isnull=False).exists()
        smtp_server.start()
        make_due(*Dispatch.objects.all())
        together(dispatches_send_due, dispatches_send_due, dispatches_send_due)
        assert smtp_server.per_recipient() == {venue.email: 1 for venue in venues}

    def test_staff_re_routing_during_sending_sends_no_one_twice(
        self, communes, people, smtp_server
    ):
        quote_request = quote_request_make()
        first = [venue_make() for _number in range(10)]
        later = venue_make(commune="76540")
        for venue in first:
            dispatch_create(quote_request=quote_request, supplier=venue)
        everyone = [venue.pk for venue in [*first, later]]
        together(
            lambda: dispatches_send_due(limit=100),
            lambda: quote_request_reroute(
                quote_request=quote_request, supplier_ids=everyone, actor=people.staff
            ),
            lambda: dispatches_send_due(limit=100),
        )
        dispatches_send_due()
        assert Dispatch.objects.filter(quote_request=quote_request).count() == 11
        assert smtp_server.per_recipient() == {venue.email: 1 for venue in [*first, later]}


@pytest.mark.django_db
class SendDispatchesCommandTestCase:
    def test_it_sends_the_due_dispatches(self, communes, smtp_server, capsys):
        pending_dispatch()
        call_command("send_dispatches")
        assert "1 dispatch(es) sent" in capsys.readouterr().out
        assert len(smtp_server.messages) == 1

    @pytest.mark.parametrize("arguments", [["--limit", "0"], ["--loop", "--interval", "0"]])
    def test_it_refuses_a_bad_setting(self, arguments):
        with pytest.raises(CommandError):
            call_command("send_dispatches", *arguments)
