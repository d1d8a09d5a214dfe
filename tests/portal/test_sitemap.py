"""sitemap.xml (an index of sections) and robots.txt."""

from __future__ import annotations

import re

import pytest

from micedesk.directory.services import supplier_unpublish


def locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


@pytest.mark.django_db
class SitemapTestCase:
    def test_the_index_lists_the_sections(self, client, directory):
        assert locations(client, "/sitemap.xml") == [
            "http://testserver/sitemap-portal.xml",
            "http://testserver/sitemap-suppliers.xml",
        ]

    def test_it_lists_the_home_and_the_search_in_both_languages(self, client, directory):
        assert locations(client, "/sitemap-portal.xml") == [
            "http://testserver/",
            "http://testserver/en/",
            "http://testserver/recherche/",
            "http://testserver/en/recherche/",
        ]

    def test_it_lists_published_suppliers_only_in_both_languages(self, client, directory):
        found = locations(client, "/sitemap-suppliers.xml")
        assert "http://testserver/prestataires/chateau-de-brecourt/" in found
        assert "http://testserver/en/prestataires/chateau-de-brecourt/" in found
        assert len(found) == 6  # three published suppliers, two languages
        assert not [url for url in found if "brouillon" in url]

    def test_it_drops_a_supplier_once_unpublished(self, client, directory):
        supplier_unpublish(supplier=directory["chateau"])
        assert not [url for url in locations(client, "/sitemap-suppliers.xml") if "brecourt" in url]

    def test_it_gives_the_alternate_languages_of_each_page(self, client, directory):
        xml = client.get("/sitemap-suppliers.xml").content.decode()
        assert (
            '<xhtml:link rel="alternate" hreflang="en" '
            'href="http://testserver/en/prestataires/hotel-barriere/"/>'
        ) in xml
        assert 'hreflang="x-default" href="http://testserver/prestataires/hotel-barriere/"' in xml

    def test_an_unknown_section_is_a_404(self, client, directory):
        assert client.get("/sitemap-unknown.xml").status_code == 404


@pytest.mark.django_db
class RobotsTestCase:
    def test_it_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(self, client):
        response = client.get("/robots.txt")
        text = response.content.decode()
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
        assert "Disallow: /backoffice/" in text and "Disallow: /extranet/" in text

    def test_it_refuses_other_methods(self, client):
        assert client.post("/robots.txt").status_code == 405
