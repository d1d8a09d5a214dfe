"""Retention: contacts with no interaction for the configured period are anonymised on the right
day, and staff are told once, the configured number of days before."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from micedesk.crm.models import Contact
from micedesk.crm.services import ANONYMISED_NAME, months_before, retention_run
from micedesk.crm.tasks import retention_run_task
from tests.crm import builders

pytestmark = pytest.mark.django_db
LAST = timezone.make_aware(datetime.datetime(2023, 3, 15, 23, 30))  # late evening, Paris time
D = datetime.date


@pytest.fixture(autouse=True)
def retention_settings(settings):
    settings.CRM_RETENTION_MONTHS = 36
    settings.CRM_RETENTION_NOTICE_DAYS = 30


def alive(contact: Contact) -> bool:
    contact.refresh_from_db()
    return contact.anonymised_at is None


class MonthsBeforeTestCase:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (D(2026, 3, 15), 36, D(2023, 3, 15)),
            (D(2026, 1, 10), 1, D(2025, 12, 10)),
            (D(2026, 5, 31), 3, D(2026, 2, 28)),
            (D(2028, 5, 31), 3, D(2028, 2, 29)),
            (D(2026, 12, 31), 12, D(2025, 12, 31)),
        ],
    )
    def test_it_counts_calendar_months(self, day, months, expected):
        assert months_before(day, months) == expected


class RetentionRunTestCase:
    def test_the_contact_stays_the_day_before_the_period_ends(self, people):
        contact = builders.contact(last_interaction_at=LAST)
        assert retention_run(today=D(2026, 3, 14)).anonymised == 0
        assert alive(contact)

    def test_the_contact_is_anonymised_the_day_the_period_ends(self, people):
        contact = builders.contact(last_interaction_at=LAST, phone="02 31 00 00 00")
        report = retention_run(today=D(2026, 3, 15))
        assert report.anonymised == 1
        assert not alive(contact)
        assert (contact.last_name, contact.email, contact.phone) == (ANONYMISED_NAME, "", "")

    def test_a_new_interaction_keeps_the_contact(self, people):
        contact = builders.contact(last_interaction_at=LAST)
        builders.interaction(contact, "call", occurred_at=LAST + datetime.timedelta(days=1))
        retention_run(today=D(2026, 3, 15))
        assert alive(contact)

    def test_the_period_is_configurable(self, people, settings):
        settings.CRM_RETENTION_MONTHS = 12
        contact = builders.contact(last_interaction_at=LAST)
        retention_run(today=D(2024, 3, 15))
        assert not alive(contact)

    def test_an_anonymised_contact_is_not_anonymised_again(self, people):
        builders.contact(last_interaction_at=LAST)
        retention_run(today=D(2026, 3, 15))
        assert retention_run(today=D(2026, 3, 16)).anonymised == 0


class RetentionNoticeTestCase:
    def test_no_notice_the_day_before_the_notice_day(self, people):
        builders.contact(last_interaction_at=LAST)
        assert retention_run(today=D(2026, 2, 12)).noticed == 0
        assert mail.outbox == []

    def test_staff_get_one_notice_with_a_count_and_a_link_but_no_names(self, people):
        contact = builders.contact("Zéphyrine", "Boulard", last_interaction_at=LAST)
        builders.contact(last_interaction_at=LAST + datetime.timedelta(days=10))
        report = retention_run(today=D(2026, 2, 13))
        assert (report.noticed, report.anonymised) == (1, 0)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert set(message.to) == {people.staff.email, people.admin.email}
        assert "1" in message.body and "/backoffice/contacts/" in message.body
        assert "Boulard" not in message.body + message.subject
        assert "Zéphyrine" not in message.body
        contact.refresh_from_db()
        assert contact.retention_notice_at is not None
        assert retention_run(today=D(2026, 2, 14)).noticed == 0
        assert len(mail.outbox) == 1

    def test_a_contact_touched_after_its_notice_is_noticed_again(self, people):
        # Noticed, then an interaction came in: the old notice no longer counts.
        contact = builders.contact(
            last_interaction_at=LAST, retention_notice_at=LAST - datetime.timedelta(days=1)
        )
        assert retention_run(today=D(2026, 2, 13)).noticed == 1
        contact.refresh_from_db()
        assert contact.retention_notice_at > LAST

    def test_a_failing_mail_server_delays_the_notice(self, people, settings, monkeypatch):
        contact = builders.contact(last_interaction_at=LAST)

        def refuse(*args, **kwargs):
            raise OSError("mail server down")

        monkeypatch.setattr("micedesk.crm.services.send_mail", refuse)
        assert retention_run(today=D(2026, 2, 13)).noticed == 0
        contact.refresh_from_db()
        assert contact.retention_notice_at is None
        monkeypatch.undo()
        assert retention_run(today=D(2026, 2, 14)).noticed == 1

    def test_the_task_runs_the_same_work(self, people):
        builders.contact(last_interaction_at=LAST)
        result = retention_run_task.call(today="2026-03-15")
        assert result == {"anonymised": 1, "noticed": 0}
