"""GET /api/v1/suppliers/{id}: the whole public listing; drafts only for those who may see them."""

from __future__ import annotations

import pytest
from django.conf import settings

from micedesk.directory.models import SupplierPhoto
from tests.api.conftest import error_locations


def url(supplier_or_id) -> str:
    return f"/api/v1/suppliers/{getattr(supplier_or_id, 'pk', supplier_or_id)}"


class SupplierDetailTestCase:
    def test_it_gives_the_whole_public_listing(self, api, directory):
        hotel = directory.hotel
        response = api.get(url(hotel))
        assert response.status_code == 200
        document = response.json()
        assert document["id"] == hotel.pk and document["name"] == "Hôtel de la Plage"
        assert document["slug"] == "hotel-de-la-plage-caen"
        assert (document["kind"], document["category"], document["status"]) == (
            "venue",
            "hotel",
            "published",
        )
        assert document["department"] == "14"
        assert document["commune"] == {"insee_code": "14118", "name": "Caen"}
        assert document["bedrooms"] == 40
        assert document["latitude"] == pytest.approx(49.1829)
        assert document["url"] == f"{settings.SITE_URL}/prestataires/hotel-de-la-plage-caen/"
        assert document["max_capacity"] == {"theatre": 100, "classroom": 60, "u_shape": 35}
        assert document["equipment"] == ["projector", "wifi"]
        expected_keys = {
            "description_fr", "description_en", "address", "postal_code", "longitude", "beds",
            "restaurant_covers", "parking_spaces", "station_distance_km", "paris_travel_minutes",
            "day_delegate_price_min", "day_delegate_price_max", "labels", "themes", "email",
            "phone", "website", "rooms", "photos",
        }  # fmt: skip
        assert expected_keys <= set(document)

    def test_it_lists_the_rooms_with_their_capacity_per_layout(self, api, directory):
        [room] = api.get(url(directory.chateau)).json()["rooms"]
        assert room == {
            "name": "Salle des Gardes",
            "area_m2": "120.0",
            "ceiling_height_m": None,
            "natural_light": False,
            "blackout": True,
            "step_free_access": False,
            "capacities": {"theatre": 120, "classroom": 60, "u_shape": 40, "banquet": 90},
            "equipment": ["projector", "wifi", "blackout"],
            "power_outlets": 0,
        }

    def test_it_gives_decimals_as_exact_strings(self, api, directory):
        document = api.get(url(directory.hotel)).json()
        assert document["day_delegate_price_min"] == "85.00"
        assert document["day_delegate_price_max"] == "120.50"
        assert document["station_distance_km"] == "1.2"
        assert api.get(url(directory.caterer)).json()["day_delegate_price_min"] is None

    def test_it_gives_labels_and_themes_as_codes(self, api, directory):
        document = api.get(url(directory.chateau)).json()
        assert document["labels"] == ["iso_20121", "clef_verte"]
        assert document["themes"] == ["au_vert", "chateau"]

    def test_it_gives_absolute_photo_urls(self, api, directory):
        SupplierPhoto.objects.create(
            supplier=directory.hotel, image="suppliers/1/terrace.jpg", caption="Terrace"
        )
        [photo] = api.get(url(directory.hotel)).json()["photos"]
        assert photo == {
            "url": f"{settings.SITE_URL}{settings.MEDIA_URL}suppliers/1/terrace.jpg",
            "caption": "Terrace",
        }

    def test_it_answers_404_for_an_unknown_id(self, api, directory):
        response = api.get(url(10**12))
        assert response.status_code == 404
        assert response.json() == {
            "detail": [{"loc": ["path", "id"], "msg": response.json()["detail"][0]["msg"],
                        "type": "not_found"}]
        }  # fmt: skip

    def test_it_hides_a_draft_from_the_public_as_if_unknown(self, api, directory):
        response = api.get(url(directory.hotel_draft))
        assert response.status_code == 404
        assert response.json()["detail"][0]["type"] == "not_found"

    @pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "9" * 30, "%00", "%F0%9F%8F%B0"])
    def test_it_refuses_an_id_that_is_not_a_positive_integer(self, api, directory, bad_id):
        assert error_locations(api.get(url(bad_id))) == [["path", "id"]]

    def test_it_answers_404_in_json_for_a_path_that_is_no_endpoint(self, api, db):
        for path in ("/api/v1/venues", "/api/v2/suppliers", "/api/v1/suppliers/1/rooms"):
            response = api.get(path)
            assert response.status_code == 404
            assert response.json()["detail"][0]["type"] == "not_found"
