"""Background work of the leads app: the dispatch outbox is drained by a task queued when a
transaction that created dispatches commits (and by `manage.py send_dispatches`, which also
retries what the mail server refused)."""

from __future__ import annotations

from django.db import connection, transaction
from django_tasks import task

from micedesk.leads.outbox import dispatches_send_due

SEND_BATCH = 500


@task()
def dispatches_send_due_task(limit: int = SEND_BATCH) -> int:
    """Send the dispatches that are due; the outbox claims each one, so any number of workers may
    run this at once."""
    return dispatches_send_due(limit=limit)


def _enqueue() -> None:
    dispatches_send_due_task.enqueue()


def dispatches_send_soon() -> None:
    """Queue one sending task for when the current transaction commits (at once outside one).

    Routing creates several dispatches in one transaction: one task drains them all. A task
    backend that fails is logged, not raised: the rows are stored, and `send_dispatches` sends
    them on its next pass."""
    if connection.in_atomic_block and any(
        func is _enqueue for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue, robust=True)
