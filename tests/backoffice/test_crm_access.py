"""Every CRM screen of the back-office: anonymous visitors go to the login page, anyone but the
bureau's staff gets a 403, on GET and on POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.backoffice import crm_urls
from tests.crm import builders

NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]
NAMES = [pattern.name for pattern in crm_urls.urlpatterns]
POST_ONLY = {"contact_interaction_add", "contact_consent", "gdpr_export", "gdpr_erase"}


@pytest.fixture
def objects(db):
    contact = builders.contact()
    return {
        "pk": contact.pk,
        "company": builders.company().pk,
        "action": builders.bureau_action().pk,
        "other": builders.contact().pk,
    }


def url_of(name: str, objects: dict) -> str:
    pattern = next(p for p in crm_urls.urlpatterns if p.name == name)
    kwargs: dict[str, object] = {}
    if "pk" in pattern.pattern.converters:
        key = "company" if name.startswith("compan") else "pk"
        key = "action" if name.startswith("bureau_action") else key
        kwargs["pk"] = objects[key]
    if "file_format" in pattern.pattern.converters:
        kwargs["file_format"] = "json"
    return reverse(f"backoffice:{name}", kwargs=kwargs)


class CrmAccessTestCase:
    def test_it_has_the_url_names_the_lead_links_to(self):
        for name in ("contacts", "contact", "contact_new", "contact_edit", "contact_merge"):
            assert name in NAMES

    @pytest.mark.parametrize("language", ["fr", "en"])
    def test_staff_open_every_page_in_both_languages(self, client, people, objects, language):
        client.force_login(people.staff)
        client.cookies["django_language"] = language
        for name in NAMES:
            response = client.get(url_of(name, objects))
            # The actions that only change something answer GET with 405; merging asks for the
            # other contact (400 without it).
            expected = {"contact_merge": 400}.get(name, 200)
            if name in POST_ONLY:
                expected = 405
            assert response.status_code == expected, name

    @pytest.mark.parametrize("name", NAMES)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, objects, name, method):
        response = getattr(client, method)(url_of(name, objects))
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("name", NAMES)
    @pytest.mark.parametrize("who", NOT_STAFF)
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_refuses_everyone_but_staff(self, client, people, objects, name, who, method):
        client.force_login(getattr(people, who))
        data = {"email": "contact1@company.example", "other": objects["other"]}
        response = getattr(client, method)(url_of(name, objects), data)
        assert response.status_code == 403
