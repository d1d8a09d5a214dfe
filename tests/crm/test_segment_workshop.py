"""Workshop invitation lists: theme, place, basis, the renewal rule (with hypothesis), the order,
the cap, refusals, and recording the invitations sent."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micedesk.accounts.models import Role
from micedesk.crm.models import (
    ActionKind,
    AuditEntry,
    BureauAction,
    Contact,
    Interaction,
    InteractionKind,
    Purpose,
    Segment,
    SegmentKind,
)
from micedesk.crm.segments import (
    earlier_workshops,
    rules_clean,
    rules_evaluate,
    segment_create,
    segment_invite,
    workshop_invitation_rules,
)
from tests import factories
from tests.crm import builders

TODAY = datetime.date(2026, 6, 1)


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def invitable(*, topics, department: str = "75", **fields):
    contact = builders.contact(topics=topics, department_code=department, **fields)
    builders.consent(contact, Purpose.INVITATIONS)
    return contact


def invite(contact, workshop) -> None:
    builders.interaction(
        contact, InteractionKind.INVITED, action=workshop, occurred_at=at(workshop.starts_on)
    )


def evaluate(user, **rules):
    return rules_evaluate(
        kind=SegmentKind.WORKSHOP_INVITATION, rules=workshop_invitation_rules(**rules), user=user
    )


def pks(result) -> list[int]:
    return list(result.contacts.values_list("pk", flat=True))


@pytest.fixture
def seminar(db):
    return builders.topic("seminaires", "Séminaires")


@pytest.fixture
def paris_workshop(seminar):
    return builders.bureau_action(
        "Workshop Paris", starts_on=TODAY, department_code="75", topics=[seminar]
    )


@pytest.fixture
def past_workshops(seminar):
    """Four workshops before the Paris one, the most recent first."""
    return [
        builders.bureau_action(f"Workshop {n}", starts_on=days_ago(30 * n), topics=[seminar])
        for n in range(1, 5)
    ]


class WorkshopRulesTestCase:
    def test_it_takes_theme_and_place_from_the_workshop(self, paris_workshop):
        rules = workshop_invitation_rules(workshop=paris_workshop)
        assert rules == {
            "workshop": paris_workshop.pk,
            "topics": ["seminaires"],
            "department": "75",
            "place": "region",
            "k": 2,
            "m": 3,
            "limit": None,
        }

    def test_it_takes_the_department_of_the_workshop_commune(self, seminar, communes):
        workshop = builders.bureau_action(commune=communes["14118"], topics=[seminar])
        assert workshop_invitation_rules(workshop=workshop)["department"] == "14"

    @pytest.mark.parametrize(
        "rules",
        [
            {"k": 4, "m": 3},
            {"k": 0},
            {"m": 0},
            {"k": -1},
            {"k": "two"},
            {"k": 2.5},
            {"m": 1000},
            {"limit": 0},
            {"topics": ["unknown"]},
            {"place": "moon"},
            {"department": "Paris"},
        ],
    )
    def test_it_refuses_bad_parameters(self, paris_workshop, rules):
        with pytest.raises(ValidationError):
            workshop_invitation_rules(workshop=paris_workshop, **rules)

    def test_it_says_why_k_cannot_exceed_m(self, paris_workshop):
        with pytest.raises(ValidationError) as error:
            workshop_invitation_rules(workshop=paris_workshop, k=4, m=3)
        assert "4" in error.value.messages[0] and "3" in error.value.messages[0]

    def test_it_refuses_an_action_that_is_not_a_workshop(self, seminar):
        show = builders.bureau_action(kind=ActionKind.TRADE_SHOW, topics=[seminar])
        with pytest.raises(ValidationError):
            workshop_invitation_rules(workshop=show)

    def test_it_needs_a_theme_and_a_place(self, seminar):
        bare = builders.bureau_action(department_code="75")
        with pytest.raises(ValidationError):
            workshop_invitation_rules(workshop=bare)
        with pytest.raises(ValidationError):
            workshop_invitation_rules(topics=["seminaires"])
        rules = workshop_invitation_rules(topics=["seminaires"], place="none")
        assert rules["workshop"] is None

    @pytest.mark.parametrize("workshop", [True, "first", 999999])
    def test_it_refuses_a_workshop_that_is_not_a_number_of_one(self, db, workshop):
        with pytest.raises(ValidationError):
            rules_clean(kind=SegmentKind.WORKSHOP_INVITATION, rules={"workshop": workshop})

    def test_it_refuses_unknown_keys(self, paris_workshop):
        with pytest.raises(ValidationError):
            rules_clean(
                kind=SegmentKind.WORKSHOP_INVITATION,
                rules={"workshop": paris_workshop.pk, "everyone": True},
            )


class WorkshopSegmentTestCase:
    def test_it_keeps_the_theme_the_region_and_the_basis(self, people, paris_workshop, seminar):
        other_topic = builders.topic("incentive", "Incentive")
        kept = invitable(topics=[seminar], department="92")
        invitable(topics=[other_topic])
        invitable(topics=[seminar], department="14")
        builders.contact(topics=[seminar])
        result = evaluate(people.staff, workshop=paris_workshop)
        assert pks(result) == [kept.pk]
        assert result.excluded == {
            "anonymised": 0,
            "topics": 1,
            "place": 1,
            "basis": 1,
            "renewal": 0,
        }

    def test_the_department_rule_is_narrower_than_the_region(self, people, paris_workshop, seminar):
        paris = invitable(topics=[seminar], department="75")
        invitable(topics=[seminar], department="92")
        result = evaluate(people.staff, workshop=paris_workshop, place="department")
        assert pks(result) == [paris.pk]
        everywhere = evaluate(people.staff, workshop=paris_workshop, place="none")
        assert len(pks(everywhere)) == 2

    def test_it_leaves_out_those_invited_to_k_of_the_last_m_workshops(
        self, people, paris_workshop, past_workshops, seminar
    ):
        twice = invitable(topics=[seminar])
        invite(twice, past_workshops[0])
        invite(twice, past_workshops[2])
        once = invitable(topics=[seminar])
        invite(once, past_workshops[1])
        long_ago = invitable(topics=[seminar])
        invite(long_ago, past_workshops[3])
        invite(long_ago, past_workshops[3])
        never = invitable(topics=[seminar])
        result = evaluate(people.staff, workshop=paris_workshop)
        assert pks(result) == [never.pk, long_ago.pk, once.pk]
        assert result.excluded["renewal"] == 1
        renewal = next(step for step in result.steps if step.code == "renewal")
        assert "Workshop 1" in renewal.sentence and "Workshop 4" not in renewal.sentence

    def test_earlier_workshops_are_those_before_this_one(self, paris_workshop, past_workshops):
        later = builders.bureau_action(starts_on=TODAY + datetime.timedelta(days=30))
        builders.bureau_action(kind=ActionKind.TRADE_SHOW, starts_on=days_ago(1))
        assert earlier_workshops(workshop=paris_workshop, m=3) == past_workshops[:3]
        assert earlier_workshops(workshop=later, m=10) == [paris_workshop, *past_workshops]

    def test_it_caps_the_list_keeping_the_least_invited(
        self, people, paris_workshop, past_workshops, seminar
    ):
        recent = invitable(topics=[seminar], last_name="A")
        invite(recent, past_workshops[0])
        older = invitable(topics=[seminar], last_name="B")
        invite(older, past_workshops[2])
        never = invitable(topics=[seminar], last_name="C")
        result = evaluate(people.staff, workshop=paris_workshop, limit=2)
        assert pks(result) == [never.pk, older.pk]
        assert result.count == 2
        assert result.excluded["limit"] == 1

    def test_it_never_includes_anonymised_contacts(self, people, paris_workshop, seminar):
        invitable(topics=[seminar], anonymised_at=timezone.now())
        assert evaluate(people.staff, workshop=paris_workshop).count == 0

    def test_only_staff_evaluate(self, people, paris_workshop):
        with pytest.raises(PermissionDenied):
            evaluate(people.partner, workshop=paris_workshop)


@st.composite
def histories(draw):
    """Workshop parameters and, per contact, the earlier workshops it was invited to and
    whether it has a basis for invitations."""
    m = draw(st.integers(min_value=1, max_value=4))
    k = draw(st.integers(min_value=1, max_value=m))
    held = draw(st.integers(min_value=0, max_value=5))
    contacts = draw(
        st.lists(
            st.tuples(st.sets(st.integers(0, max(held - 1, 0)), max_size=held), st.booleans()),
            min_size=1,
            max_size=8,
        )
    )
    return k, m, held, contacts


class RenewalPropertyTestCase:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(history=histories())
    def test_the_renewal_rule_holds_for_any_history(self, people, seminar, history):
        k, m, held, specs = history
        # Hypothesis runs every example in the same test transaction: start from nothing.
        Interaction.objects.all().delete()
        Contact.objects.all().delete()
        BureauAction.objects.all().delete()
        workshop = builders.bureau_action(starts_on=TODAY, department_code="75", topics=[seminar])
        earlier = [builders.bureau_action(starts_on=days_ago(10 * (n + 1))) for n in range(held)]
        last_m = set(earlier[:m])
        invited_counts, has_basis = {}, set()
        for invited_to, basis in specs:
            contact = builders.contact(topics=[seminar])
            if basis:
                builders.consent(contact, Purpose.INVITATIONS)
                has_basis.add(contact.pk)
            for index in invited_to:
                invite(contact, earlier[index])
            invited_counts[contact.pk] = (
                len([i for i in invited_to if earlier[i] in last_m]),
                len(invited_to),
            )

        result = evaluate(people.staff, workshop=workshop, k=k, m=m)
        selected = pks(result)
        assert set(selected) <= has_basis
        for pk in selected:
            assert invited_counts[pk][0] < k
        for pk in has_basis:
            if invited_counts[pk][0] < k:
                assert pk in selected
        never = [i for i, pk in enumerate(selected) if invited_counts[pk][1] == 0]
        invited = [i for i, pk in enumerate(selected) if invited_counts[pk][1] > 0]
        if never and invited:
            assert max(never) < min(invited)


class SegmentInviteTestCase:
    @pytest.fixture
    def segment(self, people, paris_workshop, seminar):
        invitable(topics=[seminar])
        invitable(topics=[seminar])
        return segment_create(
            name="Paris",
            kind=SegmentKind.WORKSHOP_INVITATION,
            rules={"workshop": paris_workshop.pk},
            user=people.staff,
        )

    def test_it_records_an_invitation_per_contact_once(self, people, segment, paris_workshop):
        assert segment_invite(segment=segment, action=paris_workshop, user=people.staff) == 2
        assert segment_invite(segment=segment, action=paris_workshop, user=people.staff) == 0
        invitations = Interaction.objects.filter(
            action=paris_workshop, kind=InteractionKind.INVITED
        )
        assert invitations.count() == 2
        assert all(item.author == people.staff for item in invitations)
        entries = AuditEntry.objects.filter(object_type="segment", object_id=segment.pk)
        assert sorted(entry.details["invited"] for entry in entries) == [0, 2]

    def test_the_next_list_sees_the_invitations(self, people, segment, paris_workshop, seminar):
        segment_invite(segment=segment, action=paris_workshop, user=people.staff)
        next_one = builders.bureau_action(
            starts_on=TODAY + datetime.timedelta(days=60), department_code="75", topics=[seminar]
        )
        result = evaluate(people.staff, workshop=next_one, k=1, m=1)
        assert result.count == 0
        assert result.excluded["renewal"] == 2

    def test_recording_does_not_change_the_list_itself(self, people, segment, paris_workshop):
        before = pks(rules_evaluate(kind=segment.kind, rules=segment.rules, user=people.staff))
        segment_invite(segment=segment, action=paris_workshop, user=people.staff)
        after = pks(rules_evaluate(kind=segment.kind, rules=segment.rules, user=people.staff))
        assert before == after

    def test_it_refuses_other_kinds_of_segment(self, people, paris_workshop):
        mailing = Segment.objects.create(
            name="Mailing", kind=SegmentKind.TOPIC_MAILING, rules={"topics": ["seminaires"]}
        )
        with pytest.raises(ValidationError):
            segment_invite(segment=mailing, action=paris_workshop, user=people.staff)
        assert not Interaction.objects.exists()

    def test_only_staff_record_invitations(self, people, segment, paris_workshop):
        other = factories.UserFactory(role=Role.SUPPLIER)
        with pytest.raises(PermissionDenied):
            segment_invite(segment=segment, action=paris_workshop, user=other)
        assert not Interaction.objects.filter(kind=InteractionKind.INVITED).exists()
