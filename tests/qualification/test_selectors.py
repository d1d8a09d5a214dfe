"""Scoped reads of evaluations, the revision tools (diff, simulation) and the figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from micedesk.accounts.models import Role
from micedesk.qualification import selectors, services
from micedesk.qualification.models import EvaluationStatus
from tests import factories
from tests.qualification import builders


@pytest.fixture
def published(people):
    return builders.evaluation_published(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


@pytest.fixture
def rouen_partner(people, communes):
    """A partner of Rouen, with its evaluator, evaluating `other_hotel`."""
    rouen = factories.partner("Rouen Normandy Convention Bureau", communes=("76540",))
    evaluator = factories.UserFactory(email="cb@rouen.example", role=Role.PARTNER)
    rouen.members.add(evaluator)
    return evaluator


class EvaluationsForTestCase:
    def test_staff_see_every_evaluation(self, published, people, rouen_partner):
        other = builders.evaluation_assigned(
            supplier=people.other_hotel, evaluator=rouen_partner, staff=people.staff
        )
        assert set(selectors.evaluations_for(user=people.staff)) == {published, other}

    def test_an_evaluator_sees_only_its_territory(self, published, people, rouen_partner):
        other = builders.evaluation_assigned(
            supplier=people.other_hotel, evaluator=rouen_partner, staff=people.staff
        )
        assert list(selectors.evaluations_for(user=people.partner)) == [published]
        assert list(selectors.evaluations_for(user=rouen_partner)) == [other]

    def test_an_evaluator_loses_an_evaluation_outside_its_territory(self, published, people):
        people.partner_org.communes.set(["14047"])  # Caen leaves the territory
        assert not selectors.evaluations_for(user=people.partner).exists()
        with pytest.raises(Http404):
            selectors.evaluation_for_evaluator(user=people.partner, pk=published.pk)

    def test_a_supplier_member_sees_only_its_published_evaluations(self, people):
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        assert not selectors.evaluations_for(user=people.supplier).exists()
        builders.evaluation_filled(evaluation)
        services.evaluation_submit(evaluation=evaluation, user=people.partner)
        services.evaluation_publish(evaluation=evaluation, user=people.staff)
        assert list(selectors.evaluations_for(user=people.supplier)) == [evaluation]
        assert not selectors.evaluations_for(user=people.other_supplier).exists()

    def test_outsiders_see_nothing(self, published, people):
        assert not selectors.evaluations_for(user=people.outsider).exists()


class EvaluationForTestCase:
    def test_the_evaluator_gets_its_evaluation(self, people):
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        assert selectors.evaluation_for_evaluator(user=people.partner, pk=evaluation.pk)

    def test_others_get_404_as_evaluator(self, people, rouen_partner):
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        for user in (rouen_partner, people.supplier, people.staff, people.outsider):
            with pytest.raises(Http404):
                selectors.evaluation_for_evaluator(user=user, pk=evaluation.pk)

    def test_the_supplier_member_gets_its_published_evaluation(self, published, people):
        assert selectors.evaluation_for_supplier_member(user=people.supplier, pk=published.pk)
        for user in (people.other_supplier, people.partner, people.outsider):
            with pytest.raises(Http404):
                selectors.evaluation_for_supplier_member(user=user, pk=published.pk)


class EvaluatorsForTestCase:
    def test_it_lists_the_members_of_partners_covering_the_commune(self, people, rouen_partner):
        assert list(selectors.evaluators_for(supplier=people.hotel)) == [people.partner]
        assert list(selectors.evaluators_for(supplier=people.other_hotel)) == [rouen_partner]


class EvaluationCriteriaTestCase:
    def test_it_groups_criteria_by_section_with_answers_and_measures(self, published):
        sections = selectors.evaluation_criteria(evaluation=published)
        assert [name for name, _rows in sections] == ["Section"]
        rows = {criterion.code: row for criterion, *row in sections[0][1] for row in [row]}
        answer, evidence, measured = rows["daylight"]
        assert answer.value_boolean is True and len(evidence) == 1 and measured is None
        _answer, _evidence, measured = rows["quote_hours"]
        assert measured.value is None and "answered_dispatches" in measured.details

    def test_it_reads_measures_live_while_open(self, people):
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        rows = {
            c.code: m for c, _a, _e, m in selectors.evaluation_criteria(evaluation=evaluation)[0][1]
        }
        assert rows["quote_hours"] is not None


class CurrentEvaluationTestCase:
    def test_it_is_the_latest_published(self, published, people):
        assert selectors.current_evaluation(supplier=people.hotel) == published
        assert selectors.current_evaluation(supplier=people.other_hotel) is None


class VersionDiffTestCase:
    def test_it_lists_added_removed_and_changed_criteria(self, people):
        old = builders.grid_version()
        new = services.grid_version_draft_create(grid=old.grid, user=people.staff)
        services.criterion_delete(criterion=new.criteria.get(code="breaks"), user=people.staff)
        services.criterion_save(
            version=new,
            user=people.staff,
            data={"target": Decimal("100"), "label_fr": "Wi-Fi rapide"},
            criterion=new.criteria.get(code="wifi_mbps"),
        )
        services.criterion_save(
            version=new,
            user=people.staff,
            data={
                "code": "parking",
                "section_fr": "Accès",
                "label_fr": "Parking",
                "answer_type": "boolean",
            },
        )
        diff = selectors.version_diff(old=old, new=new)
        assert [c.code for c in diff.added] == ["parking"]
        assert [c.code for c in diff.removed] == ["breaks"]
        assert [(a.code, fields) for a, _b, fields in diff.changed] == [
            ("wifi_mbps", ["label_fr", "target"])
        ]
        assert {c.code for c in diff.unchanged} == {"named_contact", "quote_hours", "daylight"}


class VersionSimulationTestCase:
    def test_it_tells_which_suppliers_would_change_level(self, published, people):
        draft = services.grid_version_draft_create(grid=published.version.grid, user=people.staff)
        services.criterion_save(
            version=draft,
            user=people.staff,
            data={
                "code": "parking",
                "section_fr": "Accès",
                "label_fr": "Parking",
                "answer_type": "boolean",
                "weight": 5,
            },
        )
        changes = selectors.version_simulation(version=draft)
        assert len(changes) == 1
        change = changes[0]
        assert change.supplier == people.hotel
        assert (change.current_level, change.simulated_level) == (3, 1)
        assert change.changed and change.grade.score == Decimal("44.44")

    def test_it_keeps_the_level_when_nothing_changes(self, published, people):
        draft = services.grid_version_draft_create(grid=published.version.grid, user=people.staff)
        [change] = selectors.version_simulation(version=draft)
        assert not change.changed


class FiguresTestCase:
    def test_it_counts_the_qualified_offer(self, published, people):
        rows = selectors.qualified_offer()
        assert ("14", "venue", 3, 1) in rows
        assert ("76", "venue", 0, 1) in rows

    def test_it_lists_overdue_evaluations(self, people):
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        assert not selectors.evaluations_overdue().exists()
        later = evaluation.due_on + datetime.timedelta(days=1)
        assert list(selectors.evaluations_overdue(today=later)) == [evaluation]
        services.evaluation_cancel(evaluation=evaluation, user=people.staff)
        assert not selectors.evaluations_overdue(today=later).exists()

    def test_it_lists_the_criteria_most_often_missed(self, people, rouen_partner):
        weak = {**builders.ALL_MET, "wifi_mbps": "5"}
        builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff, answers=weak
        )
        builders.evaluation_published(
            supplier=people.other_hotel, evaluator=rouen_partner, staff=people.staff, answers=weak
        )
        rows = selectors.criteria_missed(kind="venue")
        assert rows[0].code == "wifi_mbps"
        assert (rows[0].missed, rows[0].evaluated) == (2, 2)
        assert rows[0].label == "Criterion wifi_mbps"  # in the active language
        assert "quote_hours" not in [r.code for r in rows]  # no data: not missed
        assert selectors.criteria_missed(kind="agency") == []

    def test_the_current_evaluation_is_the_one_counted(self, people):
        builders.evaluation_published(
            supplier=people.hotel,
            evaluator=people.partner,
            staff=people.staff,
            answers={**builders.ALL_MET, "breaks": "basic"},
        )
        builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        assert selectors.criteria_missed() == []
        assert people.hotel.evaluations.filter(status=EvaluationStatus.PUBLISHED).count() == 2
