"""The level filter of the portal search in Chromium: choosing a level keeps the suppliers of that
level or better, each with its badge, and the URL follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import QualificationLevel

pytestmark = pytest.mark.browser


class SearchLevelBrowserTestCase:
    def test_a_planner_filters_by_level_and_sees_the_badges(self, page, directory):
        Supplier.objects.filter(pk=directory["chateau"].pk).update(
            qualification_level=QualificationLevel.RECOMMENDED
        )
        Supplier.objects.filter(pk=directory["hotel"].pk).update(
            qualification_level=QualificationLevel.QUALIFIED
        )
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/recherche/")
        page.evaluate("window.samePage = true")
        page.locator("label[for=level-qualified]").click()
        expect(page).to_have_url(re.compile(r"/recherche/\?level=qualified$"))
        results = page.locator("[data-testid=results] .result")
        expect(results).to_have_count(2)
        assert page.evaluate("window.samePage") is True  # htmx swapped the results in place
        expect(page.locator("#level-qualified")).to_be_checked()
        for result in results.all():
            expect(result.locator("[data-testid=level-badge]")).to_be_visible()
        levels = page.locator("[data-testid=results] [data-testid=level-badge]").evaluate_all(
            "badges => badges.map(badge => badge.dataset.level)"
        )
        assert sorted(levels) == ["2", "3"]

        page.locator("label[for=level-recommended]").click()
        expect(page).to_have_url(re.compile(r"/recherche/\?level=recommended$"))
        expect(results).to_have_count(1)
        expect(results.locator(".result__name")).to_have_text("Château de Brécourt")

        page.locator("label[for=level-any]").click()
        expect(page).to_have_url(re.compile(r"/recherche/$"))
        expect(results).to_have_count(3)
        assert not [error for error in errors if "Content Security Policy" in error]
