"""Expiry of published levels and the reminders before it, through a real SMTP server."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from micedesk.directory.models import Supplier
from micedesk.qualification import services
from tests.qualification import builders


@pytest.fixture
def published(people):
    return builders.evaluation_published(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


def _level(supplier: Supplier) -> int:
    return Supplier.objects.get(pk=supplier.pk).qualification_level


class ExpireTestCase:
    def test_it_keeps_the_level_until_the_last_valid_day(self, published, people):
        assert services.qualifications_expire(today=published.valid_until) == 0
        assert _level(people.hotel) == 3

    def test_it_removes_the_level_the_day_after(self, published, people):
        day_after = published.valid_until + datetime.timedelta(days=1)
        assert services.qualifications_expire(today=day_after) == 1
        assert _level(people.hotel) == 0
        assert published.history.filter(event="expired").exists()
        assert services.qualifications_expire(today=day_after) == 0


class RemindersTestCase:
    def test_it_reminds_once_per_threshold(self, published, people, smtp_server):
        day_90 = published.valid_until - datetime.timedelta(days=90)
        assert services.expiry_reminders_send(today=day_90 - datetime.timedelta(days=1)) == 0
        assert services.expiry_reminders_send(today=day_90) == 1
        assert services.expiry_reminders_send(today=day_90) == 0
        assert services.expiry_reminders_send(today=day_90 + datetime.timedelta(days=20)) == 0
        day_30 = published.valid_until - datetime.timedelta(days=30)
        assert services.expiry_reminders_send(today=day_30) == 1
        assert services.expiry_reminders_send(today=day_30 + datetime.timedelta(days=5)) == 0
        recipients = smtp_server.per_recipient()
        assert recipients[people.supplier.email] == 2
        assert recipients[people.staff.email] == 2
        assert recipients[people.other_supplier.email] == 0

    def test_it_writes_in_french_to_the_supplier(self, published, people, smtp_server):
        services.expiry_reminders_send(today=published.valid_until - datetime.timedelta(days=30))
        to_member = [m for m in smtp_server.messages if people.supplier.email in m.recipients]
        assert to_member and people.hotel.name in to_member[0].body
        assert "expire" in to_member[0].subject  # "Votre qualification expire le …"

    def test_it_does_not_remind_a_level_replaced_by_a_later_one(self, published, people):
        later = builders.evaluation_published(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        published.refresh_from_db()
        assert later.valid_until == published.valid_until  # same day: only the latest reminds
        day_30 = published.valid_until - datetime.timedelta(days=30)
        assert services.expiry_reminders_send(today=day_30) == 1

    def test_the_daily_command_expires_and_reminds(self, published, people, smtp_server, capsys):
        day = published.valid_until - datetime.timedelta(days=30)
        call_command("qualification_daily", today=day.isoformat())
        assert "0 qualification(s) expired, 1 reminder(s) sent." in capsys.readouterr().out
