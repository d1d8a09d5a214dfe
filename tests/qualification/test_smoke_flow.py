"""The whole path of an evaluation, through the services: assign, answer, submit, publish."""

from __future__ import annotations

from micedesk.directory.models import Supplier
from micedesk.qualification.models import EvaluationStatus
from tests.qualification import builders


class EvaluationFlowTestCase:
    def test_it_publishes_a_level_onto_the_listing(self, people):
        evaluation = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        assert evaluation.status == EvaluationStatus.PUBLISHED
        assert evaluation.level == 3
        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert hotel.qualification_level == 3
        assert hotel.qualification_valid_until == evaluation.valid_until
