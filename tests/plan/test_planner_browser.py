"""The budget planner in Chromium under the strict CSP: the plan's own caps for 2023, then a
lower budget typed in; htmx swaps the answer without reloading the page, and an action leaves."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def selection(page) -> set[str]:
    rows = page.get_by_test_id("budget-in").locator("tbody tr[data-action]")
    return set(rows.evaluate_all("rows => rows.map(row => row.dataset.action)"))


def test_a_lower_budget_changes_the_selection(page, plan, people):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    browser_login(page, people.staff)
    page.goto(reverse("backoffice:plan_budget", args=[plan.code]) + "?year=2023")
    totals = page.get_by_test_id("budget-totals")
    expect(totals).to_have_attribute("data-budget", "130000")
    before = selection(page)
    assert "eductours" in before
    page.evaluate("window.plannerMarker = 'same page'")
    page.locator("#id_budget").fill("60000")
    page.locator("#id_budget").dispatch_event("change")
    expect(totals).to_have_attribute("data-budget", "60000")
    after = selection(page)
    assert after and before - after, "an action leaves the selection"
    assert page.evaluate("window.plannerMarker") == "same page"  # swapped, not reloaded
    assert "budget=60000" in page.url
    assert "Nothing fits" not in page.get_by_test_id("budget-in").inner_text()
    assert problems == []
