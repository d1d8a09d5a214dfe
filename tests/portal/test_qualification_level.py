"""The published qualification level on the portal: the level filter of the search (in the URL,
with and without htmx), the badge on results, and the level panel of the supplier page."""

from __future__ import annotations

import datetime
import html as html_lib
import re

import pytest

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import QualificationLevel

RESULT_NAME = re.compile(r'class="result__name" id="result-\d+"><a href="[^"]+">([^<]+)</a>')
BADGE = re.compile(r'data-testid="level-badge" data-level="(\d)"')


def names(response) -> list[str]:
    return [html_lib.unescape(name) for name in RESULT_NAME.findall(response.content.decode())]


def search(client, query: str = "", **headers):
    response = client.get(f"/en/recherche/?{query}", **headers)
    assert response.status_code == 200
    return response


def level_set(supplier: Supplier, level: int, valid_until: datetime.date | None = None) -> None:
    Supplier.objects.filter(pk=supplier.pk).update(
        qualification_level=level, qualification_valid_until=valid_until
    )


def level_option(response, code: str) -> str:
    """The <li> of one option of the level filter."""
    match = re.search(
        rf'<li class="facet__option[^"]*">\s*<input type="radio" name="level" value="{code}"'
        r".*?</li>",
        response.content.decode(),
        flags=re.S,
    )
    assert match, code
    return match.group(0)


def count_of(option: str) -> int:
    return int(re.search(r'<span class="facet__count">([\d,]+)', option).group(1).replace(",", ""))


@pytest.fixture
def graded(directory):
    """The château recommended, the seaside hotel qualified, the caterer without a level; the
    draft recommended (never listed)."""
    level_set(directory["chateau"], QualificationLevel.RECOMMENDED, datetime.date(2029, 6, 30))
    level_set(directory["hotel"], QualificationLevel.QUALIFIED, datetime.date(2028, 1, 31))
    level_set(directory["draft"], QualificationLevel.RECOMMENDED)
    return directory


@pytest.mark.django_db
class SearchLevelFilterTestCase:
    def test_it_keeps_the_suppliers_of_that_level_or_better(self, client, graded):
        assert names(search(client, "level=qualified")) == [
            "Château de Brécourt",
            "Hôtel Barrière",
        ]
        assert names(search(client, "level=recommended")) == ["Château de Brécourt"]
        assert len(names(search(client, "level=referenced"))) == 2

    def test_it_combines_the_level_with_the_other_filters(self, client, graded):
        assert names(search(client, "level=qualified&department=14")) == ["Hôtel Barrière"]

    def test_it_offers_each_level_with_its_count_or_better(self, client, graded):
        response = search(client)
        assert count_of(level_option(response, "")) == 3
        assert count_of(level_option(response, "referenced")) == 2
        assert count_of(level_option(response, "qualified")) == 2
        assert count_of(level_option(response, "recommended")) == 1
        assert "checked" in level_option(response, "")
        assert "checked" not in level_option(response, "qualified")

    def test_it_checks_the_level_in_the_url_and_counts_it_as_a_filter(self, client, graded):
        response = search(client, "level=qualified")
        assert "checked" in level_option(response, "qualified")
        assert "checked" not in level_option(response, "")
        assert "(1 filter on)" in response.content.decode()
        # The other levels' counts stay those without the level filter, so the choice can change.
        assert count_of(level_option(response, "referenced")) == 2

    def test_it_keeps_the_level_in_the_page_links(self, client, graded, many_suppliers):
        for supplier in many_suppliers:
            level_set(supplier, QualificationLevel.REFERENCED)
        content = search(client, "level=referenced").content.decode()
        assert "?level=referenced&amp;page=2" in content

    def test_it_answers_an_htmx_request_with_the_filtered_fragment(self, client, graded):
        response = search(client, "level=recommended", HTTP_HX_REQUEST="true")
        content = response.content.decode()
        assert "<html" not in content and 'id="facet-level"' in content
        assert names(response) == ["Château de Brécourt"]

    def test_it_refuses_an_unknown_level_and_still_searches(self, client, graded):
        response = search(client, "level=gold&department=27")
        assert 'data-testid="form-errors"' in response.content.decode()
        assert names(response) == ["Château de Brécourt"]
        assert "checked" in level_option(response, "")

    @pytest.mark.parametrize("value", ["2", "QUALIFIED", "none", "qualified&level=gold"])
    def test_it_never_fails_on_a_strange_level(self, client, graded, value):
        assert search(client, f"level={value}").status_code == 200

    def test_it_never_lists_a_draft_for_its_level(self, client, people, graded):
        client.force_login(people.staff)
        assert "Hôtel Brouillon" not in names(search(client, "level=recommended"))


@pytest.mark.django_db
class SearchLevelBadgeTestCase:
    def test_a_result_with_a_level_shows_its_badge(self, client, graded):
        content = search(client, "sort=name").content.decode()
        assert BADGE.findall(content) == ["3", "2"]  # château, hotel; the caterer has none
        assert re.search(
            r'data-level="2"><span class="visually-hidden">[^<]+</span>Qualified<', content
        )

    def test_a_result_without_a_level_shows_no_badge(self, client, directory):
        assert BADGE.findall(search(client).content.decode()) == []


@pytest.mark.django_db
class SupplierPageLevelTestCase:
    def test_it_shows_the_level_its_validity_and_what_it_means(self, client, graded):
        response = client.get("/en/prestataires/chateau-de-brecourt/")
        content = response.content.decode()
        assert response.status_code == 200
        assert BADGE.findall(content) == ["3"]
        assert 'data-testid="qualification"' in content
        assert "Recommended by the bureau&#x27;s grid" in content
        assert '<time datetime="2029-06-30" data-testid="level-valid-until">' in content
        assert 'href="/en/recherche/?level=recommended" data-testid="level-search"' in content

    def test_it_shows_the_validity_in_french_by_default(self, client, graded):
        content = client.get("/prestataires/hotel-barriere/").content.decode()
        assert '<time datetime="2028-01-31"' in content
        assert "31 janvier 2028" in content

    def test_it_shows_no_level_for_a_supplier_without_one(self, client, graded):
        content = client.get("/en/prestataires/traiteur-normand/").content.decode()
        assert 'data-testid="qualification"' not in content
        assert BADGE.findall(content) == []
