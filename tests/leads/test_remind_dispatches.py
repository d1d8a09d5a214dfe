"""`manage.py remind_dispatches`: one reminder per dispatch unanswered after 48 hours, whatever the
number of runs."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from micedesk.leads.models import Dispatch
from tests.leads.builders import dispatch, quote_request


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("remind_dispatches", *args, stdout=out)
    return out.getvalue()


def sent_ago(people, hours: float) -> Dispatch:
    return dispatch(
        quote_request(),
        supplier=people.hotel,
        sent_at=timezone.now() - datetime.timedelta(hours=hours),
    )


class RemindDispatchesCommandTestCase:
    def test_it_reminds_each_late_dispatch_once(self, people, smtp_server):
        late = sent_ago(people, 49)
        sent_ago(people, 3)
        assert run() == "1 reminder(s) sent.\n"
        assert run() == "0 reminder(s) sent.\n"
        assert len(smtp_server.messages) == 1
        assert Dispatch.objects.get(pk=late.pk).reminded_at is not None

    def test_the_limit_caps_one_run_and_the_next_run_sends_the_rest(self, people, smtp_server):
        for hours in (49, 50, 51):
            sent_ago(people, hours)
        assert run("--limit", "2") == "2 reminder(s) sent.\n"
        assert run("--limit", "2") == "1 reminder(s) sent.\n"
        assert len(smtp_server.messages) == 3

    @pytest.mark.parametrize("limit", ["0", "-3"])
    def test_it_refuses_a_limit_below_one(self, people, limit):
        with pytest.raises(CommandError, match="--limit"):
            run("--limit", limit)

    def test_it_is_quiet_at_verbosity_zero(self, people, smtp_server):
        sent_ago(people, 49)
        assert run("--verbosity", "0") == ""
        assert len(smtp_server.messages) == 1
