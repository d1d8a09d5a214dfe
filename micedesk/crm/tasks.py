"""Background work of the CRM: the retention run (queued hourly by `make run`, or run with
`manage.py crm_retention`)."""

from __future__ import annotations

import datetime

from django_tasks import task

from micedesk.crm.services import retention_run


@task()
def retention_run_task(today: str | None = None) -> dict:
    """Anonymise the contacts past the retention period and send the staff notice. Takes and
    returns plain values only: task rows must never hold personal data."""
    day = datetime.date.fromisoformat(today) if today else None
    report = retention_run(today=day)
    return {"anonymised": report.anonymised, "noticed": report.noticed}
