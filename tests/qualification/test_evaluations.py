"""Evaluations through the services: assign, answer, submit, review, publish, contest, carry over."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from micedesk.accounts.models import Role
from micedesk.directory.models import Supplier
from micedesk.qualification import services
from micedesk.qualification.models import (
    Answer,
    Evaluation,
    EvaluationStatus,
    VersionStatus,
)
from tests import factories
from tests.leads import builders as leads
from tests.qualification import builders


@pytest.fixture
def assigned(people):
    return builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


def _events(evaluation: Evaluation) -> list[str]:
    return list(evaluation.history.values_list("event", flat=True))


class AssignTestCase:
    def test_it_assigns_an_evaluator_of_the_suppliers_territory(self, assigned, people):
        assert assigned.status == EvaluationStatus.ASSIGNED
        assert assigned.partner == people.partner_org
        assert assigned.version.status == VersionStatus.ACTIVE
        assert assigned.due_on > datetime.date.today()
        assert _events(assigned) == ["assigned"]

    def test_it_refuses_an_evaluator_outside_the_territory(self, people):
        builders.grid_version()
        with pytest.raises(ValidationError) as error:
            services.evaluation_assign(
                supplier=people.other_hotel, evaluator=people.partner, user=people.staff
            )
        assert error.value.message_dict["evaluator"] == [
            "Convention bureau officer is not a member of a partner covering Rouen (76)."
        ]
        assert not Evaluation.objects.exists()

    def test_it_refuses_an_evaluator_who_is_not_a_partner_member(self, people):
        builders.grid_version()
        for evaluator in (people.supplier, people.outsider, people.staff):
            with pytest.raises(ValidationError):
                services.evaluation_assign(
                    supplier=people.hotel, evaluator=evaluator, user=people.staff
                )

    def test_it_refuses_a_user_who_is_not_staff(self, people):
        builders.grid_version()
        with pytest.raises(PermissionDenied):
            services.evaluation_assign(
                supplier=people.hotel, evaluator=people.partner, user=people.partner
            )

    def test_it_refuses_without_an_active_grid(self, people):
        builders.grid_version(status=VersionStatus.DRAFT)
        with pytest.raises(ValidationError) as error:
            services.evaluation_assign(
                supplier=people.hotel, evaluator=people.partner, user=people.staff
            )
        assert error.value.code == "no_grid"

    def test_it_refuses_a_second_open_evaluation(self, assigned, people):
        with pytest.raises(ValidationError) as error:
            services.evaluation_assign(
                supplier=people.hotel, evaluator=people.partner, user=people.staff
            )
        assert error.value.code == "already_open"

    def test_it_refuses_a_due_date_in_the_past(self, people):
        builders.grid_version()
        with pytest.raises(ValidationError):
            services.evaluation_assign(
                supplier=people.hotel,
                evaluator=people.partner,
                user=people.staff,
                due_on=datetime.date(2000, 1, 1),
            )


class AnswersSaveTestCase:
    def test_it_saves_a_draft(self, assigned, people):
        evaluation = services.evaluation_answers_save(
            evaluation=assigned,
            user=people.partner,
            answers={"named_contact": "yes", "wifi_mbps": "42,5", "breaks": "full"},
            comments={"wifi_mbps": "Measured in the plenary room"},
            comment="Visit went well",
        )
        assert evaluation.status == EvaluationStatus.DRAFT
        answers = {a.criterion.code: a for a in evaluation.answers.select_related("criterion")}
        assert answers["named_contact"].value_boolean is True
        assert answers["wifi_mbps"].value_number == Decimal("42.50")
        assert answers["wifi_mbps"].comment == "Measured in the plenary room"
        assert answers["breaks"].value_choice == "full"
        assert evaluation.comment == "Visit went well"
        assert _events(evaluation) == ["assigned", "saved"]

    def test_it_refuses_bad_values_and_writes_nothing(self, assigned, people):
        with pytest.raises(ValidationError) as error:
            services.evaluation_answers_save(
                evaluation=assigned,
                user=people.partner,
                answers={
                    "named_contact": "maybe",
                    "wifi_mbps": "fast",
                    "breaks": "caviar",
                    "quote_hours": "3",
                    "unknown": True,
                },
            )
        assert set(error.value.message_dict) == {
            "named_contact",
            "wifi_mbps",
            "breaks",
            "quote_hours",
            "unknown",
        }
        assert not Answer.objects.exists()
        assigned.refresh_from_db()
        assert assigned.status == EvaluationStatus.ASSIGNED

    def test_it_refuses_a_negative_number(self, assigned, people):
        with pytest.raises(ValidationError) as error:
            services.evaluation_answers_save(
                evaluation=assigned, user=people.partner, answers={"wifi_mbps": "-3"}
            )
        assert "wifi_mbps" in error.value.message_dict

    def test_it_refuses_anyone_but_the_assigned_evaluator(self, assigned, people):
        colleague = factories.UserFactory(role=Role.PARTNER)
        people.partner_org.members.add(colleague)
        for user in (people.supplier, people.staff, people.outsider, colleague):
            with pytest.raises(PermissionDenied):
                services.evaluation_answers_save(
                    evaluation=assigned, user=user, answers={"named_contact": True}
                )
        assert not Answer.objects.exists()

    def test_it_refuses_a_site_visit_in_the_future(self, assigned, people):
        with pytest.raises(ValidationError):
            services.evaluation_answers_save(
                evaluation=assigned,
                user=people.partner,
                answers={},
                visited_on=datetime.date.today() + datetime.timedelta(days=3),
            )

    def test_it_refuses_changes_once_submitted(self, assigned, people):
        builders.evaluation_filled(assigned)
        services.evaluation_submit(evaluation=assigned, user=people.partner)
        with pytest.raises(ValidationError):
            services.evaluation_answers_save(
                evaluation=assigned, user=people.partner, answers={"named_contact": False}
            )


class SubmitTestCase:
    def test_it_lists_what_is_missing(self, assigned, people):
        services.evaluation_answers_save(
            evaluation=assigned, user=people.partner, answers={"named_contact": True}
        )
        with pytest.raises(ValidationError) as error:
            services.evaluation_submit(evaluation=assigned, user=people.partner)
        message = error.value.messages[0]
        assert "Criterion wifi_mbps: not answered" in message
        assert "Criterion daylight: not answered" in message
        assert "quote_hours" not in message  # measured: nothing to answer

    def test_it_asks_for_the_evidence(self, assigned, people):
        services.evaluation_answers_save(
            evaluation=assigned, user=people.partner, answers=builders.ALL_MET
        )
        with pytest.raises(ValidationError) as error:
            services.evaluation_submit(evaluation=assigned, user=people.partner)
        assert "Criterion daylight: evidence missing" in error.value.messages[0]

    def test_it_computes_the_result_with_the_measures(self, assigned, people):
        builders.evaluation_filled(assigned)
        evaluation = services.evaluation_submit(evaluation=assigned, user=people.partner)
        assert evaluation.status == EvaluationStatus.SUBMITTED
        assert evaluation.level == 3 and evaluation.score == Decimal("100.00")
        measured = evaluation.answers.get(criterion__code="quote_hours")
        assert measured.measured_value is None
        assert measured.measured_details["answered_dispatches"] == 0
        checks = {c["code"]: c for c in evaluation.result["checks"]}
        assert checks["quote_hours"]["no_data"] is True

    def test_it_refuses_a_supplier_member(self, assigned, people):
        builders.evaluation_filled(assigned)
        with pytest.raises(PermissionDenied):
            services.evaluation_submit(evaluation=assigned, user=people.supplier)


class ReviewTestCase:
    @pytest.fixture
    def submitted(self, assigned, people):
        builders.evaluation_filled(assigned)
        return services.evaluation_submit(evaluation=assigned, user=people.partner)

    def test_it_returns_to_the_evaluator_with_a_comment(self, submitted, people):
        evaluation = services.evaluation_return(
            evaluation=submitted, user=people.staff, comment="Add a photo of the room"
        )
        assert evaluation.status == EvaluationStatus.RETURNED
        services.evaluation_answers_save(
            evaluation=evaluation, user=people.partner, answers={"wifi_mbps": "60"}
        )
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.DRAFT

    def test_it_refuses_a_return_without_comment(self, submitted, people):
        with pytest.raises(ValidationError):
            services.evaluation_return(evaluation=submitted, user=people.staff, comment=" ")

    def test_it_publishes_the_level_onto_the_listing(self, submitted, people):
        evaluation = services.evaluation_publish(evaluation=submitted, user=people.staff)
        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert (hotel.qualification_level, hotel.qualification_valid_until) == (
            3,
            evaluation.valid_until,
        )
        assert evaluation.valid_until == services.add_months(datetime.date.today(), 36)
        assert _events(evaluation)[-1] == "published"

    def test_it_refuses_to_publish_for_a_non_staff_user(self, submitted, people):
        with pytest.raises(PermissionDenied):
            services.evaluation_publish(evaluation=submitted, user=people.partner)
        assert Supplier.objects.get(pk=people.hotel.pk).qualification_level == 0

    def test_it_refuses_to_publish_an_evaluation_not_submitted(self, assigned, people):
        with pytest.raises(ValidationError):
            services.evaluation_publish(evaluation=assigned, user=people.staff)

    def test_a_later_publication_replaces_the_level(self, people):
        builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        weaker = {**builders.ALL_MET, "wifi_mbps": "5", "breaks": "basic"}
        second = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff, answers=weaker
        )
        assert second.level == 1
        assert Supplier.objects.get(pk=people.hotel.pk).qualification_level == 1
        assert people.hotel.evaluations.filter(status=EvaluationStatus.PUBLISHED).count() == 2

    def test_it_cancels_an_open_evaluation(self, assigned, people):
        services.evaluation_cancel(evaluation=assigned, user=people.staff)
        assigned.refresh_from_db()
        assert assigned.status == EvaluationStatus.CANCELLED
        with pytest.raises(ValidationError):
            services.evaluation_cancel(evaluation=assigned, user=people.staff)


class ContestTestCase:
    @pytest.fixture
    def published(self, people):
        return builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )

    def test_a_member_contests_and_staff_answer(self, published, people):
        contest = services.evaluation_contest(
            evaluation=published, user=people.supplier, comment="The room was renovated"
        )
        resolved = services.contest_resolve(contest=contest, user=people.staff, response="Noted")
        assert resolved.resolved_at and resolved.resolved_by == people.staff
        assert {"contested", "contest_resolved"} <= set(_events(published))

    def test_it_refuses_someone_outside_the_supplier(self, published, people):
        for user in (people.other_supplier, people.partner, people.outsider):
            with pytest.raises(PermissionDenied):
                services.evaluation_contest(evaluation=published, user=user, comment="No")
        assert not published.contests.exists()

    def test_it_refuses_an_empty_comment_or_a_second_open_contest(self, published, people):
        with pytest.raises(ValidationError):
            services.evaluation_contest(evaluation=published, user=people.supplier, comment="")
        services.evaluation_contest(evaluation=published, user=people.supplier, comment="Why")
        with pytest.raises(ValidationError):
            services.evaluation_contest(evaluation=published, user=people.supplier, comment="?")

    def test_it_refuses_to_contest_an_evaluation_not_published(self, assigned, people):
        with pytest.raises(ValidationError):
            services.evaluation_contest(evaluation=assigned, user=people.supplier, comment="No")

    def test_only_staff_resolve_once(self, published, people):
        contest = services.evaluation_contest(
            evaluation=published, user=people.supplier, comment="Why"
        )
        with pytest.raises(PermissionDenied):
            services.contest_resolve(contest=contest, user=people.supplier, response="Fine")
        services.contest_resolve(contest=contest, user=people.staff, response="Fine")
        with pytest.raises(ValidationError):
            services.contest_resolve(contest=contest, user=people.staff, response="Again")


class CarryOverTestCase:
    def test_it_carries_over_answers_of_unchanged_criteria(self, people):
        first = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        draft = services.grid_version_draft_create(grid=first.version.grid, user=people.staff)
        services.criterion_save(
            version=draft,
            user=people.staff,
            data={"target": Decimal("100")},
            criterion=draft.criteria.get(code="wifi_mbps"),
        )
        services.grid_version_activate(version=draft, user=people.staff)
        second = services.evaluation_assign(
            supplier=people.hotel, evaluator=people.partner, user=people.staff
        )
        carried = {a.criterion.code: a for a in second.answers.select_related("criterion")}
        assert second.carried_from == first
        assert set(carried) == {"named_contact", "breaks", "daylight"}
        assert all(a.carried_over for a in carried.values())
        assert not second.evidence_files.exists()  # evidence is never carried over

    def test_activation_keeps_the_published_levels(self, people):
        first = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        draft = services.grid_version_draft_create(grid=first.version.grid, user=people.staff)
        services.grid_level_save(
            version=draft, user=people.staff, level=3, min_score="100", requires_mandatory=True
        )
        services.grid_version_activate(version=draft, user=people.staff)
        first.refresh_from_db()
        assert first.level == 3 and first.status == EvaluationStatus.PUBLISHED
        assert Supplier.objects.get(pk=people.hotel.pk).qualification_level == 3


class AnswersClearTestCase:
    def test_it_clears_an_answer_given_empty(self, assigned, people):
        services.evaluation_answers_save(
            evaluation=assigned,
            user=people.partner,
            answers={"breaks": "full", "wifi_mbps": "40", "named_contact": True},
        )
        services.evaluation_answers_save(
            evaluation=assigned,
            user=people.partner,
            answers={"breaks": "", "wifi_mbps": "", "named_contact": None},
        )
        answers = {a.criterion.code: a for a in assigned.answers.select_related("criterion")}
        assert answers["breaks"].value_choice == ""
        assert answers["wifi_mbps"].value_number is None
        assert answers["named_contact"].value_boolean is None

    def test_an_evaluator_whose_territory_no_longer_covers_the_supplier_is_refused(
        self, assigned, people
    ):
        people.partner_org.communes.set(["14047"])
        with pytest.raises(PermissionDenied):
            services.evaluation_answers_save(
                evaluation=assigned, user=people.partner, answers={"named_contact": True}
            )


class GradePreviewTestCase:
    def test_it_reads_the_measures_live_before_submission(self, assigned, people):
        sent = timezone.now() - datetime.timedelta(days=5)
        for hours in (70, 80, 90):
            leads.dispatch(
                leads.quote_request(),
                supplier=people.hotel,
                sent_at=sent,
                first_answer_at=sent + datetime.timedelta(hours=hours),
            )
        result = services.evaluation_grade(evaluation=assigned)
        check = {c.code: c for c in result.checks}["quote_hours"]
        assert check.met is False and check.gap == "80 h instead of at most 48 h"
        assert not assigned.answers.exists()  # a preview writes nothing
