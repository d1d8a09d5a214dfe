"""The listing edit page of the extranet: who may edit what, and every refusal of bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.vocab import LABELS, THEMES
from micedesk.geo.models import Commune, Department, Region
from tests.extranet.helpers import error_codes, listing_data


def edit_url(supplier: Supplier) -> str:
    return reverse("extranet:supplier_edit", kwargs={"pk": supplier.pk})


def snapshot(supplier: Supplier) -> tuple:
    """The stored state of a listing and its rooms, to show that nothing was written."""
    supplier = Supplier.objects.get(pk=supplier.pk)
    rooms = list(MeetingRoom.objects.filter(supplier=supplier).order_by("pk").values())
    return (supplier.name, supplier.description_fr, supplier.updated_at, supplier.commune_id, rooms)


class SupplierEditAccessTestCase:
    def test_the_member_gets_its_listing_form(self, client, people):
        client.force_login(people.supplier)
        response = client.get(edit_url(people.hotel))
        assert response.status_code == 200
        assert "Hôtel de la Plage" in response.text
        assert 'name="rooms-0-capacity_theatre"' in response.text
        assert '<datalist id="commune-options">' in response.text

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        response = client.get(edit_url(people.hotel))
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("who", ["outsider", "partner", "staff"])
    def test_it_refuses_users_who_are_not_supplier_members(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(edit_url(people.hotel)).status_code == 403

    def test_it_hides_another_suppliers_listing(self, client, people):
        client.force_login(people.other_supplier)
        assert client.get(edit_url(people.hotel)).status_code == 404

    def test_it_hides_another_suppliers_listing_even_by_post(self, client, people):
        before = snapshot(people.hotel)
        data = listing_data(people.hotel, name="Taken over", description_fr="Pirate text.")
        client.force_login(people.other_supplier)
        assert client.post(edit_url(people.hotel), data).status_code == 404
        assert snapshot(people.hotel) == before

    def test_it_answers_404_for_a_listing_that_does_not_exist(self, client, people):
        client.force_login(people.supplier)
        url = reverse("extranet:supplier_edit", kwargs={"pk": 999999})
        assert client.get(url).status_code == 404


class SupplierEditSaveTestCase:
    def test_it_saves_the_listing_and_its_rooms(self, client, people):
        client.force_login(people.supplier)
        data = listing_data(
            people.hotel,
            description_fr="Une maison face à la mer, rénovée en 2025.",
            description_en="A house facing the sea, renovated in 2025.",
            bedrooms=55,
            day_delegate_price_min="45",
            day_delegate_price_max="89.50",
            labels=["clef_verte", "qualite_tourisme"],
            themes=["bord_de_mer"],
            **{"rooms-0-capacity_theatre": 150, "rooms-0-blackout": True},
        )
        response = client.post(edit_url(people.hotel), data)
        assert response.status_code == 302
        assert response.url == edit_url(people.hotel)
        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert hotel.description_fr == "Une maison face à la mer, rénovée en 2025."
        assert hotel.bedrooms == 55
        assert (hotel.day_delegate_price_min, hotel.day_delegate_price_max) == (
            Decimal("45"),
            Decimal("89.50"),
        )
        assert hotel.label_mask == LABELS.mask(["clef_verte", "qualite_tourisme"])
        assert hotel.theme_mask == THEMES.mask(["bord_de_mer"])
        room = hotel.rooms.get()
        assert room.name == "Salon Horizon" and room.capacity_theatre == 150 and room.blackout
        # The summary columns search reads are refreshed by the service.
        assert hotel.capacity_theatre == 150 and hotel.max_capacity == 150
        assert "renov" in hotel.search_document

    def test_it_keeps_a_published_listing_published(self, client, people):
        client.force_login(people.supplier)
        client.post(edit_url(people.hotel), listing_data(people.hotel, name="Hôtel de la Plage"))
        assert Supplier.objects.get(pk=people.hotel.pk).status == Status.PUBLISHED

    def test_it_adds_a_room_from_the_empty_row(self, client, people):
        client.force_login(people.supplier)
        data = listing_data(
            people.hotel,
            **{
                "rooms-1-name": "Salle Falaise",
                "rooms-1-area_m2": "80",
                "rooms-1-capacity_boardroom": "20",
                "rooms-1-videoconference": True,
            },
        )
        assert client.post(edit_url(people.hotel), data).status_code == 302
        rooms = list(people.hotel.rooms.order_by("position"))
        assert [room.name for room in rooms] == ["Salon Horizon", "Salle Falaise"]
        assert rooms[1].capacity_boardroom == 20 and rooms[1].videoconference
        assert Supplier.objects.get(pk=people.hotel.pk).room_count == 2

    def test_it_removes_a_room(self, client, people):
        client.force_login(people.supplier)
        data = listing_data(people.hotel, **{"rooms-0-DELETE": True})
        assert client.post(edit_url(people.hotel), data).status_code == 302
        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert hotel.room_count == 0 and not hotel.rooms.exists() and hotel.max_capacity == 0

    def test_it_moves_the_listing_to_another_commune_by_its_insee_code(self, client, people):
        client.force_login(people.supplier)
        data = listing_data(people.hotel, commune=" 76351 ", postal_code="76600")
        assert client.post(edit_url(people.hotel), data).status_code == 302
        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert hotel.commune_id == "76351" and hotel.department_code == "76"

    def test_it_cannot_change_the_status_or_slug_through_the_form(self, client, people):
        client.force_login(people.supplier)
        people.hotel.status = Status.DRAFT
        people.hotel.save()
        data = listing_data(people.hotel, status="published", slug="stolen")
        assert client.post(edit_url(people.hotel), data).status_code == 302
        hotel = Supplier.objects.get(pk=people.hotel.pk)
        assert hotel.status == Status.DRAFT and hotel.slug == "hotel-de-la-plage-caen"


class SupplierEditRefusalTestCase:
    def refused(self, client, people, **changes) -> set[tuple[str, str]]:
        """POST the changes; assert nothing was written and return the errors shown."""
        before = snapshot(people.hotel)
        client.force_login(people.supplier)
        data = listing_data(people.hotel, name="Renamed in the same post", **changes)
        response = client.post(edit_url(people.hotel), data)
        assert response.status_code == 400
        assert 'data-testid="error-summary"' in response.text
        assert snapshot(people.hotel) == before
        return error_codes(response)

    def test_it_refuses_an_inverted_price_range(self, client, people):
        errors = self.refused(
            client, people, day_delegate_price_min="120", day_delegate_price_max="80"
        )
        assert errors == {("day_delegate_price_max", "price_range_inverted")}

    def test_it_says_why_the_price_range_is_refused(self, client, people):
        client.force_login(people.supplier)
        data = listing_data(people.hotel, day_delegate_price_min="120", day_delegate_price_max="80")
        response = client.post(edit_url(people.hotel), data)
        assert "(80 €)" in response.text and "(120 €)" in response.text

    def test_it_refuses_an_unknown_commune(self, client, people):
        errors = self.refused(client, people, commune="99999")
        assert errors == {("commune", "invalid_choice")}

    def test_it_refuses_a_commune_outside_the_region(self, client, people):
        region = Region.objects.create(code="11", name="Île-de-France")
        department = Department.objects.create(code="75", name="Paris", region=region)
        Commune.objects.create(
            insee_code="75056", name="Paris", slug="paris", department=department
        )
        errors = self.refused(client, people, commune="75056")
        assert errors == {("commune", "invalid_choice")}

    def test_it_refuses_a_malformed_postal_code(self, client, people):
        assert self.refused(client, people, postal_code="14A00") == {("postal_code", "invalid")}

    def test_it_refuses_a_negative_capacity(self, client, people):
        errors = self.refused(client, people, **{"rooms-0-capacity_theatre": "-5"})
        assert errors == {("rooms-0-capacity_theatre", "min_value")}

    def test_it_saves_nothing_when_a_new_room_is_invalid(self, client, people):
        errors = self.refused(
            client,
            people,
            description_fr="This text must not be saved.",
            **{"rooms-0-capacity_theatre": "300", "rooms-1-capacity_theatre": "40"},
        )
        assert errors == {("rooms-1-name", "required")}

    def test_it_refuses_a_room_area_below_one_square_metre(self, client, people):
        errors = self.refused(client, people, **{"rooms-0-area_m2": "0"})
        assert errors == {("rooms-0-area_m2", "min_value")}

    def test_it_refuses_a_negative_bedroom_count(self, client, people):
        assert self.refused(client, people, bedrooms="-1") == {("bedrooms", "min_value")}

    def test_it_refuses_an_unknown_label(self, client, people):
        errors = self.refused(client, people, labels=["not_a_label"])
        assert errors == {("labels", "invalid_choice")}

    def test_it_refuses_a_listing_without_a_name(self, client, people):
        before = snapshot(people.hotel)
        client.force_login(people.supplier)
        response = client.post(edit_url(people.hotel), listing_data(people.hotel, name=""))
        assert response.status_code == 400
        assert error_codes(response) == {("name", "required")}
        assert snapshot(people.hotel) == before

    def test_it_never_touches_a_room_of_another_supplier_slipped_into_the_form(
        self, client, people
    ):
        foreign = people.other_hotel.rooms.create(name="Their room", capacity_theatre=10)
        client.force_login(people.supplier)
        data = listing_data(people.hotel, **{"rooms-0-id": str(foreign.pk)})
        assert client.post(edit_url(people.hotel), data).status_code == 302
        foreign.refresh_from_db()
        assert foreign.supplier_id == people.other_hotel.pk and foreign.name == "Their room"
        assert [room.name for room in people.hotel.rooms.all()] == ["Salon Horizon"]
