"""Demo evaluations: a spread of levels and statuses, deterministic, idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from micedesk.accounts.models import Role, User
from micedesk.directory.demo import demo_suppliers_generate
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from micedesk.qualification.demo import demo_evaluations_generate
from micedesk.qualification.models import Contest, Evaluation, EvaluationStatus
from tests import factories


@pytest.fixture
def demo(communes):
    demo_suppliers_generate(count=200, seed=7)
    factories.partner()  # Caen, Bayeux
    factories.partner("Seine Maritime Attractivite", communes=("76540", "76351"))
    factories.partner("Manche Orne Eure", communes=("50129", "61483", "27229", "14220"))
    return Supplier.objects.filter(external_id__startswith="demo-7-")


def _snapshot() -> list[tuple]:
    return list(
        Evaluation.objects.order_by("supplier__external_id").values_list(
            "supplier__external_id", "status", "level", "score", "valid_until"
        )
    )


class DemoEvaluationsTestCase:
    def test_it_spreads_levels_and_statuses(self, demo):
        created = demo_evaluations_generate(seed=7)
        assert created > 150
        evaluations = Evaluation.objects.all()
        assert all(e.is_demo for e in evaluations)
        statuses = Counter(evaluations.values_list("status", flat=True))
        assert statuses[EvaluationStatus.PUBLISHED] > statuses[EvaluationStatus.SUBMITTED] > 0
        assert statuses[EvaluationStatus.ASSIGNED] and statuses[EvaluationStatus.DRAFT]
        levels = set(
            demo.filter(evaluations__status="published").values_list(
                "qualification_level", flat=True
            )
        )
        assert levels == {0, 1, 2, 3}
        kinds = set(
            evaluations.filter(status="published").values_list("version__grid__kind", flat=True)
        )
        assert len(kinds) >= 3
        assert Contest.objects.exists()

    def test_it_makes_one_demo_evaluator_per_partner(self, demo):
        demo_evaluations_generate(seed=7)
        evaluators = User.objects.filter(email__startswith="evaluateur-")
        assert evaluators.count() == 3
        assert all(not user.has_usable_password() for user in evaluators)
        assert all(user.partners.exists() for user in evaluators)

    def test_a_second_run_adds_nothing(self, demo):
        demo_evaluations_generate(seed=7)
        first = _snapshot()
        assert demo_evaluations_generate(seed=7) == 0
        assert _snapshot() == first

    def test_the_same_seed_gives_the_same_evaluations(self, demo):
        demo_evaluations_generate(seed=7)
        first = [row[:3] for row in _snapshot()]
        Evaluation.objects.all().delete()
        demo_evaluations_generate(seed=7)
        assert [row[:3] for row in _snapshot()] == first


class DemoMembersTestCase:
    def test_open_evaluations_go_to_the_partners_own_member(self, demo):
        member = factories.UserFactory(email="partner@micedesk.example", role=Role.PARTNER)
        caen = Partner.objects.get(name="Caen Normandie Convention Bureau")
        caen.members.add(member)
        demo_evaluations_generate(seed=7)
        mine = Evaluation.objects.filter(evaluator=member)
        assert mine.exists()
        assert set(mine.values_list("status", flat=True)) <= {"assigned", "draft"}
