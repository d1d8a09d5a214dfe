"""Scoped reads of requests and dispatches: staff everything, a supplier its own dispatches, a
partner its territory, outsiders nothing; the planner's details only with consent; the inbox."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from micedesk.geo.models import Commune
from micedesk.leads.links import ForgedLink, quote_request_token
from micedesk.leads.models import Dispatch, DispatchStatus, RequestStatus
from micedesk.leads.selectors import (
    INBOX_PAGE_SIZE,
    departments_covered,
    dispatch_is_late,
    dispatches_for,
    planner_details_for,
    quote_request_for_planner,
    quote_request_outcome_due,
    quote_requests_for,
    quote_requests_inbox,
)
from tests import factories
from tests.leads.builders import dispatch, quote_request

S = DispatchStatus
NOW = timezone.make_aware(datetime.datetime(2030, 6, 3, 10, 0))


@pytest.fixture
def world(people, communes):
    """Requests in Caen (the partner's territory), Rouen, Deauville and department-wide; the hotel
    (Caen) got the Caen and the Calvados requests, the competitor (Rouen) the Rouen one."""
    caen = quote_request(commune=communes["14118"], departments=["14"])
    rouen = quote_request(commune=communes["76540"], departments=["76"])
    deauville = quote_request(commune=communes["14220"], departments=["14"])
    calvados = quote_request(departments=["14"])
    spam = quote_request(commune=communes["14118"], status=RequestStatus.QUARANTINED)
    to_partner = quote_request(commune=communes["76351"], departments=["76"])
    dispatches = {
        "caen_hotel": dispatch(caen, supplier=people.hotel),
        "caen_other": dispatch(caen, supplier=people.other_hotel),
        "rouen_other": dispatch(rouen, supplier=people.other_hotel),
        "calvados_hotel": dispatch(calvados, supplier=people.hotel),
        "havre_partner": dispatch(to_partner, partner=people.partner_org),
    }
    return {
        "caen": caen,
        "rouen": rouen,
        "deauville": deauville,
        "calvados": calvados,
        "spam": spam,
        "to_partner": to_partner,
        "dispatches": dispatches,
    }


class QuoteRequestsForTestCase:
    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_staff_read_every_request(self, people, world, who):
        assert quote_requests_for(user=getattr(people, who)).count() == 6

    def test_a_supplier_reads_only_the_requests_dispatched_to_it(self, people, world):
        found = set(quote_requests_for(user=people.supplier))
        assert found == {world["caen"], world["calvados"]}

    def test_the_competitor_reads_only_its_own(self, people, world):
        found = set(quote_requests_for(user=people.other_supplier))
        assert found == {world["caen"], world["rouen"]}

    def test_a_partner_reads_its_territory_and_what_was_sent_to_it(self, people, world):
        """Caen is in its territory; Le Havre was dispatched to it; Deauville is not in its
        territory, and it does not cover the whole of Calvados; spam stays with staff."""
        found = set(quote_requests_for(user=people.partner))
        assert found == {world["caen"], world["to_partner"]}

    def test_a_partner_covering_a_whole_department_reads_its_department_wide_requests(
        self, people, world
    ):
        calvados = Commune.objects.filter(department_id="14").values_list("pk", flat=True)
        people.partner_org.communes.set(calvados)
        found = set(quote_requests_for(user=people.partner))
        assert found == {world["caen"], world["deauville"], world["calvados"], world["to_partner"]}

    def test_a_department_is_covered_only_when_every_commune_is(self, people, world):
        assert departments_covered(partners=[people.partner_org]) == []
        people.partner_org.communes.add("14220")
        assert departments_covered(partners=[people.partner_org]) == ["14"]

    def test_a_partner_member_without_a_partner_reads_nothing(self, people, world):
        loner = factories.UserFactory(role="partner")
        assert list(quote_requests_for(user=loner)) == []

    def test_a_supplier_member_without_a_listing_reads_nothing(self, people, world):
        loner = factories.UserFactory(role="supplier")
        assert list(quote_requests_for(user=loner)) == []

    def test_an_outsider_reads_nothing(self, people, world):
        assert list(quote_requests_for(user=people.outsider)) == []

    def test_an_anonymous_visitor_reads_nothing(self, people, world):
        assert list(quote_requests_for(user=AnonymousUser())) == []
        assert list(quote_requests_for(user=None)) == []

    def test_a_deactivated_member_reads_nothing(self, people, world):
        people.supplier.is_active = False
        people.supplier.save()
        assert list(quote_requests_for(user=people.supplier)) == []


class DispatchesForTestCase:
    def test_staff_read_every_dispatch(self, people, world):
        assert dispatches_for(user=people.staff).count() == 5

    def test_a_supplier_never_reads_another_suppliers_dispatch(self, people, world):
        mine = set(dispatches_for(user=people.supplier))
        assert mine == {world["dispatches"]["caen_hotel"], world["dispatches"]["calvados_hotel"]}
        assert world["dispatches"]["caen_other"] not in mine

    def test_the_competitor_reads_its_own(self, people, world):
        theirs = set(dispatches_for(user=people.other_supplier))
        assert theirs == {world["dispatches"]["caen_other"], world["dispatches"]["rouen_other"]}

    def test_a_partner_reads_the_dispatches_of_its_territorys_requests(self, people, world):
        found = set(dispatches_for(user=people.partner))
        expected = {"caen_hotel", "caen_other", "havre_partner"}
        assert found == {world["dispatches"][name] for name in expected}

    @pytest.mark.parametrize("who", ["outsider"])
    def test_an_outsider_reads_no_dispatch(self, people, world, who):
        assert list(dispatches_for(user=getattr(people, who))) == []
        assert list(dispatches_for(user=AnonymousUser())) == []

    def test_each_dispatch_says_whether_it_is_late(self, people, world):
        caen = world["dispatches"]["caen_hotel"]
        calvados = world["dispatches"]["calvados_hotel"]
        Dispatch.objects.filter(pk=caen.pk).update(sent_at=NOW - datetime.timedelta(hours=72))
        Dispatch.objects.filter(pk=calvados.pk).update(sent_at=NOW - datetime.timedelta(hours=71))
        late = dict(dispatches_for(user=people.supplier, now=NOW).values_list("pk", "is_late"))
        assert late == {caen.pk: True, calvados.pk: False}

    def test_it_reads_requests_and_recipients_in_the_same_query(
        self, people, world, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            names = [
                (d.quote_request.reference, str(d.supplier))
                for d in dispatches_for(user=people.staff)
            ]
        assert len(names) == 5


class LatenessTestCase:
    @pytest.mark.parametrize(
        ("hours", "status", "answered", "late"),
        [
            (71.99, S.SENT, False, False),
            (72, S.SENT, False, True),
            (100, S.VIEWED, False, True),
            (100, S.INTERESTED, True, False),
            (100, S.DECLINED, True, False),
            (100, S.FORWARDED, True, False),
            (100, S.PENDING, False, False),
        ],
    )
    def test_a_dispatch_is_late_after_72_hours_without_an_answer(
        self, people, hours, status, answered, late
    ):
        sent_at = NOW - datetime.timedelta(hours=hours)
        item = dispatch(
            quote_request(),
            supplier=people.hotel,
            status=status,
            sent_at=None if status == S.PENDING else sent_at,
            first_answer_at=NOW if answered else None,
        )
        assert dispatch_is_late(dispatch=item, now=NOW) is late
        annotated = dispatches_for(user=people.staff, now=NOW).get(pk=item.pk)
        assert annotated.is_late is late


class PlannerDetailsForTestCase:
    @pytest.fixture
    def consenting(self, people):
        request = quote_request(consent_share=True, commune=people.hotel.commune)
        return dispatch(request, supplier=people.hotel), dispatch(
            request, supplier=people.other_hotel
        )

    @pytest.fixture
    def withholding(self, people):
        request = quote_request(consent_share=False, commune=people.hotel.commune)
        return dispatch(request, supplier=people.hotel), dispatch(
            request, supplier=people.other_hotel
        )

    def test_the_recipient_reads_the_details_the_planner_agreed_to_share(self, people, consenting):
        details = planner_details_for(dispatch=consenting[0], user=people.supplier)
        assert details.shared
        assert (details.contact_name, details.email) == ("Event planner", "planner@company.example")
        assert details.organisation == "Planner company"
        assert details.phone == "+33 2 31 00 00 00"

    def test_without_consent_the_recipient_reads_only_the_kind_and_sector(
        self, people, withholding
    ):
        details = planner_details_for(dispatch=withholding[0], user=people.supplier)
        assert not details.shared
        assert details.contact_name is None and details.organisation is None
        assert details.email is None and details.phone is None
        assert details.organisation_kind == "Company"
        assert details.sector == "Pharmaceuticals"

    def test_a_supplier_never_reads_the_planner_through_another_suppliers_dispatch(
        self, people, consenting
    ):
        with pytest.raises(PermissionDenied):
            planner_details_for(dispatch=consenting[1], user=people.supplier)

    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_staff_read_the_planner_in_full(self, people, withholding, who):
        assert planner_details_for(dispatch=withholding[0], user=getattr(people, who)).shared

    def test_a_partner_reads_its_territory_without_personal_details(self, people, consenting):
        details = planner_details_for(dispatch=consenting[0], user=people.partner)
        assert not details.shared and details.email is None

    def test_a_partner_recipient_reads_the_details_shared_with_it(self, people):
        request = quote_request(consent_share=True, commune=people.hotel.commune)
        to_partner = dispatch(request, partner=people.partner_org)
        assert planner_details_for(dispatch=to_partner, user=people.partner).shared

    def test_a_partner_outside_the_territory_is_refused(self, people, communes):
        request = quote_request(consent_share=True, commune=communes["76540"], departments=["76"])
        to_other = dispatch(request, supplier=people.other_hotel)
        with pytest.raises(PermissionDenied):
            planner_details_for(dispatch=to_other, user=people.partner)

    @pytest.mark.parametrize("who", ["outsider"])
    def test_an_outsider_is_refused(self, people, consenting, who):
        with pytest.raises(PermissionDenied):
            planner_details_for(dispatch=consenting[0], user=getattr(people, who))
        with pytest.raises(PermissionDenied):
            planner_details_for(dispatch=consenting[0], user=AnonymousUser())


class QuoteRequestForPlannerTestCase:
    def test_the_link_opens_the_request_with_who_it_was_sent_to(
        self, people, world, django_assert_num_queries
    ):
        token = quote_request_token(quote_request=world["caen"])
        with django_assert_num_queries(3):
            request = quote_request_for_planner(token=token)
            names = [d.supplier.name for d in request.supplier_dispatches]
        assert request == world["caen"]
        assert names == ["Château de la Forêt", "Hôtel de la Plage"]

    def test_partner_dispatches_are_not_shown_to_the_planner(self, people, world):
        token = quote_request_token(quote_request=world["to_partner"])
        assert quote_request_for_planner(token=token).supplier_dispatches == []

    def test_a_forged_token_is_refused(self, people, world):
        with pytest.raises(ForgedLink):
            quote_request_for_planner(token="forged")


class QuoteRequestOutcomeDueTestCase:
    TODAY = datetime.date(2030, 6, 3)

    @pytest.mark.parametrize(
        ("start", "end", "due"),
        [
            (datetime.date(2030, 5, 30), datetime.date(2030, 6, 2), True),
            (datetime.date(2030, 6, 2), datetime.date(2030, 6, 3), False),
            (datetime.date(2030, 6, 2), None, True),
            (datetime.date(2030, 7, 1), datetime.date(2030, 7, 2), False),
        ],
    )
    def test_the_outcome_is_asked_once_the_event_is_over(self, communes, start, end, due):
        request = quote_request(start_date=start, end_date=end)
        assert quote_request_outcome_due(quote_request=request, today=self.TODAY) is due

    def test_without_dates_it_is_asked_90_days_after_the_request(self, communes):
        received = timezone.make_aware(datetime.datetime(2030, 3, 5, 12, 0))
        request = quote_request(created_at=received)
        assert not quote_request_outcome_due(quote_request=request, today=datetime.date(2030, 6, 2))
        assert quote_request_outcome_due(quote_request=request, today=datetime.date(2030, 6, 3))

    @pytest.mark.parametrize(
        "status", [RequestStatus.WON, RequestStatus.LOST, RequestStatus.QUARANTINED]
    )
    def test_it_is_not_asked_of_a_closed_or_unrouted_request(self, communes, status):
        request = quote_request(status=status, end_date=datetime.date(2030, 1, 1))
        assert not quote_request_outcome_due(quote_request=request, today=self.TODAY)


class QuoteRequestsInboxTestCase:
    def test_staff_get_the_newest_first_with_their_counts(self, people, world):
        Dispatch.objects.filter(pk=world["dispatches"]["caen_hotel"].pk).update(
            first_answer_at=timezone.now()
        )
        page = quote_requests_inbox(user=people.staff)
        assert page.paginator.count == 6
        assert page.object_list[0] == world["to_partner"]
        caen = next(r for r in page.object_list if r == world["caen"])
        assert (caen.dispatch_count, caen.answered_count) == (2, 1)

    def test_it_filters_by_status(self, people, world):
        page = quote_requests_inbox(user=people.staff, status=RequestStatus.QUARANTINED)
        assert list(page.object_list) == [world["spam"]]

    def test_it_filters_by_channel(self, people, world):
        api = quote_request(channel="api")
        assert list(quote_requests_inbox(user=people.staff, channel="api").object_list) == [api]

    def test_it_filters_by_department_named_or_of_the_commune(self, people, world, communes):
        by_commune = quote_request(commune=communes["76351"], departments=[])
        page = quote_requests_inbox(user=people.staff, department="76")
        assert set(page.object_list) == {world["rouen"], world["to_partner"], by_commune}

    @pytest.mark.parametrize("text", ["CLIENT-X", "client-x", "buyer@client-x.example", "Buyer"])
    def test_it_finds_by_reference_organisation_name_or_email(self, people, world, text):
        wanted = quote_request(
            organisation="Client-X Laboratories",
            contact_name="Buyer of Client-X",
            email="buyer@client-x.example",
        )
        assert list(quote_requests_inbox(user=people.staff, q=text).object_list) == [wanted]

    def test_it_finds_by_reference(self, people, world):
        reference = world["rouen"].reference
        assert list(quote_requests_inbox(user=people.staff, q=reference).object_list) == [
            world["rouen"]
        ]

    def test_it_pages(self, people, communes):
        for _index in range(INBOX_PAGE_SIZE + 3):
            quote_request()
        second = quote_requests_inbox(user=people.staff, page=2)
        assert len(second.object_list) == 3
        assert quote_requests_inbox(user=people.staff, page="nonsense").number == 1

    def test_a_supplier_gets_only_its_own_in_its_inbox(self, people, world):
        page = quote_requests_inbox(user=people.supplier)
        assert set(page.object_list) == {world["caen"], world["calvados"]}

    def test_a_partner_gets_only_its_territory(self, people, world):
        page = quote_requests_inbox(user=people.partner, department="14")
        assert list(page.object_list) == [world["caen"]]

    def test_an_outsider_gets_an_empty_inbox(self, people, world):
        assert quote_requests_inbox(user=people.outsider).paginator.count == 0

    @pytest.mark.parametrize(("field", "value"), [("status", "closed"), ("channel", "fax")])
    def test_it_refuses_an_unknown_filter(self, people, world, field, value):
        with pytest.raises(ValidationError) as refused:
            quote_requests_inbox(user=people.staff, **{field: value})
        assert field in refused.value.message_dict
