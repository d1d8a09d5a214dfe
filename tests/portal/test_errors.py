"""The 404 and 500 pages in the public style."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
class ErrorPagesTestCase:
    def test_a_missing_page_gets_the_public_404(self, client):
        response = client.get("/en/no-such-page/")
        html = response.content.decode()
        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in html
        assert 'class="site-header"' in html and 'action="/en/recherche/"' in html

    def test_the_french_404_is_served_without_a_prefix(self, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert '<html lang="fr">' in response.content.decode()

    def test_the_500_page_renders_without_a_request_context(self):
        response = server_error(RequestFactory().get("/"))
        html = response.content.decode()
        assert response.status_code == 500
        assert "/static/css/micedesk.css" in html and 'href="/"' in html
