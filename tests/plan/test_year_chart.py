"""The year page draws planned, committed and actual spend per objective from JSON it carries."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.operations import builders as ops

pytestmark = pytest.mark.django_db


def test_the_year_page_carries_its_spend_chart(client, plan, people):
    event = ops.event(kind="eductour", starts_on=datetime.date(2024, 5, 6))
    ops.cost_line(event, budget=Decimal("9000"), actual=Decimal("9500"))
    client.force_login(people.staff)
    html = client.get(reverse("backoffice:plan_year", args=[plan.code, 2024])).text
    found = re.search(r'<script id="plan-chart-spend" type="application/json">(.*?)</script>', html)
    chart = json.loads(found.group(1))
    assert len(chart["labels"]) == 3
    planned, committed, actual = (dataset["data"] for dataset in chart["datasets"])
    assert committed[1] == 9000 and actual[1] == 9500  # éductours: objective 2
    assert planned[0] > 0 and 'data-chart-source="plan-chart-spend"' in html
