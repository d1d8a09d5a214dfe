"""The reads the workspaces show: a member's listings, a partner's territory, the staff's figures.

Each selector is scoped to the acting user: a partner member reads only its territory, a supplier
member only its listings, and the staff-only reads give nothing to anyone else.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone

from micedesk.directory.models import Status, Supplier
from micedesk.directory.selectors import (
    DepartmentFigures,
    directory_figures,
    supplier_status_counts,
    suppliers_for_export,
    suppliers_in_territory,
    suppliers_in_territory_of_member,
    suppliers_of_member_with_hints,
    suppliers_recently_updated,
)
from micedesk.directory.services import supplier_photo_add
from micedesk.directory.vocab import Kind
from micedesk.geo.selectors import partners_of_member
from tests import factories
from tests.extranet.helpers import image_bytes

NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]


def names(suppliers) -> list[str]:
    return [supplier.name for supplier in suppliers]


@pytest.fixture
def territory(people, communes) -> None:
    """A draft in Bayeux (in the Caen bureau's territory), a supplier in Deauville (outside it)."""
    factories.SupplierFactory(
        name="Auberge du Bessin", slug="auberge", commune=communes["14047"], status=Status.DRAFT
    )
    factories.SupplierFactory(name="Villa Côte Fleurie", slug="villa", commune=communes["14220"])


@pytest.fixture
def rouen_member(people):
    """A member of another partner, whose territory is Rouen only."""
    member = factories.UserFactory(email="cb@rouen.example", role="partner")
    factories.partner("Rouen Normandie Convention Bureau", communes=("76540",)).members.add(member)
    return member


class PartnersOfMemberTestCase:
    def test_a_partner_member_gets_the_partners_it_acts_for(self, people, rouen_member):
        assert list(partners_of_member(user=people.partner)) == [people.partner_org]
        assert [p.name for p in partners_of_member(user=rouen_member)] == [
            "Rouen Normandie Convention Bureau"
        ]

    @pytest.mark.parametrize("who", ["staff", "admin", "supplier", "outsider"])
    def test_it_gives_nothing_to_other_roles(self, people, who):
        people.partner_org.members.add(getattr(people, who))
        assert list(partners_of_member(user=getattr(people, who))) == []

    def test_it_gives_nothing_to_an_anonymous_visitor(self, people):
        assert list(partners_of_member(user=AnonymousUser())) == []

    def test_it_gives_nothing_to_a_deactivated_member(self, people):
        people.partner.is_active = False
        people.partner.save()
        assert list(partners_of_member(user=people.partner)) == []


class SuppliersInTerritoryTestCase:
    def test_it_holds_the_territorys_suppliers_drafts_included(self, people, territory):
        found = suppliers_in_territory(partners=[people.partner_org]).order_by("name")
        assert names(found) == ["Auberge du Bessin", "Hôtel de la Plage"]

    def test_it_joins_the_territories_of_several_partners(self, people, territory, rouen_member):
        rouen = partners_of_member(user=rouen_member).get()
        found = suppliers_in_territory(partners=[people.partner_org, rouen]).order_by("name")
        assert names(found) == ["Auberge du Bessin", "Château de la Forêt", "Hôtel de la Plage"]

    def test_it_is_empty_without_partners(self, people, territory):
        assert list(suppliers_in_territory(partners=[])) == []


class SuppliersInTerritoryOfMemberTestCase:
    def test_a_partner_member_reads_only_its_territory(self, people, territory):
        found = suppliers_in_territory_of_member(user=people.partner)
        assert names(found) == ["Auberge du Bessin", "Hôtel de la Plage"]

    def test_a_member_of_another_partner_reads_only_its_own(self, people, territory, rouen_member):
        assert names(suppliers_in_territory_of_member(user=rouen_member)) == ["Château de la Forêt"]

    def test_it_narrows_by_text(self, people, territory):
        assert names(suppliers_in_territory_of_member(user=people.partner, q="auberge")) == [
            "Auberge du Bessin"
        ]
        assert names(suppliers_in_territory_of_member(user=people.partner, q="villa")) == []

    @pytest.mark.parametrize("who", ["staff", "admin", "supplier", "outsider"])
    def test_it_gives_nothing_to_other_roles(self, people, territory, who):
        assert list(suppliers_in_territory_of_member(user=getattr(people, who))) == []

    def test_it_gives_nothing_to_an_anonymous_visitor(self, people, territory):
        assert list(suppliers_in_territory_of_member(user=AnonymousUser())) == []


class SupplierStatusCountsTestCase:
    def test_it_counts_published_and_draft_suppliers(self, people, territory):
        queryset = suppliers_in_territory(partners=[people.partner_org])
        assert supplier_status_counts(queryset=queryset) == {"published": 1, "draft": 1}

    def test_it_counts_in_one_query(self, people, territory, django_assert_num_queries):
        with django_assert_num_queries(1):
            supplier_status_counts(queryset=Supplier.objects.all())

    def test_it_counts_zero_for_an_empty_set(self, people):
        counts = supplier_status_counts(queryset=Supplier.objects.filter(name="nothing"))
        assert counts == {"published": 0, "draft": 0}


class SuppliersOfMemberWithHintsTestCase:
    def test_a_supplier_member_gets_only_its_listings(self, people, territory):
        assert list(suppliers_of_member_with_hints(user=people.supplier)) == [people.hotel]
        assert list(suppliers_of_member_with_hints(user=people.other_supplier)) == [
            people.other_hotel
        ]

    def test_it_counts_each_listings_photos(self, people, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        for index in range(2):
            image = ContentFile(image_bytes("PNG"), name=f"{index}.png")
            supplier_photo_add(supplier=people.hotel, image=image)
        [listing] = suppliers_of_member_with_hints(user=people.supplier)
        assert listing.photo_count == 2

    @pytest.mark.parametrize("who", ["staff", "admin", "partner", "outsider"])
    def test_it_gives_nothing_to_other_roles(self, people, who):
        assert list(suppliers_of_member_with_hints(user=getattr(people, who))) == []

    def test_it_gives_nothing_to_an_anonymous_visitor(self, people):
        assert list(suppliers_of_member_with_hints(user=AnonymousUser())) == []


class DirectoryFiguresTestCase:
    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_staff_get_counts_by_department_kind_and_status(self, people, territory, who):
        figures = directory_figures(user=getattr(people, who))
        assert [(row.code, row.name) for row in figures] == [
            ("14", "Calvados"),
            ("76", "Seine-Maritime"),
        ]
        calvados = figures[0]
        assert calvados.published == {Kind.VENUE: 2} and calvados.draft == {Kind.VENUE: 1}
        assert (calvados.published_total, calvados.draft_total) == (2, 1)
        assert calvados.cells()[Kind.values.index(Kind.VENUE)] == (2, 1)

    def test_it_reads_in_two_queries(self, people, territory, django_assert_num_queries):
        with django_assert_num_queries(2):
            directory_figures(user=people.staff)

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_gives_nothing_to_anyone_but_staff(self, people, territory, who):
        assert directory_figures(user=getattr(people, who)) == []

    def test_it_gives_nothing_to_an_anonymous_visitor(self, people):
        assert directory_figures(user=AnonymousUser()) == []

    def test_a_department_without_suppliers_has_no_row(self, people):
        figures = directory_figures(user=people.staff)
        assert all(isinstance(row, DepartmentFigures) for row in figures)
        assert [row.code for row in figures] == ["14", "76"]


class SuppliersRecentlyUpdatedTestCase:
    @pytest.fixture
    def dated(self, people, territory) -> None:
        """Distinct update times, the draft most recent, so that the order is certain."""
        start = timezone.now() - datetime.timedelta(days=10)
        order = [
            "Hôtel de la Plage",
            "Château de la Forêt",
            "Villa Côte Fleurie",
            "Auberge du Bessin",
        ]
        for days, name in enumerate(order):
            updated = start + datetime.timedelta(days=days)
            Supplier.objects.filter(name=name).update(updated_at=updated)

    def test_staff_get_the_latest_changes_first_drafts_included(self, people, dated):
        assert names(suppliers_recently_updated(user=people.staff, limit=3)) == [
            "Auberge du Bessin",
            "Villa Côte Fleurie",
            "Château de la Forêt",
        ]

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_gives_nothing_to_anyone_but_staff(self, people, dated, who):
        assert list(suppliers_recently_updated(user=getattr(people, who))) == []

    def test_it_gives_nothing_to_an_anonymous_visitor(self, people, dated):
        assert list(suppliers_recently_updated(user=AnonymousUser())) == []


class SuppliersForExportTestCase:
    def test_staff_get_every_supplier_drafts_included(self, people, territory):
        assert names(suppliers_for_export(user=people.admin)) == [
            "Auberge du Bessin",
            "Château de la Forêt",
            "Hôtel de la Plage",
            "Villa Côte Fleurie",
        ]

    def test_it_narrows_by_status_department_and_kind(self, people, territory):
        staff = people.staff
        drafts = suppliers_for_export(user=staff, status=Status.DRAFT)
        assert names(drafts) == ["Auberge du Bessin"]
        assert names(suppliers_for_export(user=staff, department="76")) == ["Château de la Forêt"]
        both = suppliers_for_export(user=staff, status=Status.PUBLISHED, department="14")
        assert names(both) == ["Hôtel de la Plage", "Villa Côte Fleurie"]
        assert list(suppliers_for_export(user=staff, kind=Kind.AGENCY)) == []

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_gives_nothing_to_anyone_but_staff(self, people, territory, who):
        assert list(suppliers_for_export(user=getattr(people, who))) == []

    def test_it_gives_nothing_to_a_deactivated_staff_member(self, people, territory):
        people.staff.is_active = False
        people.staff.save()
        assert list(suppliers_for_export(user=people.staff)) == []
