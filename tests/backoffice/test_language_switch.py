"""The language switch of the back-office: French by default, English on request, and back."""

from __future__ import annotations

import re

from django.urls import reverse


def switch(client, page_url: str, language: str):
    """Submit the page's own switch form for `language`; return the page it leads to."""
    page = client.get(page_url)
    form = re.search(r'<form class="language-switch" action="([^"]+)".*?</form>', page.text, re.S)
    assert form and f'name="language" value="{language}"' in form.group(0)
    next_url = re.search(r'name="next" value="([^"]*)"', form.group(0)).group(1)
    return client.post(form.group(1), {"language": language, "next": next_url}, follow=True)


def page_language(response) -> str:
    return re.search(r'<html lang="([a-z-]+)">', response.text).group(1)


class BackofficeLanguageSwitchTestCase:
    def test_the_extranet_is_french_by_default(self, client, people):
        client.force_login(people.staff)
        assert page_language(client.get(reverse("backoffice:dashboard"))) == "fr"

    def test_a_staff_member_switches_to_english_and_back(self, client, people):
        client.force_login(people.staff)
        english = switch(client, reverse("backoffice:dashboard"), "en")
        assert english.status_code == 200 and page_language(english) == "en"
        french = switch(client, english.request["PATH_INFO"], "fr")
        assert french.status_code == 200 and page_language(french) == "fr"
        assert french.request["PATH_INFO"] == "/backoffice/"
