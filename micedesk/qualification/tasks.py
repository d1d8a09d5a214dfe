"""Background work of the qualification app: the daily expiry of levels and the reminders."""

from __future__ import annotations

from django_tasks import task

from micedesk.qualification.services import expiry_reminders_send, qualifications_expire


@task()
def qualifications_expire_task() -> int:
    return qualifications_expire()


@task()
def expiry_reminders_send_task() -> int:
    """Claims each reminder with a conditional update: safe to run in several workers at once."""
    return expiry_reminders_send()
