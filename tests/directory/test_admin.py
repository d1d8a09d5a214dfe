"""The Django admin of suppliers: bureau staff only, and every save keeps the summary true."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.vocab import LABELS, THEMES

LIST_URL = reverse("admin:directory_supplier_changelist")
ADD_URL = reverse("admin:directory_supplier_add")


def change_url(supplier: Supplier) -> str:
    return reverse("admin:directory_supplier_change", args=[supplier.pk])


def formset(prefix: str, forms: list[dict[str, str]], initial: int = 0) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(forms)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(forms):
        data.update({f"{prefix}-{index}-{name}": value for name, value in form.items()})
    return data


def supplier_data(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Hôtel des Tests",
        "slug": "",
        "external_id": "",
        "category": "hotel",
        "status": "published",
        "commune": "14118",
        "address": "1 rue du Port",
        "postal_code": "14000",
        "latitude": "",
        "longitude": "",
        "description_fr": "Un hôtel en centre-ville avec des salons lumineux.",
        "description_en": "A city-centre hotel with bright rooms.",
        "labels": ["clef_verte", "qualite_tourisme"],
        "themes": ["urbain"],
        "email": "contact@tests.example",
        "phone": "",
        "website": "",
        "bedrooms": "30",
        "beds": "50",
        "restaurant_covers": "0",
        "parking_spaces": "0",
        "station_distance_km": "",
        "paris_travel_minutes": "",
        "day_delegate_price_min": "",
        "day_delegate_price_max": "",
        "_save": "Save",
    }
    data.update(values)
    return data


ROOM = {
    "name": "Salon Rouge",
    "position": "0",
    "area_m2": "150",
    "capacity_theatre": "120",
    "capacity_banquet": "90",
    "projector": "on",
    "power_outlets": "10",
}


class SupplierAdminAccessTestCase:
    def test_staff_see_the_list_and_the_change_page(self, client, people):
        client.force_login(people.staff)
        response = client.get(LIST_URL)
        assert response.status_code == 200
        assert "Hôtel de la Plage" in response.content.decode()
        assert client.get(change_url(people.hotel)).status_code == 200
        assert client.get(ADD_URL).status_code == 200

    def test_administrators_get_in(self, client, people):
        client.force_login(people.admin)
        assert client.get(LIST_URL).status_code == 200

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_other_roles_are_refused(self, client, people, role):
        client.force_login(getattr(people, role))
        for url in (LIST_URL, ADD_URL, change_url(people.hotel)):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))

    def test_a_supplier_member_cannot_change_its_listing_here(self, client, people):
        client.force_login(people.supplier)
        client.post(change_url(people.hotel), supplier_data(name="Hijacked"))
        people.hotel.refresh_from_db()
        assert people.hotel.name == "Hôtel de la Plage"

    def test_anonymous_visitors_are_sent_to_log_in(self, client, people):
        response = client.get(LIST_URL)
        assert response.status_code == 302


class SupplierAdminSaveTestCase:
    def test_staff_add_a_supplier_with_a_room_and_the_summary_is_right(self, client, people):
        client.force_login(people.staff)
        data = supplier_data() | formset("rooms", [ROOM]) | formset("photos", [])
        response = client.post(ADD_URL, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        supplier = Supplier.objects.get(name="Hôtel des Tests")
        assert supplier.slug == "hotel-des-tests-caen"
        assert supplier.kind == "venue"
        assert supplier.department_code == "14"
        assert supplier.capacity_theatre == 120
        assert supplier.capacity_banquet == 90
        assert supplier.max_capacity == 120
        assert supplier.room_count == 1
        assert supplier.equipment == ["projector"]
        assert supplier.label_mask == LABELS.mask(["clef_verte", "qualite_tourisme"])
        assert supplier.theme_mask == THEMES.mask(["urbain"])
        assert "hotel" in supplier.search_document.split()
        assert "caen" in supplier.search_document.split()
        assert supplier.published_at is not None

    def test_changing_a_room_updates_the_summary(self, client, people):
        client.force_login(people.staff)
        hotel = people.hotel
        room = hotel.rooms.get()
        changed = (
            {"id": str(room.pk), "supplier": str(hotel.pk)} | ROOM | {"capacity_theatre": "333"}
        )
        data = (
            supplier_data(
                name=hotel.name, slug=hotel.slug, labels=[], themes=["bord_de_mer"], bedrooms="40"
            )
            | formset("rooms", [changed], initial=1)
            | formset("photos", [])
        )
        response = client.post(change_url(hotel), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        hotel.refresh_from_db()
        assert hotel.capacity_theatre == 333
        assert hotel.max_capacity == 333
        assert hotel.theme_mask == THEMES.mask(["bord_de_mer"])

    def test_deleting_the_last_room_empties_the_summary(self, client, people):
        client.force_login(people.staff)
        hotel = people.hotel
        room = hotel.rooms.get()
        deleted = {"id": str(room.pk), "supplier": str(hotel.pk), "DELETE": "on"} | ROOM
        data = (
            supplier_data(name=hotel.name, slug=hotel.slug)
            | formset("rooms", [deleted], initial=1)
            | formset("photos", [])
        )
        assert client.post(change_url(hotel), data).status_code == 302
        hotel.refresh_from_db()
        assert (hotel.room_count, hotel.max_capacity, hotel.equipment_mask) == (0, 0, 0)

    def test_the_form_shows_the_labels_and_themes_as_checked_boxes(self, client, people):
        people.hotel.label_mask = LABELS.mask(["green_globe"])
        people.hotel.save()
        client.force_login(people.staff)
        form = client.get(change_url(people.hotel)).context["adminform"].form
        assert form.initial["labels"] == ["green_globe"]
        assert 'value="green_globe"' in str(form["labels"])

    @pytest.mark.parametrize(
        "values, field",
        [
            (
                {"day_delegate_price_min": "90", "day_delegate_price_max": "50"},
                "day_delegate_price_max",
            ),
            ({"labels": ["michelin"]}, "labels"),
            ({"commune": "99999"}, "commune"),
            ({"category": "castle"}, "category"),
            ({"name": ""}, "name"),
            ({"email": "nobody"}, "email"),
        ],
    )
    def test_it_refuses_bad_input(self, client, people, values, field):
        client.force_login(people.staff)
        data = supplier_data(**values) | formset("rooms", []) | formset("photos", [])
        response = client.post(ADD_URL, data)
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors
        assert (
            not Supplier.objects.filter(name=data["name"] or "x")
            .exclude(pk=people.hotel.pk)
            .exists()
        )

    def test_it_refuses_a_room_with_a_bad_area(self, client, people):
        client.force_login(people.staff)
        data = supplier_data() | formset("rooms", [ROOM | {"area_m2": "0"}]) | formset("photos", [])
        assert client.post(ADD_URL, data).status_code == 200
        assert not Supplier.objects.filter(name="Hôtel des Tests").exists()

    def test_only_supplier_accounts_can_be_members(self, client, people):
        client.force_login(people.staff)
        form = client.get(ADD_URL).context["adminform"].form
        members = set(form.fields["members"].queryset)
        assert people.supplier in members
        assert people.outsider not in members and people.staff not in members

    def test_staff_find_a_commune_by_autocomplete(self, client, people):
        client.force_login(people.staff)
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "directory",
                "model_name": "supplier",
                "field_name": "commune",
                "term": "cae",
            },
        )
        assert response.status_code == 200
        assert [result["text"] for result in response.json()["results"]] == ["Caen (14)"]


class SupplierAdminListTestCase:
    def test_it_filters_by_department_and_searches_by_commune(self, client, people):
        client.force_login(people.staff)
        names = client.get(LIST_URL, {"department_code": "76"}).context["cl"].result_list
        assert [supplier.name for supplier in names] == ["Château de la Forêt"]
        found = client.get(LIST_URL, {"q": "rouen"}).context["cl"].result_list
        assert [supplier.name for supplier in found] == ["Château de la Forêt"]


class SupplierAdminActionsTestCase:
    def act(self, client, people, action: str):
        client.force_login(people.staff)
        pks = [people.hotel.pk, people.other_hotel.pk]
        return client.post(LIST_URL, {"action": action, "_selected_action": pks})

    def test_staff_unpublish_then_publish(self, client, people):
        assert self.act(client, people, "unpublish").status_code == 302
        assert set(Supplier.objects.values_list("status", flat=True)) == {Status.DRAFT}
        self.act(client, people, "publish")
        assert set(Supplier.objects.values_list("status", flat=True)) == {Status.PUBLISHED}

    def test_staff_export_the_selection_to_csv(self, client, people):
        response = self.act(client, people, "export_csv")
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert {row[2] for row in rows[1:] if row[0] == "supplier"} == {
            "Hôtel de la Plage",
            "Château de la Forêt",
        }

    def test_staff_export_the_selection_to_xlsx(self, client, people):
        response = self.act(client, people, "export_xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        names = {
            row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "supplier"
        }
        assert names == {"Hôtel de la Plage", "Château de la Forêt"}

    def test_other_roles_cannot_run_actions(self, client, people):
        client.force_login(people.supplier)
        response = client.post(
            LIST_URL, {"action": "unpublish", "_selected_action": [people.hotel.pk]}
        )
        assert response.status_code == 302
        assert Supplier.objects.get(pk=people.hotel.pk).status == Status.PUBLISHED
        assert MeetingRoom.objects.filter(supplier=people.hotel).exists()
