"""Two staff members at once: one evaluation per supplier, one reminder per threshold."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from micedesk.qualification import services
from micedesk.qualification.models import Evaluation
from tests.leads.conftest import concurrent_db, together  # noqa: F401  (a fixture, used by name)
from tests.qualification import builders


def _attempt(function):
    def run():
        try:
            return function()
        except ValidationError as error:
            return error

    return run


@pytest.mark.usefixtures("concurrent_db")
class QualificationConcurrencyTestCase:
    def test_two_assignments_at_once_open_one_evaluation(self, people):
        builders.grid_version()

        def assign():
            return services.evaluation_assign(
                supplier=people.hotel, evaluator=people.partner, user=people.staff
            )

        results = together(_attempt(assign), _attempt(assign))
        assert Evaluation.objects.filter(supplier=people.hotel).count() == 1
        assert sum(isinstance(result, ValidationError) for result in results) == 1

    def test_two_reminder_runs_at_once_mail_once(self, people, smtp_server):
        published = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        day = published.valid_until - datetime.timedelta(days=30)
        sent = together(
            lambda: services.expiry_reminders_send(today=day),
            lambda: services.expiry_reminders_send(today=day),
        )
        assert sum(sent) == 1
        assert smtp_server.per_recipient()[people.supplier.email] == 1
