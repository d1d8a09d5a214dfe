"""The segment rule engine: each filter of a custom segment, the e-mailing by topic, refusals."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from micedesk.crm.models import (
    ActionKind,
    CompanyKind,
    ContactKind,
    InteractionKind,
    LegalBasis,
    Purpose,
    Segment,
    SegmentKind,
)
from micedesk.crm.segments import (
    rules_clean,
    rules_evaluate,
    segment_create,
    segment_evaluate,
    segment_update,
    topic_mailing_rules,
)
from tests.crm import builders


def evaluate(user, rules: dict, kind: str = SegmentKind.CUSTOM):
    return rules_evaluate(kind=kind, rules=rules, user=user)


def pks(result) -> set[int]:
    return set(result.contacts.values_list("pk", flat=True))


@pytest.fixture
def seminar(db):
    return builders.topic("seminaires", "Séminaires")


@pytest.fixture
def incentive(db):
    return builders.topic("incentive", "Incentive")


class CustomRulesTestCase:
    def test_it_never_includes_anonymised_contacts(self, people):
        kept = builders.contact()
        gone = builders.contact(anonymised_at=timezone.now())
        result = evaluate(people.staff, {})
        assert kept.pk in pks(result) and gone.pk not in pks(result)
        assert result.excluded["anonymised"] == 1

    def test_it_filters_on_the_kind_of_contact(self, people):
        planner = builders.contact(kind=ContactKind.PLANNER)
        builders.contact(kind=ContactKind.JOURNALIST)
        result = evaluate(people.staff, {"kinds": ["planner"]})
        assert pks(result) == {planner.pk}
        assert result.excluded["kinds"] == 1

    def test_it_filters_on_department_region_country_and_language(self, people):
        match = builders.contact(
            department_code="14", region="Normandie", country="FR", language="fr"
        )
        builders.contact(department_code="75", region="Normandie", country="FR", language="fr")
        builders.contact(department_code="14", region="Bretagne", country="FR", language="fr")
        builders.contact(department_code="14", region="Normandie", country="BE", language="fr")
        builders.contact(department_code="14", region="Normandie", country="FR", language="en")
        rules = {
            "departments": ["14"],
            "regions": ["normandie"],
            "countries": ["fr"],
            "languages": ["FR"],
        }
        result = evaluate(people.staff, rules)
        assert pks(result) == {match.pk}
        assert [result.excluded[code] for code in rules] == [1, 1, 1, 1]

    def test_it_filters_on_the_organisation_kind_and_sector(self, people):
        agency = builders.company(kind=CompanyKind.AGENCY, naf_code="82.30Z")
        consultancy = builders.company(kind=CompanyKind.COMPANY, naf_code="70.22Z")
        in_agency = builders.contact(company=agency)
        in_consultancy = builders.contact(company=consultancy)
        builders.contact()
        assert pks(evaluate(people.staff, {"company_kinds": ["agency"]})) == {in_agency.pk}
        assert pks(evaluate(people.staff, {"naf_prefixes": ["70.2"]})) == {in_consultancy.pk}
        both = evaluate(people.staff, {"naf_prefixes": ["70", "82.30Z"]})
        assert pks(both) == {in_agency.pk, in_consultancy.pk}

    def test_it_keeps_contacts_with_any_of_the_topics_once(self, people, seminar, incentive):
        both = builders.contact(topics=[seminar, incentive])
        one = builders.contact(topics=[incentive])
        builders.contact()
        result = evaluate(people.staff, {"topics": ["seminaires", "incentive"]})
        assert sorted(result.contacts.values_list("pk", flat=True)) == sorted([both.pk, one.pk])
        assert result.count == 2

    def test_it_filters_on_first_touch_and_on_actions_where_they_were_met(self, people):
        show = builders.bureau_action("Trade show", kind=ActionKind.TRADE_SHOW)
        sourced = builders.contact(source_action=show)
        met = builders.contact()
        builders.interaction(met, InteractionKind.MET, action=show)
        invited = builders.contact()
        builders.interaction(invited, InteractionKind.INVITED, action=show)
        assert pks(evaluate(people.staff, {"source_actions": [show.pk]})) == {sourced.pk}
        assert pks(evaluate(people.staff, {"met_at": [show.pk]})) == {met.pk}

    def test_it_filters_on_the_last_interaction(self, people):
        recent = builders.contact()
        old = builders.contact()
        old.last_interaction_at = timezone.now() - datetime.timedelta(days=400)
        old.save()
        since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
        assert pks(evaluate(people.staff, {"last_interaction_since": since})) == {recent.pk}

    def test_it_filters_on_the_basis_in_force_for_a_purpose(self, people):
        granted = builders.contact()
        builders.consent(granted, Purpose.INVITATIONS)
        withdrawn = builders.contact()
        builders.consent(
            withdrawn,
            Purpose.INVITATIONS,
            recorded_at=timezone.now() - datetime.timedelta(days=10),
        )
        builders.consent(withdrawn, Purpose.INVITATIONS, granted=False)
        other_purpose = builders.contact()
        builders.consent(other_purpose, Purpose.MAILING)
        builders.contact()
        result = evaluate(people.staff, {"consent_purpose": "invitations"})
        assert pks(result) == {granted.pk}
        assert result.excluded["consent_purpose"] == 3

    def test_each_rule_says_what_it_keeps(self, people, seminar):
        result = evaluate(people.staff, {"topics": ["seminaires"], "departments": ["14"]})
        codes = [step.code for step in result.steps]
        assert codes == ["anonymised", "departments", "topics"]
        assert all(sentence for sentence in result.explanation)
        assert "14" in result.explanation[1]


class RefusalsTestCase:
    @pytest.mark.parametrize(
        "rules",
        [
            {"colour": ["blue"]},
            {"kinds": ["astronaut"]},
            {"departments": ["Calvados"]},
            {"countries": ["France"]},
            {"naf_prefixes": ["seventy"]},
            {"languages": ["french"]},
            {"last_interaction_since": "yesterday"},
            {"consent_purpose": "spam"},
            {"source_actions": ["x"]},
            {"met_at": [999999]},
            {"topics": ["no-such-topic"]},
            {"kinds": {"a": 1}},
            ["kinds"],
        ],
    )
    def test_it_refuses_bad_custom_rules(self, people, rules):
        with pytest.raises(ValidationError):
            rules_clean(kind=SegmentKind.CUSTOM, rules=rules)

    def test_it_names_the_unknown_topic(self, db):
        with pytest.raises(ValidationError) as error:
            rules_clean(kind=SegmentKind.CUSTOM, rules={"topics": ["no-such-topic"]})
        assert "no-such-topic" in error.value.messages[0]

    def test_it_refuses_an_unknown_kind_of_segment(self, db):
        with pytest.raises(ValidationError):
            rules_clean(kind="everyone", rules={})

    def test_it_drops_empty_filters(self, db):
        assert rules_clean(kind=SegmentKind.CUSTOM, rules={"kinds": [], "regions": [""]}) == {}

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_only_staff_evaluate_segments(self, people, role):
        segment = Segment.objects.create(name="All", kind=SegmentKind.CUSTOM, rules={})
        with pytest.raises(PermissionDenied):
            segment_evaluate(segment=segment, user=getattr(people, role))

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_only_staff_save_segments(self, people, role):
        with pytest.raises(PermissionDenied):
            segment_create(name="All", kind="custom", rules={}, user=getattr(people, role))
        assert not Segment.objects.exists()


class SegmentSaveTestCase:
    def test_it_saves_normalised_rules(self, people, seminar):
        segment = segment_create(
            name=" Seminar planners ",
            kind=SegmentKind.CUSTOM,
            rules={"topics": "seminaires", "countries": ["fr"]},
            user=people.staff,
        )
        assert segment.name == "Seminar planners"
        assert segment.rules == {"topics": ["seminaires"], "countries": ["FR"]}

    def test_a_refused_update_changes_nothing(self, people, seminar):
        segment = segment_create(
            name="Seminar",
            kind=SegmentKind.CUSTOM,
            rules={"topics": ["seminaires"]},
            user=people.staff,
        )
        with pytest.raises(ValidationError):
            segment_update(
                segment=segment, name="Renamed", rules={"topics": ["x"]}, user=people.staff
            )
        segment.refresh_from_db()
        assert segment.name == "Seminar" and segment.rules == {"topics": ["seminaires"]}


class TopicMailingTestCase:
    def mailing(self, people, **rules):
        rules = topic_mailing_rules(topics=["seminaires"], **rules)
        return evaluate(people.staff, rules, SegmentKind.TOPIC_MAILING)

    def test_it_keeps_contacts_with_consent_granted(self, people, seminar):
        consenting = builders.contact(topics=[seminar])
        builders.consent(consenting, Purpose.MAILING)
        legitimate = builders.contact(topics=[seminar])
        builders.consent(legitimate, Purpose.MAILING, basis=LegalBasis.LEGITIMATE_INTEREST)
        off_topic = builders.contact()
        builders.consent(off_topic, Purpose.MAILING)
        assert pks(self.mailing(people)) == {consenting.pk, legitimate.pk}

    def test_it_excludes_a_withdrawn_consent(self, people, seminar):
        client = builders.contact(topics=[seminar], company=builders.company())
        builders.interaction(client, InteractionKind.QUOTE_REQUEST)
        builders.consent(
            client, Purpose.MAILING, recorded_at=timezone.now() - datetime.timedelta(days=5)
        )
        builders.consent(client, Purpose.MAILING, granted=False)
        result = self.mailing(people)
        assert client.pk not in pks(result)
        assert result.excluded["withdrawn"] == 1

    def test_a_consent_given_again_after_a_withdrawal_counts(self, people, seminar):
        contact = builders.contact(topics=[seminar])
        earlier = timezone.now() - datetime.timedelta(days=5)
        builders.consent(contact, Purpose.MAILING, granted=False, recorded_at=earlier)
        builders.consent(contact, Purpose.MAILING)
        assert pks(self.mailing(people)) == {contact.pk}

    def test_b2b_clients_with_nothing_recorded_come_in_on_legitimate_interest(
        self, people, seminar
    ):
        client = builders.contact(topics=[seminar], company=builders.company())
        builders.interaction(client, InteractionKind.QUOTE_REQUEST)
        private_client = builders.contact(topics=[seminar])
        builders.interaction(private_client, InteractionKind.QUOTE_REQUEST)
        prospect = builders.contact(topics=[seminar], company=builders.company())
        assert pks(self.mailing(people)) == {client.pk}
        assert pks(self.mailing(people, legitimate_interest_clients=False)) == set()
        assert prospect.pk not in pks(self.mailing(people))

    def test_it_explains_the_legal_basis(self, people, seminar):
        result = self.mailing(people)
        assert [step.code for step in result.steps] == [
            "anonymised",
            "topics",
            "withdrawn",
            "basis",
        ]

    def test_it_refuses_a_mailing_without_topic_or_with_an_unknown_one(self, people, seminar):
        with pytest.raises(ValidationError):
            topic_mailing_rules(topics=[])
        with pytest.raises(ValidationError):
            topic_mailing_rules(topics=["unknown"])
        with pytest.raises(ValidationError):
            rules_clean(kind=SegmentKind.TOPIC_MAILING, rules={"topics": ["seminaires"], "k": 2})
        with pytest.raises(ValidationError):
            topic_mailing_rules(topics=["seminaires"], legitimate_interest_clients="yes")
