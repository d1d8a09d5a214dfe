"""The portal in Chromium: search by text and by facet, a supplier page, the language switch,
the same search without JavaScript, a phone screen, and no Content-Security-Policy violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def result_names(page) -> list[str]:
    return page.locator("[data-testid=results] .result__name a").all_inner_texts()


def watch_console(page) -> list[str]:
    """Collect the console errors of a page (CSP violations are reported there)."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    return errors


# The scenarios on the small directory, each from a new visitor's page; one browser test runs
# them all, so that the live server and the directory are set up once for all of them.
def a_planner_searches_by_text_from_the_home_page(page) -> None:
    page.goto("/")
    page.locator("#id_q").fill("château")
    page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"/recherche/\?q=ch%C3%A2teau$"))
    assert result_names(page) == ["Château de Brécourt"]


def a_new_text_search_updates_the_results_in_place(page) -> None:
    page.goto("/recherche/")
    page.evaluate("window.samePage = true")
    page.locator("#id_q").fill("barriere")
    page.locator(".search-bar__submit button").click()
    expect(page).to_have_url(re.compile(r"/recherche/\?q=barriere$"))
    expect(page.locator("[data-testid=results] .result__name")).to_have_count(1)
    assert result_names(page) == ["Hôtel Barrière"]
    assert page.evaluate("window.samePage") is True  # htmx swapped the region, no reload


def a_planner_filters_by_a_facet_and_the_url_follows(page) -> None:
    errors = watch_console(page)
    page.goto("/recherche/")
    page.evaluate("window.samePage = true")
    page.locator("label[for=kind-service]").click()
    expect(page).to_have_url(re.compile(r"/recherche/\?kind=service$"))
    expect(page.locator("[data-testid=results] .result__name")).to_have_count(1)
    assert result_names(page) == ["Traiteur Normand"]
    assert page.evaluate("window.samePage") is True
    expect(page.locator("#kind-service")).to_be_checked()
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^1 "))
    # The facet that was clicked keeps the focus after the swap (keyboard users stay in place).
    assert page.evaluate("document.activeElement.id") == "kind-service"
    page.locator("#department-27").check()
    expect(page).to_have_url(re.compile(r"/recherche/\?department=27&kind=service$"))
    expect(page.locator("[data-testid=empty-state]")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/recherche/\?kind=service$"))
    expect(page.locator("#department-27")).not_to_be_checked()
    assert result_names(page) == ["Traiteur Normand"]
    assert not [error for error in errors if "Content Security Policy" in error]


def a_shared_search_url_opens_the_same_results(page) -> None:
    page.goto("/recherche/?theme=chateau&layout=u_shape&min_capacity=30")
    assert result_names(page) == ["Château de Brécourt"]
    expect(page.locator("#theme-chateau")).to_be_checked()
    expect(page.locator("#id_layout")).to_have_value("u_shape")


def a_planner_opens_a_supplier_page(page) -> None:
    errors = watch_console(page)
    page.goto("/recherche/?q=brecourt")
    page.get_by_role("link", name="Château de Brécourt").click()
    expect(page).to_have_url(re.compile(r"/prestataires/chateau-de-brecourt/$"))
    expect(page.locator("h1")).to_have_text("Château de Brécourt")
    expect(page.locator("[data-testid=rooms] tbody tr")).to_have_count(2)
    expect(page.locator("[data-testid=map-link]")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=49\.02410")
    )
    assert not [error for error in errors if "Content Security Policy" in error]


def a_visitor_switches_to_english_and_back(page) -> None:
    page.goto("/recherche/?q=chateau")
    page.locator("[data-testid=language-en]").click()
    expect(page).to_have_url(re.compile(r"/en/recherche/\?q=chateau$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#result-count")).to_have_text("1 supplier")
    page.locator("[data-testid=language-fr]").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/recherche/\?q=chateau$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def the_language_switch_keeps_a_search_changed_in_place(page) -> None:
    page.goto("/en/recherche/")
    page.locator("#kind-venue").check()
    expect(page).to_have_url(re.compile(r"/en/recherche/\?kind=venue$"))
    page.locator("[data-testid=language-fr]").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/recherche/\?kind=venue$"))
    expect(page.locator("#kind-venue")).to_be_checked()


DIRECTORY_SCENARIOS = [
    a_planner_searches_by_text_from_the_home_page,
    a_new_text_search_updates_the_results_in_place,
    a_planner_filters_by_a_facet_and_the_url_follows,
    a_shared_search_url_opens_the_same_results,
    a_planner_opens_a_supplier_page,
    a_visitor_switches_to_english_and_back,
    the_language_switch_keeps_a_search_changed_in_place,
]


class PortalBrowserTestCase:
    def test_planners_search_and_switch_language(self, new_page, directory):
        for scenario in DIRECTORY_SCENARIOS:
            scenario(new_page())

    def test_pagination_updates_in_place_and_keeps_the_filters(self, page, many_suppliers):
        page.goto("/en/recherche/?q=salle&sort=name")
        page.evaluate("window.samePage = true")
        page.locator(".pagination").get_by_role("link", name="Next").click()
        expect(page).to_have_url(re.compile(r"\?q=salle&sort=name&page=2$"))
        expect(page.locator("[data-testid=results] .result__name").first).to_have_text("Salle 20")
        assert page.evaluate("window.samePage") is True

    def test_a_user_logs_in_and_out(self, page, people):
        page.goto("/en/connexion/")
        page.get_by_label("E-mail address").fill(people.outsider.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/en/compte/$"))
        expect(page.locator("[data-testid=no-role]")).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/en/$"))
        expect(page.get_by_role("link", name="Log in")).to_be_visible()


class PortalWithoutJavaScriptTestCase:
    def test_search_filters_and_language_switch_work_without_javascript(self, new_page, directory):
        """Three visitors without JavaScript (a page each) over one live server and directory."""
        # The same search as with JavaScript.
        page = new_page(java_script_enabled=False)
        page.goto("/recherche/")
        page.locator("#id_q").fill("hotel")
        page.locator("label[for=theme-bord_de_mer]").click()
        page.locator(".search-bar__submit button").click()
        expect(page).to_have_url(re.compile(r"/recherche/\?q=hotel&.*theme=bord_de_mer"))
        assert result_names(page) == ["Hôtel Barrière"]
        expect(page.locator("#theme-bord_de_mer")).to_be_checked()

        # The filters apply with their own button.
        page = new_page(java_script_enabled=False)
        page.goto("/en/recherche/")
        page.locator("#kind-service").check()
        page.get_by_role("button", name="Apply the filters").click()
        expect(page).to_have_url(re.compile(r"kind=service"))
        assert result_names(page) == ["Traiteur Normand"]

        # The language switch.
        page = new_page(java_script_enabled=False)
        page.goto("/prestataires/hotel-barriere/")
        page.locator("[data-testid=language-en]").click()
        expect(page).to_have_url(re.compile(r"/en/prestataires/hotel-barriere/$"))


class PortalOnAPhoneTestCase:
    def test_the_filters_start_folded_and_the_pages_fit(self, new_page, directory):
        page = new_page(**PHONE)
        page.goto("/recherche/")
        expect(page.locator("#filters")).not_to_have_attribute("open", "")
        expect(page.locator("[data-testid=results]")).to_be_in_viewport()
        page.locator("#filters > summary").click()
        page.locator("label[for=kind-service]").click()
        expect(page).to_have_url(re.compile(r"/recherche/\?kind=service$"))
        expect(page.locator("[data-testid=results] .result__name")).to_have_count(1)
        expect(page.locator("#filters")).to_have_attribute("open", "")

        # The pages fit the width of a phone (another visitor's: the filters as they start).
        page = new_page(**PHONE)
        widths = {}
        for path in ("/", "/recherche/?commune=Caen", "/prestataires/chateau-de-brecourt/"):
            page.goto(path)
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        assert widths == {
            path: min(width, page.viewport_size["width"]) for path, width in widths.items()
        }
