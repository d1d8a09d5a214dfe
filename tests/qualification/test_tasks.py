"""The background tasks of the qualification app call the daily services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from micedesk.directory.models import Supplier
from micedesk.qualification.tasks import expiry_reminders_send_task, qualifications_expire_task
from tests.qualification import builders


class QualificationTasksTestCase:
    def test_the_expiry_task_removes_past_levels(self, people):
        builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        Supplier.objects.filter(pk=people.hotel.pk).update(
            qualification_valid_until=timezone.localdate() - datetime.timedelta(days=1)
        )
        assert qualifications_expire_task.call() == 1
        assert Supplier.objects.get(pk=people.hotel.pk).qualification_level == 0

    def test_the_reminder_task_sends_nothing_far_from_expiry(self, people):
        builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        assert expiry_reminders_send_task.call() == 0
