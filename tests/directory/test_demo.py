"""The demo generator: deterministic, idempotent, and data that make sense together."""

from __future__ import annotations

import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from micedesk.directory.demo import (
    AREA_PER_PERSON,
    CAPACITY_JITTER,
    CITY_POPULATION,
    LAYOUT_CEILING,
    LODGING_CATEGORIES,
    DemoError,
    commune_is_coastal,
    demo_suppliers_generate,
    of_commune,
)
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.services import supplier_rooms_summary
from micedesk.directory.vocab import LAYOUTS, Category, Kind
from micedesk.geo.models import Commune
from tests.factories import SupplierFactory


def snapshot(seed: int) -> list[tuple]:
    """What a planner would see of the demo suppliers of a seed: names, places, rooms, capacities."""
    suppliers = sorted(
        Supplier.objects.filter(external_id__startswith=f"demo-{seed}-").prefetch_related("rooms"),
        key=lambda supplier: int(supplier.external_id.rsplit("-", 1)[1]),
    )
    return [
        (
            supplier.external_id,
            supplier.name,
            supplier.category,
            supplier.commune_id,
            supplier.bedrooms,
            supplier.theme_mask,
            supplier.description_fr,
            [
                (room.name, room.area_m2, room.capacities, room.power_outlets)
                for room in supplier.rooms.all()
            ],
        )
        for supplier in suppliers
    ]


@pytest.fixture
def demo(communes):
    demo_suppliers_generate(count=200, seed=7)
    return Supplier.objects.filter(external_id__startswith="demo-7-").select_related("commune")


class DemoSuppliersGenerateTestCase:
    def test_it_writes_the_number_of_suppliers_asked_for(self, demo):
        assert demo.count() == 200
        assert MeetingRoom.objects.filter(supplier__in=demo).count() > 200

    def test_the_same_seed_gives_the_same_suppliers(self, communes):
        demo_suppliers_generate(count=60, seed=3)
        first = snapshot(3)
        demo_suppliers_generate(count=60, seed=3, replace=True)
        assert snapshot(3) == first

    def test_another_seed_gives_other_suppliers(self, communes):
        demo_suppliers_generate(count=30, seed=3)
        demo_suppliers_generate(count=30, seed=4)
        names = [row[1:] for row in snapshot(3)]
        assert names != [row[1:] for row in snapshot(4)]

    def test_a_larger_run_extends_a_smaller_one(self, communes):
        demo_suppliers_generate(count=20, seed=5)
        first = snapshot(5)
        demo_suppliers_generate(count=30, seed=5)
        assert snapshot(5)[:20] == first

    def test_it_does_not_duplicate_when_run_again(self, communes):
        demo_suppliers_generate(count=50, seed=2)
        rooms = MeetingRoom.objects.count()
        demo_suppliers_generate(count=50, seed=2)
        assert Supplier.objects.filter(external_id__startswith="demo-").count() == 50
        assert MeetingRoom.objects.count() == rooms

    def test_replace_removes_every_demo_supplier_and_keeps_real_ones(self, communes):
        real = SupplierFactory(name="Hôtel réel", slug="hotel-reel", external_id="apidae-1")
        demo_suppliers_generate(count=30, seed=1)
        demo_suppliers_generate(count=10, seed=2, replace=True)
        assert Supplier.objects.filter(external_id__startswith="demo-1-").count() == 0
        assert Supplier.objects.filter(external_id__startswith="demo-2-").count() == 10
        assert Supplier.objects.filter(pk=real.pk).exists()

    def test_every_demo_supplier_is_marked_and_reaches_nobody(self, demo):
        for supplier in demo:
            assert supplier.external_id.startswith("demo-7-")
            assert supplier.email.endswith(".example")
            assert ".example/" in supplier.website
            assert supplier.phone.startswith("02 61 91 ")  # kept by ARCEP for fiction

    def test_most_are_published_and_a_few_are_drafts(self, demo):
        drafts = demo.filter(status=Status.DRAFT).count()
        assert 0 < drafts < 30

    def test_it_refuses_a_negative_count(self, communes):
        with pytest.raises(DemoError):
            demo_suppliers_generate(count=-1, seed=1)

    def test_it_refuses_to_run_without_communes(self, db):
        with pytest.raises(DemoError):
            demo_suppliers_generate(count=5, seed=1)


class DemoCoherenceTestCase:
    def test_every_room_capacity_fits_its_area(self, demo):
        rooms = MeetingRoom.objects.filter(supplier__in=demo)
        for room in rooms:
            area = float(room.area_m2)
            assert room.capacities, room
            for layout, capacity in room.capacities.items():
                ideal = area / AREA_PER_PERSON[layout]
                ceiling = LAYOUT_CEILING.get(layout, math.inf)
                highest = min(ceiling, max(2, ideal * (1 + CAPACITY_JITTER)))
                lowest = min(ceiling, max(2, ideal * (1 - CAPACITY_JITTER) - 1))
                assert lowest <= capacity <= highest, (room, layout, area, capacity)

    def test_a_room_seats_fewer_people_at_tables_than_in_rows(self, demo):
        for room in MeetingRoom.objects.filter(supplier__in=demo):
            capacities = room.capacities
            if "theatre" in capacities and "classroom" in capacities:
                assert capacities["classroom"] < capacities["theatre"] * 1.3
            assert capacities.get("boardroom", 0) <= LAYOUT_CEILING["boardroom"]
            assert capacities.get("u_shape", 0) <= LAYOUT_CEILING["u_shape"]

    def test_power_outlets_grow_with_capacity(self, demo):
        for room in MeetingRoom.objects.filter(supplier__in=demo):
            best = max(room.capacities.values())
            assert best / 8 * 0.8 - 1 <= room.power_outlets <= max(2, best / 8 * 1.2 + 1)

    def test_convention_centres_have_every_equipment(self, communes):
        demo_suppliers_generate(count=400, seed=11)
        centres = Supplier.objects.filter(category=Category.CONVENTION_CENTRE)
        assert centres.exists()
        for room in MeetingRoom.objects.filter(supplier__in=centres):
            assert room.projector and room.screen and room.sound and room.videoconference
            assert room.wifi and room.step_free_access

    def test_convention_centres_are_only_in_cities(self, communes):
        demo_suppliers_generate(count=400, seed=11)
        for centre in Supplier.objects.filter(category=Category.CONVENTION_CENTRE):
            assert centre.commune.population >= CITY_POPULATION
            assert of_commune(centre.commune.name) in centre.name

    def test_only_lodging_has_bedrooms(self, demo):
        for supplier in demo:
            if supplier.bedrooms:
                assert supplier.category in LODGING_CATEGORIES
            if supplier.category not in LODGING_CATEGORIES:
                assert supplier.bedrooms == 0 and supplier.beds == 0
        assert demo.filter(category=Category.HOTEL, bedrooms=0).count() == 0

    def test_only_venues_have_rooms_and_a_day_delegate_price(self, demo):
        for supplier in demo.exclude(kind=Kind.VENUE):
            assert supplier.room_count == 0
            assert supplier.day_delegate_price_min is None
        for supplier in demo.filter(kind=Kind.VENUE):
            assert supplier.room_count > 0
            assert supplier.day_delegate_price_min <= supplier.day_delegate_price_max

    def test_themes_follow_the_place(self, demo):
        for supplier in demo:
            themes = supplier.themes
            commune = supplier.commune
            if "bord_de_mer" in themes:
                assert commune_is_coastal(commune), supplier
            if "urbain" in themes:
                assert commune.population >= CITY_POPULATION, supplier
            if "au_vert" in themes:
                assert commune.population < CITY_POPULATION, supplier
            if "chateau" in themes:
                assert supplier.category == Category.UNUSUAL_VENUE, supplier

    def test_venues_by_the_sea_say_so(self, demo):
        coastal = [s for s in demo if commune_is_coastal(s.commune) and s.kind == Kind.VENUE]
        assert coastal
        assert all("bord_de_mer" in supplier.themes for supplier in coastal)

    def test_venues_are_the_majority_and_every_kind_is_there(self, demo):
        kinds = list(demo.values_list("kind", flat=True))
        assert kinds.count(Kind.VENUE) > len(kinds) / 2
        assert set(kinds) == set(Kind.values)

    def test_the_summary_and_search_document_are_true(self, demo):
        for supplier in demo.prefetch_related("rooms").select_related("commune__department"):
            summary = supplier_rooms_summary(supplier.rooms.all())
            for field, value in summary.items():
                assert getattr(supplier, field) == value, (supplier, field)
            assert supplier.department_code == supplier.commune.department_id
            assert supplier.search_document
            assert supplier.latitude is not None

    def test_descriptions_tell_the_facts_in_both_languages(self, demo):
        supplier = demo.filter(kind=Kind.VENUE, bedrooms__gt=0).first()
        assert supplier.commune.name in supplier.description_fr
        assert supplier.commune.name in supplier.description_en
        assert f"{supplier.bedrooms} chambres" in supplier.description_fr
        assert f"{supplier.bedrooms} bedrooms" in supplier.description_en
        assert f"{supplier.max_capacity} " in supplier.description_en

    def test_capacities_are_those_of_all_layouts(self, demo):
        offered = set()
        for room in MeetingRoom.objects.filter(supplier__in=demo):
            offered |= set(room.capacities)
        assert offered == set(LAYOUTS)


class CommuneIsCoastalTestCase:
    def test_it_knows_the_seaside_towns(self, communes):
        assert commune_is_coastal(communes["14220"])  # Deauville
        assert commune_is_coastal(communes["76351"])  # Le Havre
        assert commune_is_coastal(communes["50129"])  # Cherbourg-en-Cotentin

    def test_inland_towns_are_not_coastal(self, communes):
        for code in ("14118", "76540", "27229", "61483", "14047"):
            assert not commune_is_coastal(communes[code])

    def test_a_sur_mer_name_is_coastal_in_a_coastal_department_only(self, communes):
        seaside = Commune(insee_code="14754", name="Villers-sur-Mer", department_id="14")
        estuary = Commune(insee_code="27065", name="Berville-sur-Mer", department_id="27")
        inland = Commune(insee_code="14066", name="Bény-sur-Mer", department_id="14")
        assert commune_is_coastal(seaside)
        assert not commune_is_coastal(estuary)
        assert not commune_is_coastal(inland)


class GenerateDemoCommandTestCase:
    def test_it_generates_the_suppliers(self, communes, capsys):
        call_command("generate_demo", "--suppliers", "12", "--seed", "9", verbosity=0)
        assert Supplier.objects.filter(external_id__startswith="demo-9-").count() == 12
        assert "12" in capsys.readouterr().out

    def test_replace_removes_the_previous_demo(self, communes):
        call_command("generate_demo", "--suppliers", "12", "--seed", "9", verbosity=0)
        call_command("generate_demo", "--suppliers", "4", "--seed", "8", "--replace", verbosity=0)
        assert Supplier.objects.filter(external_id__startswith="demo-").count() == 4

    def test_it_refuses_to_run_without_communes(self, db):
        with pytest.raises(CommandError):
            call_command("generate_demo", "--suppliers", "3", verbosity=0)
