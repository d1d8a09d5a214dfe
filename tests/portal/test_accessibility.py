"""axe-core in Chromium finds no serious or critical violation on the portal's main pages,
in French and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
PAGES = {
    "home": "/",
    "results": "/recherche/?q=hotel&commune=Caen&radius_km=100&sort=distance&theme=bord_de_mer",
    "results with errors": "/recherche/?layout=foo&min_capacity=-3&page=abc",
    "no results": "/recherche/?q=submarine",
    "supplier": "/prestataires/chateau-de-brecourt/",
    "login": "/connexion/",
}


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    return [
        f"{item['impact']}: {item['id']} ({item['help']}) at {item['targets']}"
        for item in found
        if item["impact"] in BLOCKING
    ]


class AccessibilityTestCase:
    def test_axe_finds_no_serious_violation(self, axe_page, directory):
        """Every page in both languages, in one test: one live server and one directory for the
        twelve pages (each page is still loaded anew and checked on its own)."""
        found = {}
        for prefix in ("", "/en"):
            for name, path in PAGES.items():
                axe_page.goto(prefix + path)
                found[f"{name} {prefix or '/'}"] = violations(axe_page)
        assert found == {key: [] for key in found}

    def test_axe_finds_no_serious_violation_on_a_phone_with_filters_folded(
        self, chromium, live_server, directory
    ):
        context = chromium.new_context(
            base_url=live_server.url,
            bypass_csp=True,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
        )
        page = context.new_page()
        try:
            page.goto("/recherche/?theme=bord_de_mer")
            assert violations(page) == []
        finally:
            context.close()
