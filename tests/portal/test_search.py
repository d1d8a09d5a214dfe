"""The portal's search page: every filter, sorting, pagination, bad parameters and the htmx fragment."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from micedesk.directory.models import Status
from tests.factories import SupplierFactory

RESULT_NAME = re.compile(r'class="result__name" id="result-\d+"><a href="[^"]+">([^<]+)</a>')


def names(response) -> list[str]:
    return [html_lib.unescape(name) for name in RESULT_NAME.findall(response.content.decode())]


def search(client, query: str = "", **headers):
    response = client.get(f"/en/recherche/?{query}", **headers)
    assert response.status_code == 200
    return response


def errors(response) -> str:
    match = re.search(
        r'data-testid="form-errors">(.*?)</div>', response.content.decode(), flags=re.S
    )
    return html_lib.unescape(match.group(1)) if match else ""


@pytest.mark.django_db
class SearchTestCase:
    def test_it_lists_every_published_supplier_without_criteria(self, client, directory):
        response = search(client)
        assert names(response) == ["Château de Brécourt", "Hôtel Barrière", "Traiteur Normand"]
        assert "3 suppliers" in response.content.decode()

    def test_it_never_lists_drafts_even_to_staff(self, client, people, directory):
        client.force_login(people.staff)
        assert "Hôtel Brouillon" not in names(search(client, "q=hotel"))

    def test_it_searches_text_ignoring_accents_and_plurals(self, client, directory):
        assert names(search(client, "q=chateaux")) == ["Château de Brécourt"]
        assert names(search(client, "q=H%C3%94TEL+barriere")) == ["Hôtel Barrière"]

    def test_it_filters_by_one_or_several_departments(self, client, directory):
        assert names(search(client, "department=27")) == ["Château de Brécourt"]
        assert names(search(client, "department=27&department=14")) == [
            "Château de Brécourt",
            "Hôtel Barrière",
            "Traiteur Normand",
        ]

    def test_it_filters_by_kind(self, client, directory):
        assert names(search(client, "kind=service")) == ["Traiteur Normand"]

    def test_it_filters_by_distance_around_a_commune_name(self, client, directory):
        response = search(client, "commune=caen&radius_km=50")
        assert names(response) == ["Hôtel Barrière", "Traiteur Normand"]
        assert "Around Caen (14)" in response.content.decode()
        assert names(search(client, "commune=caen&radius_km=10")) == ["Traiteur Normand"]

    def test_it_uses_a_default_radius_with_a_commune(self, client, directory):
        response = search(client, "commune=Caen")
        assert names(response) == ["Traiteur Normand"]
        assert '<option value="20" selected>' in response.content.decode()

    def test_it_finds_a_commune_by_insee_or_postal_code(self, client, directory):
        assert names(search(client, "commune=27229")) == ["Château de Brécourt"]
        assert names(search(client, "commune=14800")) == ["Hôtel Barrière"]

    def test_it_shows_the_distance_and_sorts_by_it(self, client, directory):
        response = search(client, "commune=14118&radius_km=100&sort=distance")
        assert names(response) == ["Traiteur Normand", "Hôtel Barrière"]
        assert "0.0 km away" in response.content.decode()

    def test_it_offers_the_distance_sort_only_with_a_commune(self, client, directory):
        assert 'value="distance"' not in search(client).content.decode()
        assert 'value="distance"' in search(client, "commune=Caen").content.decode()

    def test_it_filters_by_layout_and_capacity_and_shows_that_capacity(self, client, directory):
        response = search(client, "layout=u_shape&min_capacity=30")
        assert names(response) == ["Château de Brécourt"]
        assert "Capacity (U-shape)" in response.content.decode()
        assert "40 people" in response.content.decode()

    def test_it_filters_by_capacity_in_any_layout(self, client, directory):
        assert names(search(client, "min_capacity=200")) == ["Hôtel Barrière"]

    def test_it_filters_by_bedrooms(self, client, directory):
        assert names(search(client, "min_bedrooms=100")) == ["Hôtel Barrière"]

    def test_it_filters_by_equipment_label_and_theme(self, client, directory):
        assert names(search(client, "equipment=blackout")) == ["Château de Brécourt"]
        assert names(search(client, "label=clef_verte")) == ["Château de Brécourt"]
        assert names(search(client, "theme=bord_de_mer")) == ["Hôtel Barrière"]
        assert names(search(client, "theme=chateau&theme=au_vert")) == ["Château de Brécourt"]

    def test_it_sorts_by_capacity_and_by_name(self, client, directory):
        assert names(search(client, "sort=capacity&kind=venue")) == [
            "Hôtel Barrière",
            "Château de Brécourt",
        ]
        assert names(search(client, "sort=name"))[0] == "Château de Brécourt"

    def test_it_shows_facet_counts_next_to_each_option(self, client, directory):
        html = search(client, "department=14").content.decode()
        assert re.search(
            r'id="department-27">\s*<label[^>]*>Eure \(27\) <span class="facet__count">1<', html
        )
        assert re.search(
            r'id="kind-venue">\s*<label[^>]*>Venue <span class="facet__count">1<', html
        )
        assert re.search(r'value="theatre">Theatre \(1\)</option>', html)
        assert re.search(r'id="department-14" checked>', html)

    def test_it_marks_demo_listings(self, client, directory):
        html = search(client, "q=barriere").content.decode()
        assert "badge--demo" in html
        assert "badge--demo" not in search(client, "q=brecourt").content.decode()

    def test_it_shows_advice_when_nothing_matches(self, client, directory):
        response = search(client, "q=submarine")
        assert names(response) == []
        assert 'data-testid="empty-state"' in response.content.decode()
        assert "0 suppliers" in response.content.decode()

    def test_it_offers_a_choice_when_several_communes_match(self, client, directory):
        response = search(client, "commune=14")
        html = response.content.decode()
        assert "Several communes match" in errors(response)
        assert "commune=14118" in html and "commune=14220" in html
        assert len(names(response)) == 3  # the rest of the search still runs

    def test_it_says_so_when_a_commune_has_no_position(self, client, directory, communes):
        communes["14047"].latitude = communes["14047"].longitude = None
        communes["14047"].save()
        response = search(client, "commune=Bayeux&kind=venue")
        assert "The position of Bayeux is unknown" in errors(response)
        assert names(response) == ["Château de Brécourt", "Hôtel Barrière"]

    def test_it_reports_an_unknown_commune(self, client, directory):
        response = search(client, "commune=Atlantis&kind=service")
        assert "No commune of the region matches" in errors(response)
        assert names(response) == ["Traiteur Normand"]


@pytest.mark.django_db
class SearchBadParametersTestCase:
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("page=abc", "Page"),
            ("page=0", "Page"),
            ("layout=foo", "Room layout"),
            ("min_capacity=-3", "Minimum capacity"),
            ("min_capacity=lots", "Minimum capacity"),
            ("min_bedrooms=0", "Minimum bedrooms"),
            ("department=99", "Department"),
            ("kind=castle", "Kind of supplier"),
            ("equipment=laser", "Equipment"),
            ("label=gold", "Labels and certifications"),
            ("theme=moon", "Themes"),
            ("sort=best", "Sort by"),
            ("sort=distance", "Sort by"),
            ("radius_km=7&commune=Caen", "Within"),
            ("q=" + "x" * 201, "What are you looking for?"),
        ],
    )
    def test_it_shows_a_bad_value_as_an_error_and_still_searches(
        self, client, directory, query, field
    ):
        response = search(client, query)
        assert errors(response).count(f"{field}:") == 1
        assert names(response)  # never a 500, never an empty page because of one bad value

    def test_it_keeps_the_valid_values_of_a_repeated_parameter(self, client, directory):
        response = search(client, "department=99&department=27&theme=moon&theme=chateau")
        assert names(response) == ["Château de Brécourt"]
        assert "Department:" in errors(response) and "Themes:" in errors(response)

    def test_it_ignores_a_bad_value_and_keeps_the_others(self, client, directory):
        response = search(client, "layout=foo&min_capacity=-3&kind=venue&page=abc")
        assert names(response) == ["Château de Brécourt", "Hôtel Barrière"]

    def test_it_shows_the_last_page_when_the_page_is_too_far(self, client, directory):
        response = search(client, "page=40")
        assert len(names(response)) == 3
        assert not errors(response)


@pytest.mark.django_db
class SearchPaginationTestCase:
    @pytest.fixture
    def many(self, communes):
        for number in range(45):
            SupplierFactory(name=f"Salle {number:02d}", slug=f"salle-{number:02d}", bedrooms=0)

    def test_it_shows_twenty_results_a_page_and_keeps_the_parameters(self, client, many):
        response = search(client, "q=salle&sort=name&page=2")
        assert names(response) == [f"Salle {number:02d}" for number in range(20, 40)]
        html = html_lib.unescape(response.content.decode())
        assert 'href="/en/recherche/?q=salle&sort=name&page=3"' in html
        assert 'href="/en/recherche/?q=salle&sort=name&page=1"' in html
        assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in html

    def test_it_numbers_the_results_across_pages(self, client, many):
        assert 'start="41"' in search(client, "sort=name&page=3").content.decode()

    def test_a_filter_change_starts_again_at_the_first_page(self, client, many):
        html = search(client, "sort=name&page=2").content.decode()
        assert 'name="page"' not in html  # the form carries no page: a new search is page 1


@pytest.mark.django_db
class SearchFragmentTestCase:
    def test_it_returns_the_results_region_only_to_htmx(self, client, directory):
        response = search(client, "q=chateau", HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert "<html" not in html and "<header" not in html
        assert names(response) == ["Château de Brécourt"]
        assert 'id="facet-department"' in html and 'id="result-count"' in html
        assert "<title>chateau — 1 supplier — " in html
        assert "HX-Request" in response["Vary"]

    def test_it_returns_the_whole_page_for_a_history_restore(self, client, directory):
        response = search(
            client,
            "q=chateau",
            HTTP_HX_REQUEST="true",
            HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        )
        assert "<html" in response.content.decode()

    def test_the_whole_page_wraps_the_region_in_a_get_form_htmx_enhances(self, client, directory):
        html = search(client).content.decode()
        assert re.search(r'<form id="search-form"[^>]*method="get"', html)
        assert 'hx-target="#search-region"' in html and 'hx-push-url="true"' in html
        assert 'id="search-region"' in html

    def test_it_refuses_other_methods(self, client, directory):
        assert client.post("/en/recherche/").status_code == 405


@pytest.mark.django_db
class SearchDraftTestCase:
    def test_a_member_does_not_find_its_own_draft_in_the_public_search(self, client, people):
        people.hotel.status = Status.DRAFT
        people.hotel.save()
        client.force_login(people.supplier)
        assert "Hôtel de la Plage" not in names(search(client, "q=plage"))
