"""The language switch: a POST form to Django's set_language that keeps the page and its query."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
class LanguageSwitchTestCase:
    def test_every_page_has_a_switch_that_works_without_javascript(self, client, directory):
        html = client.get("/en/recherche/?q=chateau").content.decode()
        assert '<form class="language-switch" action="/i18n/setlang/" method="post"' in html
        # set_language runs where French is active: it can translate French addresses only.
        assert 'name="next" id="language-next" value="/recherche/?q=chateau">' in html
        assert 'name="language" value="fr" lang="fr"' in html
        assert 'value="en" lang="en" data-testid="language-en" aria-current="true">English<' in html

    def test_switching_to_english_keeps_the_page_and_its_query(self, client, directory):
        response = client.post(
            "/i18n/setlang/", {"language": "en", "next": "/recherche/?q=chateau&department=27"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/en/recherche/?q=chateau&department=27"

    def test_switching_back_to_french_drops_the_prefix(self, client, directory):
        html = client.get("/en/prestataires/hotel-barriere/").content.decode()
        assert 'name="next" id="language-next" value="/prestataires/hotel-barriere/">' in html
        response = client.post(
            "/i18n/setlang/", {"language": "fr", "next": "/prestataires/hotel-barriere/"}
        )
        assert response["Location"] == "/prestataires/hotel-barriere/"
        assert response.cookies["django_language"].value == "fr"

    def test_the_htmx_fragment_updates_the_address_the_switch_sends(self, client, directory):
        html = client.get("/en/recherche/?q=chateau", HTTP_HX_REQUEST="true").content.decode()
        assert (
            '<input type="hidden" name="next" id="language-next" '
            'value="/recherche/?q=chateau" hx-swap-oob="true">'
        ) in html

    def test_it_refuses_a_next_address_on_another_site(self, client):
        response = client.post(
            "/i18n/setlang/", {"language": "en", "next": "https://evil.example/"}
        )
        assert "evil.example" not in response["Location"]

    def test_each_page_names_its_translations(self, client, directory):
        html = client.get("/prestataires/hotel-barriere/").content.decode()
        assert (
            '<link rel="alternate" hreflang="en" href="http://testserver/en/prestataires/hotel-barriere/">'
            in html
        )
