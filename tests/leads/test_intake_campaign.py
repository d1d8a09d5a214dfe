"""Intake keeps the campaign page a request came from, and drops silently a value that is not a
campaign's slug: it never refuses a planner's request for it."""

from __future__ import annotations

import pytest

from micedesk.leads.intake import quote_request_clean, quote_request_submit
from tests.leads.test_intake import payload


@pytest.mark.django_db
class IntakeCampaignTestCase:
    def test_it_stores_the_campaign_slug(self, communes):
        quote_request = quote_request_submit(
            data=payload(campaign="seminaires-au-vert-2026"), channel="portal"
        )
        quote_request.refresh_from_db()
        assert quote_request.campaign == "seminaires-au-vert-2026"

    def test_a_request_without_campaign_has_none(self, communes):
        quote_request = quote_request_submit(data=payload(), channel="portal")
        assert quote_request.campaign == ""

    @pytest.mark.parametrize(
        "value",
        ["x" * 81, "not a slug", "<script>", "a/b", 42, ["slug"], {"slug": 1}, None, "  "],
    )
    def test_it_ignores_a_value_that_is_not_a_slug(self, communes, value):
        quote_request = quote_request_submit(data=payload(campaign=value), channel="portal")
        quote_request.refresh_from_db()
        assert quote_request.campaign == ""

    def test_the_longest_slug_is_kept(self, communes):
        assert quote_request_clean(data=payload(campaign="a" * 80))["campaign"] == "a" * 80

    def test_spaces_around_a_slug_are_trimmed(self, communes):
        assert quote_request_clean(data=payload(campaign=" normandie "))["campaign"] == "normandie"
