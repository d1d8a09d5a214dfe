"""The portal's home page: brand, search box, themes, kinds and departments with their counts."""

from __future__ import annotations

import re

import pytest
from django.conf import settings


def count_of(html: str, href: str) -> int:
    """The count shown next to the link to `href` in a count list."""
    pattern = re.escape(f'href="{href}"') + r'[^<]*</a>\s*<span class="count-list__count">(\d+)'
    return int(re.search(pattern, html).group(1))


@pytest.mark.django_db
class HomeTestCase:
    def test_it_shows_the_brand_and_a_search_box(self, client, directory):
        response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert settings.MICEDESK_BRAND in html.replace("&amp;", "&")
        assert 'action="/recherche/"' in html and 'name="q"' in html

    def test_it_links_every_theme_to_a_search(self, client, directory):
        html = client.get("/en/").content.decode()
        assert 'href="/en/recherche/?theme=chateau"' in html
        assert 'href="/en/recherche/?theme=bord_de_mer"' in html
        assert "Seaside" in html

    def test_it_counts_published_suppliers_by_kind_and_department(self, client, directory):
        html = client.get("/").content.decode()
        assert count_of(html, "/recherche/?kind=venue") == 2  # the draft is not counted
        assert count_of(html, "/recherche/?kind=service") == 1
        assert count_of(html, "/recherche/?department=14") == 2
        assert count_of(html, "/recherche/?department=27") == 1
        assert count_of(html, "/recherche/?department=50") == 0  # every department is listed

    def test_it_counts_published_listings_only_even_for_staff(self, client, people, directory):
        client.force_login(people.staff)
        html = client.get("/").content.decode()
        assert count_of(html, "/recherche/?department=14") == 3  # the hotel of `people` + 2 above

    def test_it_serves_english_under_en(self, client, directory):
        response = client.get("/en/")
        assert response.status_code == 200
        assert '<html lang="en">' in response.content.decode()

    def test_it_refuses_other_methods(self, client, directory):
        assert client.post("/").status_code == 405
