"""The public supplier page: its content, its JSON-LD, and drafts shown only to staff and members."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from micedesk.directory.models import Status, SupplierPhoto
from micedesk.directory.services import supplier_unpublish
from tests.factories import MeetingRoomFactory, SupplierFactory

# The smallest valid GIF: a 1×1 transparent pixel.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def json_ld(response) -> dict:
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


@pytest.mark.django_db
class SupplierPageTestCase:
    def test_it_shows_the_listing(self, client, directory):
        response = client.get("/en/prestataires/chateau-de-brecourt/")
        html = response.content.decode()
        assert response.status_code == 200
        for text in (
            '<h1 id="supplier-title">Château de Brécourt</h1>',
            "Château or unusual venue",
            "Évreux, Eure (27)",
            "Route de Pacy",
            "Historic manor for seminars in the countryside.",
            "Clef Verte",
            "Green countryside",
            "<dt>Bedrooms</dt><dd>30</dd>",
            "<dt>Beds</dt><dd>45</dd>",
            "<dt>Restaurant covers</dt><dd>80</dd>",
            "<dt>Parking spaces</dt><dd>60</dd>",
            "6.5 km",
            "75 min",
            "€65 to €95.50 per person",
            'href="mailto:events@brecourt.example"',
            'href="https://brecourt.example/"',
        ):
            assert text in html, text

    def test_it_shows_the_description_in_the_active_language_with_a_fallback(
        self, client, directory
    ):
        assert (
            "Demeure historique"
            in client.get("/prestataires/chateau-de-brecourt/").content.decode()
        )
        # No English description: the French one is shown rather than nothing.
        assert "Face à la mer" in client.get("/en/prestataires/hotel-barriere/").content.decode()

    def test_it_shows_a_rooms_table_with_a_column_per_offered_layout(self, client, directory):
        html = client.get("/en/prestataires/chateau-de-brecourt/").content.decode()
        table = re.search(r'<table class="rooms".*?</table>', html, re.S).group(0)
        headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
        assert headers == [
            "Room",
            "Theatre",
            "Classroom",
            "U-shape",
            "Boardroom",
            "Area (m²)",
            "Ceiling height (m)",
            "Daylight / blackout",
            "Equipment",
        ]
        gardes = re.search(r"Salle des Gardes</th>(.*?)</tr>", table, re.S).group(1)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", gardes)
        assert cells == [
            "120",
            "—",
            "40",
            "—",
            "150",
            "4.20",
            "Daylight, full blackout",
            "Projector, Wi-Fi, 12 power outlets",
        ]

    def test_it_links_the_location_to_openstreetmap_without_embedding_a_map(
        self, client, directory
    ):
        html = client.get("/en/prestataires/chateau-de-brecourt/").content.decode()
        assert "https://www.openstreetmap.org/?mlat=49.02410&amp;mlon=1.15080" in html
        assert "<iframe" not in html
        assert re.findall(r'<script[^>]* src="([^"]+)"', html) == [
            "/static/vendor/htmx.min.js",
            "/static/js/portal.js",
        ]

    def test_it_shows_the_photos(self, client, directory, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        SupplierPhoto.objects.create(
            supplier=directory["chateau"],
            image=SimpleUploadedFile("facade.gif", PIXEL, content_type="image/gif"),
            caption="La façade",
        )
        html = client.get("/en/prestataires/chateau-de-brecourt/").content.decode()
        assert re.search(r'<img src="/media/suppliers/\d+/facade[^"]*\.gif" alt="La façade"', html)

    def test_it_marks_a_demo_listing(self, client, directory):
        html = client.get("/en/prestataires/hotel-barriere/").content.decode()
        assert 'data-testid="demo-notice"' in html
        other = client.get("/en/prestataires/chateau-de-brecourt/").content.decode()
        assert 'data-testid="demo-notice"' not in other

    def test_it_answers_404_for_an_unknown_slug(self, client, directory):
        assert client.get("/en/prestataires/nowhere/").status_code == 404

    def test_it_refuses_other_methods(self, client, directory):
        assert client.post("/en/prestataires/chateau-de-brecourt/").status_code == 405


@pytest.mark.django_db
class SupplierJsonLdTestCase:
    def test_a_venue_is_an_event_venue_with_its_meeting_rooms(self, client, directory):
        data = json_ld(client.get("/en/prestataires/chateau-de-brecourt/"))
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "EventVenue"
        assert data["name"] == "Château de Brécourt"
        assert data["address"] == {
            "@type": "PostalAddress",
            "streetAddress": "Route de Pacy",
            "postalCode": "27000",
            "addressLocality": "Évreux",
            "addressRegion": "Eure",
            "addressCountry": "FR",
        }
        assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 49.0241, "longitude": 1.1508}
        rooms = {room["name"]: room for room in data["containsPlace"]}
        assert rooms["Salle des Gardes"]["@type"] == "MeetingRoom"
        assert rooms["Salle des Gardes"]["maximumAttendeeCapacity"] == 120
        assert rooms["Bibliothèque"]["maximumAttendeeCapacity"] == 30
        assert data["maximumAttendeeCapacity"] == 120

    def test_a_hotel_is_a_lodging_business(self, client, directory):
        data = json_ld(client.get("/prestataires/hotel-barriere/"))
        assert data["@type"] == "LodgingBusiness"
        assert data["numberOfRooms"] == 200
        assert data["containsPlace"][0]["maximumAttendeeCapacity"] == 400

    def test_a_service_provider_is_a_local_business(self, client, directory):
        data = json_ld(client.get("/prestataires/traiteur-normand/"))
        assert data["@type"] == "LocalBusiness"
        assert "containsPlace" not in data

    def test_markup_in_the_data_cannot_close_the_script_element(self, client, communes):
        supplier = SupplierFactory(
            name="Salle </script><script>alert(1)</script>", slug="salle-piege"
        )
        MeetingRoomFactory(supplier=supplier, name="A & B <b>")
        response = client.get("/en/prestataires/salle-piege/")
        assert "</script><script>alert(1)" not in response.content.decode()
        data = json_ld(response)
        assert data["name"] == "Salle </script><script>alert(1)</script>"
        assert data["containsPlace"][0]["name"] == "A & B <b>"


@pytest.mark.django_db
class SupplierDraftTestCase:
    @pytest.fixture
    def draft(self, people):
        return supplier_unpublish(supplier=people.hotel)

    def test_the_public_gets_a_404(self, client, draft):
        assert client.get("/prestataires/hotel-de-la-plage-caen/").status_code == 404

    @pytest.mark.parametrize("who", ["outsider", "other_supplier", "partner"])
    def test_other_users_get_a_404(self, client, people, draft, who):
        client.force_login(getattr(people, who))
        assert client.get("/prestataires/hotel-de-la-plage-caen/").status_code == 404

    @pytest.mark.parametrize("who", ["staff", "admin", "supplier"])
    def test_staff_and_its_own_members_see_it_with_a_draft_notice(self, client, people, draft, who):
        client.force_login(getattr(people, who))
        response = client.get("/en/prestataires/hotel-de-la-plage-caen/")
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="draft-notice"' in html
        assert '<meta name="robots" content="noindex, nofollow">' in html

    def test_a_published_listing_has_no_draft_notice(self, client, people):
        assert people.hotel.status == Status.PUBLISHED
        html = client.get("/en/prestataires/hotel-de-la-plage-caen/").content.decode()
        assert 'data-testid="draft-notice"' not in html
