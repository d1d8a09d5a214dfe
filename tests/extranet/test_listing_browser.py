"""In Chromium: a supplier member edits its listing, publishes it and sees it on its public page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from micedesk.directory.models import Status, Supplier
from micedesk.directory.services import supplier_unpublish

NEW_DESCRIPTION = "Salle panoramique rénovée en 2026, vue sur la baie de Seine."


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser.

    This skips the login form, whose words are translated: the form has its own tests.
    """
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


@pytest.mark.browser
class ListingBrowserTestCase:
    def test_a_member_edits_publishes_and_sees_its_public_page(self, page, client, people):
        supplier_unpublish(supplier=people.hotel)
        log_in(page, client, people.supplier)
        page.goto(reverse("extranet:supplier_edit", kwargs={"pk": people.hotel.pk}))
        expect(page.get_by_test_id("listing-status")).to_have_attribute("data-status", "draft")

        page.locator("#id_description_fr").fill(NEW_DESCRIPTION)
        page.locator("#id_rooms-0-capacity_theatre").fill("150")
        page.get_by_test_id("save").click()
        expect(page.locator(".notice--success")).to_be_visible()

        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("listing-status")).to_have_attribute("data-status", "published")

        page.get_by_test_id("public-page-link").click()
        expect(page).to_have_url(f"{page.base_url}/prestataires/{people.hotel.slug}/")
        expect(page.locator("main")).to_contain_text(NEW_DESCRIPTION)

        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert hotel.status == Status.PUBLISHED
        assert hotel.rooms.get().capacity_theatre == 150 and hotel.capacity_theatre == 150

    def test_a_member_adds_a_room_with_the_add_button(self, page, client, people):
        log_in(page, client, people.supplier)
        page.goto(reverse("extranet:supplier_edit", kwargs={"pk": people.hotel.pk}))
        # The page opens with the room and one empty row; the button adds another row.
        page.locator("[data-add-room]").click()
        expect(page.locator("[data-room]")).to_have_count(3)
        page.locator("#id_rooms-2-name").fill("Salle des Voiles")
        page.locator("#id_rooms-2-capacity_u_shape").fill("24")
        page.get_by_test_id("save").click()
        expect(page.locator(".notice--success")).to_be_visible()
        rooms = list(people.hotel.rooms.order_by("position").values_list("name", flat=True))
        assert rooms == ["Salon Horizon", "Salle des Voiles"]

    def test_an_invalid_room_is_pointed_out_and_nothing_is_saved(self, page, client, people):
        log_in(page, client, people.supplier)
        page.goto(reverse("extranet:supplier_edit", kwargs={"pk": people.hotel.pk}))
        page.locator("#id_description_fr").fill("Ce texte ne doit pas être enregistré.")
        page.locator("#id_rooms-1-capacity_theatre").fill("40")  # a new room without a name
        page.get_by_test_id("save").click()
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(page.locator("#id_rooms-1-name")).to_have_attribute("aria-invalid", "true")
        assert "enregistré" not in Supplier.objects.get(pk=people.hotel.pk).description_fr
