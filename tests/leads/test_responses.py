"""Answers to a dispatch (every transition allowed and refused), forwarding by a partner, the
request's outcome, and the reminders of unanswered dispatches."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from micedesk.directory.models import Status
from micedesk.leads.models import Dispatch, DispatchStatus, RequestStatus, RoutingLogEntry
from micedesk.leads.responses import (
    dispatch_answer,
    dispatch_forward,
    dispatch_mark_viewed,
    dispatches_remind,
    quote_request_declare_outcome,
)
from tests import factories
from tests.leads.builders import dispatch, quote_request

S = DispatchStatus
ALL_STATUSES = list(S.values)
ANSWERS = [S.INTERESTED, S.DECLINED, S.PROPOSAL, S.WON, S.LOST]
# Written out by hand, not read from the code: the transitions the issue describes.
SUPPLIER_ALLOWED = {
    (S.PENDING, S.INTERESTED),
    (S.SENT, S.INTERESTED),
    (S.VIEWED, S.INTERESTED),
    (S.PENDING, S.DECLINED),
    (S.SENT, S.DECLINED),
    (S.VIEWED, S.DECLINED),
    (S.INTERESTED, S.DECLINED),
    (S.INTERESTED, S.PROPOSAL),
    (S.PROPOSAL, S.PROPOSAL),
    (S.PROPOSAL, S.WON),
    (S.INTERESTED, S.LOST),
    (S.PROPOSAL, S.LOST),
}
SUPPLIER_REFUSED = sorted(
    {(before, after) for before in ALL_STATUSES for after in ANSWERS} - SUPPLIER_ALLOWED
)
PARTNER_ALLOWED = {(S.PENDING, S.DECLINED), (S.SENT, S.DECLINED), (S.VIEWED, S.DECLINED)}
PARTNER_REFUSED = sorted(
    {(before, after) for before in ALL_STATUSES for after in ANSWERS} - PARTNER_ALLOWED
)
NOW = timezone.make_aware(datetime.datetime(2030, 6, 3, 10, 0))


def answer_values(status: str) -> dict[str, object]:
    """The values an answer needs: a reason to decline, an amount to propose."""
    if status == S.DECLINED:
        return {"reason": "Fully booked that week"}
    if status == S.PROPOSAL:
        return {"amount": Decimal("12500.00")}
    if status == S.LOST:
        return {"lost_to": "A venue in Paris", "lost_reason": "Closer to their office"}
    return {}


@pytest.fixture
def request_(people):
    return quote_request(commune=people.hotel.commune)


@pytest.fixture
def to_hotel(people, request_):
    return dispatch(request_, supplier=people.hotel)


@pytest.fixture
def to_partner(people, request_):
    return dispatch(request_, partner=people.partner_org)


class DispatchMarkViewedTestCase:
    @pytest.mark.parametrize("before", [S.PENDING, S.SENT])
    def test_a_new_or_sent_dispatch_becomes_viewed_and_the_view_is_timed(
        self, people, to_hotel, before
    ):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=before)
        viewed = dispatch_mark_viewed(dispatch=to_hotel, user=people.supplier)
        assert viewed.status == S.VIEWED
        assert viewed.viewed_at is not None

    def test_viewing_again_keeps_the_first_view(self, people, to_hotel):
        first = dispatch_mark_viewed(dispatch=to_hotel, user=people.supplier).viewed_at
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.SENT)
        again = dispatch_mark_viewed(dispatch=to_hotel, user=people.supplier)
        assert again.viewed_at == first

    @pytest.mark.parametrize("before", [S.INTERESTED, S.DECLINED, S.PROPOSAL, S.WON, S.LOST])
    def test_viewing_an_answered_dispatch_keeps_its_status(self, people, to_hotel, before):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=before)
        assert dispatch_mark_viewed(dispatch=to_hotel, user=people.supplier).status == before

    def test_a_partner_member_views_its_partners_dispatch(self, people, to_partner):
        viewed = dispatch_mark_viewed(dispatch=to_partner, user=people.partner)
        assert viewed.status == S.VIEWED

    @pytest.mark.parametrize("who", ["other_supplier", "staff", "admin", "partner", "outsider"])
    def test_anyone_but_a_member_of_the_supplier_is_refused(self, people, to_hotel, who):
        with pytest.raises(PermissionDenied):
            dispatch_mark_viewed(dispatch=to_hotel, user=getattr(people, who))
        to_hotel.refresh_from_db()
        assert to_hotel.status == S.SENT and to_hotel.viewed_at is None

    def test_a_supplier_member_cannot_view_as_a_partner(self, people, to_partner):
        with pytest.raises(PermissionDenied):
            dispatch_mark_viewed(dispatch=to_partner, user=people.supplier)


class DispatchAnswerTransitionsTestCase:
    @pytest.mark.parametrize(("before", "after"), sorted(SUPPLIER_ALLOWED))
    def test_a_supplier_may_make_this_move(self, people, to_hotel, before, after):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=before)
        to_hotel.refresh_from_db()
        answered = dispatch_answer(
            dispatch=to_hotel, user=people.supplier, status=after, **answer_values(after)
        )
        assert answered.status == after
        assert Dispatch.objects.get(pk=to_hotel.pk).status == after

    @pytest.mark.parametrize(("before", "after"), SUPPLIER_REFUSED)
    def test_a_supplier_may_not_make_this_move(self, people, to_hotel, before, after):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=before)
        to_hotel.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            dispatch_answer(
                dispatch=to_hotel, user=people.supplier, status=after, **answer_values(after)
            )
        assert "status" in refused.value.message_dict
        assert Dispatch.objects.get(pk=to_hotel.pk).status == before

    @pytest.mark.parametrize(("before", "after"), sorted(PARTNER_ALLOWED))
    def test_a_partner_may_decline(self, people, to_partner, before, after):
        Dispatch.objects.filter(pk=to_partner.pk).update(status=before)
        to_partner.refresh_from_db()
        answered = dispatch_answer(
            dispatch=to_partner, user=people.partner, status=after, reason="Nothing fits here"
        )
        assert answered.status == S.DECLINED

    @pytest.mark.parametrize(("before", "after"), PARTNER_REFUSED)
    def test_a_partner_may_not_make_this_move(self, people, to_partner, before, after):
        Dispatch.objects.filter(pk=to_partner.pk).update(status=before)
        to_partner.refresh_from_db()
        with pytest.raises(ValidationError):
            dispatch_answer(
                dispatch=to_partner, user=people.partner, status=after, **answer_values(after)
            )
        assert Dispatch.objects.get(pk=to_partner.pk).status == before

    @pytest.mark.parametrize("status", [S.VIEWED, S.FORWARDED, S.PENDING, S.SENT, "accepted", ""])
    def test_it_refuses_a_status_that_is_not_an_answer(self, people, to_hotel, status):
        with pytest.raises(ValidationError) as refused:
            dispatch_answer(dispatch=to_hotel, user=people.supplier, status=status)
        assert "status" in refused.value.message_dict

    def test_a_stale_copy_cannot_overwrite_a_newer_answer(self, people, to_hotel):
        """Two members answer from the same page: the second is told the dispatch moved on."""
        stale = Dispatch.objects.get(pk=to_hotel.pk)
        dispatch_answer(
            dispatch=to_hotel, user=people.supplier, status=S.DECLINED, reason="Closed for works"
        )
        with pytest.raises(ValidationError):
            dispatch_answer(dispatch=stale, user=people.supplier, status=S.INTERESTED)
        assert Dispatch.objects.get(pk=to_hotel.pk).status == S.DECLINED
        assert stale.status == S.DECLINED  # the refusal refreshed it


class DispatchAnswerTestCase:
    def test_the_first_answer_is_timed_and_later_ones_keep_it(self, people, to_hotel):
        interested = dispatch_answer(dispatch=to_hotel, user=people.supplier, status=S.INTERESTED)
        first = interested.first_answer_at
        assert first is not None and first >= to_hotel.sent_at
        proposal = dispatch_answer(
            dispatch=interested, user=people.supplier, status=S.PROPOSAL, amount="9800"
        )
        assert proposal.first_answer_at == first

    def test_an_answer_without_a_view_counts_as_the_view(self, people, to_hotel):
        answered = dispatch_answer(dispatch=to_hotel, user=people.supplier, status=S.INTERESTED)
        assert answered.viewed_at == answered.first_answer_at

    def test_an_answer_after_a_view_keeps_the_view_time(self, people, to_hotel):
        viewed = dispatch_mark_viewed(dispatch=to_hotel, user=people.supplier)
        answered = dispatch_answer(dispatch=viewed, user=people.supplier, status=S.INTERESTED)
        assert answered.viewed_at == viewed.viewed_at

    def test_a_refusal_keeps_its_reason(self, people, to_hotel):
        declined = dispatch_answer(
            dispatch=to_hotel, user=people.supplier, status=S.DECLINED, reason="  Fully booked  "
        )
        assert declined.decline_reason == "Fully booked"
        assert declined.first_answer_at is not None

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_refusal_needs_a_reason(self, people, to_hotel, reason):
        with pytest.raises(ValidationError) as refused:
            dispatch_answer(
                dispatch=to_hotel, user=people.supplier, status=S.DECLINED, reason=reason
            )
        assert "reason" in refused.value.message_dict
        assert Dispatch.objects.get(pk=to_hotel.pk).status == S.SENT

    @pytest.mark.parametrize(
        ("amount", "stored"),
        [
            (Decimal("12500.5"), Decimal("12500.50")),
            (8000, Decimal("8000.00")),
            ("4 500,25".replace(" ", ""), Decimal("4500.25")),
            ("0", Decimal("0.00")),
        ],
    )
    def test_a_proposal_keeps_its_amount_in_euros(self, people, to_hotel, amount, stored):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.INTERESTED)
        to_hotel.refresh_from_db()
        proposal = dispatch_answer(
            dispatch=to_hotel, user=people.supplier, status=S.PROPOSAL, amount=amount
        )
        assert proposal.proposal_amount == stored

    def test_a_proposal_may_be_revised(self, people, to_hotel):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.INTERESTED)
        to_hotel.refresh_from_db()
        dispatch_answer(dispatch=to_hotel, user=people.supplier, status=S.PROPOSAL, amount="9000")
        revised = dispatch_answer(
            dispatch=to_hotel, user=people.supplier, status=S.PROPOSAL, amount="8500"
        )
        assert revised.proposal_amount == Decimal("8500.00")

    @pytest.mark.parametrize(
        "amount", [None, "", "-1", Decimal("-0.01"), "douze", 12.5, True, "NaN", "Infinity", "1e12"]
    )
    def test_a_proposal_refuses_a_missing_or_bad_amount(self, people, to_hotel, amount):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.INTERESTED)
        to_hotel.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            dispatch_answer(
                dispatch=to_hotel, user=people.supplier, status=S.PROPOSAL, amount=amount
            )
        assert "amount" in refused.value.message_dict
        assert Dispatch.objects.get(pk=to_hotel.pk).proposal_amount is None

    def test_a_loss_keeps_to_whom_and_why(self, people, to_hotel):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.PROPOSAL)
        to_hotel.refresh_from_db()
        lost = dispatch_answer(
            dispatch=to_hotel,
            user=people.supplier,
            status=S.LOST,
            lost_to="A château near Rouen",
            lost_reason="Price",
        )
        assert (lost.lost_to, lost.lost_reason) == ("A château near Rouen", "Price")

    def test_a_loss_may_give_its_reason_as_reason(self, people, to_hotel):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.PROPOSAL)
        to_hotel.refresh_from_db()
        lost = dispatch_answer(
            dispatch=to_hotel, user=people.supplier, status=S.LOST, reason="Price"
        )
        assert lost.lost_reason == "Price"

    @pytest.mark.parametrize(
        ("status", "extra", "field"),
        [
            (S.INTERESTED, {"amount": Decimal("10")}, "amount"),
            (S.DECLINED, {"reason": "No", "amount": Decimal("10")}, "amount"),
            (S.INTERESTED, {"reason": "Because"}, "reason"),
            (S.INTERESTED, {"lost_to": "Someone"}, "lost_to"),
            (S.DECLINED, {"reason": "No", "lost_reason": "Price"}, "lost_reason"),
            (S.DECLINED, {"reason": "x" * 2001}, "reason"),
        ],
    )
    def test_it_refuses_values_that_do_not_go_with_the_answer(
        self, people, to_hotel, status, extra, field
    ):
        with pytest.raises(ValidationError) as refused:
            dispatch_answer(dispatch=to_hotel, user=people.supplier, status=status, **extra)
        assert field in refused.value.message_dict

    def test_it_refuses_a_too_long_lost_to(self, people, to_hotel):
        Dispatch.objects.filter(pk=to_hotel.pk).update(status=S.PROPOSAL)
        to_hotel.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            dispatch_answer(
                dispatch=to_hotel, user=people.supplier, status=S.LOST, lost_to="x" * 201
            )
        assert "lost_to" in refused.value.message_dict

    @pytest.mark.parametrize("who", ["other_supplier", "staff", "admin", "partner", "outsider"])
    def test_only_a_member_of_the_supplier_answers(self, people, to_hotel, who):
        with pytest.raises(PermissionDenied):
            dispatch_answer(dispatch=to_hotel, user=getattr(people, who), status=S.INTERESTED)
        assert Dispatch.objects.get(pk=to_hotel.pk).status == S.SENT

    def test_a_deactivated_member_is_refused(self, people, to_hotel):
        people.supplier.is_active = False
        people.supplier.save()
        with pytest.raises(PermissionDenied):
            dispatch_answer(dispatch=to_hotel, user=people.supplier, status=S.INTERESTED)

    def test_a_member_whose_role_changed_is_refused(self, people, to_hotel):
        people.supplier.role = "none"
        people.supplier.save()
        with pytest.raises(PermissionDenied):
            dispatch_answer(dispatch=to_hotel, user=people.supplier, status=S.INTERESTED)

    def test_a_member_of_one_listing_cannot_answer_for_another_listing(self, people, request_):
        to_other = dispatch(request_, supplier=people.other_hotel)
        with pytest.raises(PermissionDenied):
            dispatch_answer(dispatch=to_other, user=people.supplier, status=S.INTERESTED)

    def test_each_answer_is_written_in_the_requests_log(self, people, to_hotel):
        dispatch_answer(dispatch=to_hotel, user=people.supplier, status=S.INTERESTED)
        entry = RoutingLogEntry.objects.get(quote_request=to_hotel.quote_request)
        assert entry.event == "dispatch_answered"
        assert entry.actor == people.supplier
        assert entry.details == {"dispatch": to_hotel.pk, "status": "interested"}


class DispatchForwardTestCase:
    @pytest.fixture
    def picks(self, people):
        return [factories.SupplierFactory(), factories.SupplierFactory()]

    def test_the_partner_forwards_to_the_suppliers_it_picks(self, people, to_partner, picks):
        forwarded = dispatch_forward(
            dispatch=to_partner, user=people.partner, supplier_ids=[s.pk for s in picks]
        )
        assert {d.supplier for d in forwarded} == set(picks)
        assert all(d.forwarded_by == people.partner_org for d in forwarded)
        to_partner.refresh_from_db()
        assert to_partner.status == S.FORWARDED
        assert to_partner.first_answer_at is not None

    def test_forwarding_again_sends_nothing_twice(self, people, to_partner, picks):
        dispatch_forward(dispatch=to_partner, user=people.partner, supplier_ids=[picks[0].pk])
        again = dispatch_forward(
            dispatch=to_partner, user=people.partner, supplier_ids=[picks[0].pk, picks[1].pk]
        )
        assert len(again) == 2
        request = to_partner.quote_request
        assert request.dispatches.filter(supplier__isnull=False).count() == 2

    def test_a_supplier_that_already_has_the_request_keeps_its_one_dispatch(
        self, people, to_partner, to_hotel
    ):
        forwarded = dispatch_forward(
            dispatch=to_partner, user=people.partner, supplier_ids=[people.hotel.pk]
        )
        assert forwarded == [to_hotel]
        assert Dispatch.objects.filter(supplier=people.hotel).count() == 1

    def test_the_forwarding_is_logged(self, people, to_partner, picks):
        dispatch_forward(dispatch=to_partner, user=people.partner, supplier_ids=[picks[0].pk])
        entry = RoutingLogEntry.objects.get(event="dispatch_forwarded")
        assert entry.details == {"partner": people.partner_org.pk, "suppliers": [picks[0].pk]}

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "staff", "outsider"])
    def test_only_a_member_of_the_partner_forwards(self, people, to_partner, picks, who):
        with pytest.raises(PermissionDenied):
            dispatch_forward(
                dispatch=to_partner, user=getattr(people, who), supplier_ids=[picks[0].pk]
            )
        assert not Dispatch.objects.filter(supplier=picks[0]).exists()

    def test_a_member_of_another_partner_is_refused(self, people, to_partner, picks):
        other = factories.partner(name="Rouen Convention Bureau", communes=("76540",))
        member = factories.UserFactory(role="partner")
        other.members.add(member)
        with pytest.raises(PermissionDenied):
            dispatch_forward(dispatch=to_partner, user=member, supplier_ids=[picks[0].pk])

    def test_a_dispatch_to_a_supplier_is_not_forwarded(self, people, to_hotel, picks):
        with pytest.raises(ValidationError):
            dispatch_forward(dispatch=to_hotel, user=people.supplier, supplier_ids=[picks[0].pk])

    @pytest.mark.parametrize("ids", [[], [999999], ["abc"], None])
    def test_it_refuses_an_empty_or_unknown_pick(self, people, to_partner, ids):
        with pytest.raises(ValidationError) as refused:
            dispatch_forward(dispatch=to_partner, user=people.partner, supplier_ids=ids or [])
        assert "supplier_ids" in refused.value.message_dict
        assert Dispatch.objects.get(pk=to_partner.pk).status == S.SENT

    def test_it_refuses_an_unpublished_supplier(self, people, to_partner):
        draft = factories.SupplierFactory(status=Status.DRAFT)
        with pytest.raises(ValidationError) as refused:
            dispatch_forward(dispatch=to_partner, user=people.partner, supplier_ids=[draft.pk])
        assert str(draft.pk) in refused.value.message_dict["supplier_ids"][0]

    def test_a_declined_request_is_not_forwarded_afterwards(self, people, to_partner, picks):
        dispatch_answer(
            dispatch=to_partner, user=people.partner, status=S.DECLINED, reason="Out of scope"
        )
        with pytest.raises(ValidationError):
            dispatch_forward(dispatch=to_partner, user=people.partner, supplier_ids=[picks[0].pk])
        assert not Dispatch.objects.filter(supplier=picks[0]).exists()


class QuoteRequestDeclareOutcomeTestCase:
    @pytest.fixture
    def competitors(self, people, request_, to_hotel, to_partner):
        to_other = dispatch(request_, supplier=people.other_hotel, status=S.PROPOSAL)
        declined = dispatch(
            request_, supplier=factories.SupplierFactory(), status=S.DECLINED, decline_reason="No"
        )
        return to_other, declined

    def test_a_win_closes_the_request_and_every_dispatch(
        self, people, request_, to_hotel, to_partner, competitors
    ):
        to_other, declined = competitors
        closed = quote_request_declare_outcome(
            quote_request=request_,
            supplier=people.hotel,
            participants=38,
            days=2,
            budget=Decimal("15200.00"),
            declared_by="planner",
        )
        assert closed.status == RequestStatus.WON
        assert closed.won_by == people.hotel
        assert (closed.outcome_participants, closed.outcome_days) == (38, 2)
        assert closed.outcome_budget == Decimal("15200.00")
        assert closed.outcome_declared_by == "planner"
        assert closed.outcome_declared_at is not None
        statuses = dict(Dispatch.objects.values_list("pk", "status"))
        assert statuses[to_hotel.pk] == S.WON
        assert statuses[to_other.pk] == S.LOST
        assert statuses[declined.pk] == S.DECLINED
        assert statuses[to_partner.pk] == S.SENT

    def test_a_supplier_asked_by_name_may_win_without_a_dispatch(self, people):
        named = factories.SupplierFactory()
        request = quote_request(requested_suppliers=[named])
        closed = quote_request_declare_outcome(
            quote_request=request,
            supplier=named,
            participants=20,
            days=1,
            budget="3000",
            declared_by="staff",
        )
        assert closed.won_by == named

    def test_no_supplier_means_lost_and_every_open_dispatch_lost(
        self, people, request_, to_hotel, competitors
    ):
        to_other, declined = competitors
        closed = quote_request_declare_outcome(
            quote_request=request_, supplier=None, declared_by="planner"
        )
        assert closed.status == RequestStatus.LOST
        assert closed.won_by is None
        assert Dispatch.objects.get(pk=to_hotel.pk).status == S.LOST
        assert Dispatch.objects.get(pk=to_other.pk).status == S.LOST
        assert Dispatch.objects.get(pk=declined.pk).status == S.DECLINED

    def test_declaring_again_replaces_the_outcome(self, people, request_, to_hotel, competitors):
        to_other, _declined = competitors
        values = {"participants": 40, "days": 2, "budget": "10000", "declared_by": "planner"}
        quote_request_declare_outcome(quote_request=request_, supplier=people.hotel, **values)
        values["declared_by"] = "staff"
        closed = quote_request_declare_outcome(
            quote_request=request_, supplier=people.other_hotel, **values
        )
        assert closed.won_by == people.other_hotel
        assert closed.outcome_declared_by == "staff"
        assert Dispatch.objects.get(pk=to_hotel.pk).status == S.LOST
        assert Dispatch.objects.get(pk=to_other.pk).status == S.WON

    def test_the_outcome_is_logged(self, people, request_, to_hotel):
        quote_request_declare_outcome(
            quote_request=request_,
            supplier=people.hotel,
            participants=40,
            days=2,
            budget="10000",
            declared_by="staff",
            actor=people.staff,
        )
        entry = RoutingLogEntry.objects.get(event="outcome_declared")
        assert entry.actor == people.staff
        assert entry.details["supplier"] == people.hotel.pk

    def test_it_refuses_a_supplier_that_never_got_the_request(self, people, request_, to_hotel):
        stranger = factories.SupplierFactory()
        with pytest.raises(ValidationError) as refused:
            quote_request_declare_outcome(
                quote_request=request_,
                supplier=stranger,
                participants=10,
                days=1,
                budget="100",
                declared_by="planner",
            )
        assert "supplier" in refused.value.message_dict
        request_.refresh_from_db()
        assert request_.status == RequestStatus.ROUTED

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("participants", 0),
            ("participants", -5),
            ("participants", "many"),
            ("participants", 2.5),
            ("participants", Decimal("2.5")),
            ("participants", "2.5"),
            ("participants", None),
            ("participants", 100001),
            ("days", 0),
            ("days", 61),
            ("days", None),
            ("budget", "-1"),
            ("budget", 99.99),
            ("budget", "cher"),
            ("budget", None),
        ],
    )
    def test_a_win_refuses_a_missing_or_bad_figure(self, people, request_, to_hotel, field, value):
        values = {"participants": 40, "days": 2, "budget": Decimal("100")}
        values[field] = value
        with pytest.raises(ValidationError) as refused:
            quote_request_declare_outcome(
                quote_request=request_, supplier=people.hotel, declared_by="planner", **values
            )
        assert field in refused.value.message_dict
        assert Dispatch.objects.get(pk=to_hotel.pk).status == S.SENT

    def test_a_loss_checks_the_figures_it_is_given(self, people, request_):
        with pytest.raises(ValidationError) as refused:
            quote_request_declare_outcome(
                quote_request=request_, supplier=None, participants=0, declared_by="planner"
            )
        assert "participants" in refused.value.message_dict

    @pytest.mark.parametrize("who", ["", "partner", "robot"])
    def test_it_refuses_an_unknown_declarer(self, people, request_, to_hotel, who):
        with pytest.raises(ValidationError) as refused:
            quote_request_declare_outcome(quote_request=request_, supplier=None, declared_by=who)
        assert "declared_by" in refused.value.message_dict

    @pytest.mark.parametrize("status", [RequestStatus.QUARANTINED, RequestStatus.DUPLICATE])
    def test_a_spam_or_a_duplicate_has_no_outcome(self, people, status):
        request = quote_request(status=status)
        with pytest.raises(ValidationError):
            quote_request_declare_outcome(quote_request=request, supplier=None, declared_by="staff")
        request.refresh_from_db()
        assert request.status == status


class DispatchesRemindTestCase:
    def sent(self, people, hours: float, **fields) -> Dispatch:
        request = quote_request()
        fields.setdefault("supplier", people.hotel)
        return dispatch(request, sent_at=NOW - datetime.timedelta(hours=hours), **fields)

    def test_nothing_is_sent_before_48_hours(self, people, smtp_server):
        self.sent(people, 47.99)
        assert dispatches_remind(now=NOW) == 0
        assert smtp_server.messages == []

    def test_at_48_hours_exactly_one_reminder_goes_out(self, people, smtp_server):
        late = self.sent(people, 48)
        assert dispatches_remind(now=NOW) == 1
        assert dispatches_remind(now=NOW) == 0
        assert dispatches_remind(now=NOW + datetime.timedelta(days=3)) == 0
        assert len(smtp_server.messages) == 1
        assert Dispatch.objects.get(pk=late.pk).reminded_at == NOW

    def test_the_reminder_names_the_request_and_goes_where_the_dispatch_went(
        self, people, smtp_server
    ):
        people.hotel.email = "events@hotel.example"
        people.hotel.save()
        late = self.sent(people, 50)
        dispatches_remind(now=NOW)
        mail = smtp_server.messages[0]
        assert mail.recipients == ["events@hotel.example"]
        assert mail.header("X-Micedesk-Reminder") == str(late.pk)
        assert late.quote_request.reference in mail.subject
        assert late.quote_request.reference in mail.body
        assert "/extranet/" in mail.body
        assert late.quote_request.email not in mail.body

    def test_a_supplier_without_an_address_is_reminded_through_its_members(
        self, people, smtp_server
    ):
        self.sent(people, 50)
        dispatches_remind(now=NOW)
        assert smtp_server.messages[0].recipients == ["sales@hotel.example"]

    def test_a_recipient_without_any_address_is_marked_and_not_retried(self, people, smtp_server):
        lonely = factories.SupplierFactory(email="")
        late = self.sent(people, 50, supplier=lonely)
        assert dispatches_remind(now=NOW) == 0
        assert Dispatch.objects.get(pk=late.pk).reminded_at == NOW
        assert smtp_server.messages == []

    def test_a_viewed_but_unanswered_dispatch_is_reminded(self, people, smtp_server):
        self.sent(people, 60, status=S.VIEWED, viewed_at=NOW)
        assert dispatches_remind(now=NOW) == 1

    def test_a_partner_is_reminded_too(self, people, smtp_server):
        self.sent(people, 60, supplier=None, partner=people.partner_org)
        assert dispatches_remind(now=NOW) == 1
        assert smtp_server.messages[0].recipients == ["cb@caen.example"]

    @pytest.mark.parametrize(
        "status", [S.PENDING, S.INTERESTED, S.DECLINED, S.PROPOSAL, S.FORWARDED, S.WON, S.LOST]
    )
    def test_an_answered_or_unsent_dispatch_is_not_reminded(self, people, smtp_server, status):
        answered = None if status == S.PENDING else NOW - datetime.timedelta(hours=50)
        self.sent(people, 72, status=status, first_answer_at=answered)
        assert dispatches_remind(now=NOW) == 0

    def test_a_mail_server_outage_delays_the_reminder_without_losing_it(self, people, smtp_server):
        late = self.sent(people, 49)
        smtp_server.stop()
        assert dispatches_remind(now=NOW) == 0
        assert Dispatch.objects.get(pk=late.pk).reminded_at is None
        smtp_server.start()
        assert dispatches_remind(now=NOW) == 1
        assert len(smtp_server.messages) == 1

    def test_several_late_dispatches_each_get_one_reminder(self, people, smtp_server):
        for hours in (48, 49, 100):
            self.sent(people, hours)
        self.sent(people, 10)
        assert dispatches_remind(now=NOW) == 3
        assert dispatches_remind(now=NOW) == 0
        assert len(smtp_server.messages) == 3
