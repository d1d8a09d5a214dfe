"""The in-process search index: rebuilt whenever the directory changes, in any process."""

from __future__ import annotations

from micedesk.directory.models import DirectoryVersion, Status, Supplier
from micedesk.directory.search_index import directory_version, supplier_index
from micedesk.directory.selectors import SupplierSearch, supplier_search
from micedesk.directory.services import supplier_publish
from tests.factories import SupplierFactory


def names(result):
    return sorted(supplier.name for supplier in result.results)


class SearchIndexTestCase:
    def test_every_write_to_suppliers_moves_the_version(self, people):
        before = directory_version()
        Supplier.objects.filter(pk=people.hotel.pk).update(bedrooms=12)  # even a bulk update
        after_update = directory_version()
        Supplier.objects.filter(pk=people.other_hotel.pk).delete()
        assert len({before, after_update, directory_version()}) == 3

    def test_the_index_follows_a_change_made_behind_its_back(self, people):
        assert "Hôtel de la Plage" in names(supplier_search(search=SupplierSearch(q="plage")))
        Supplier.objects.filter(pk=people.hotel.pk).update(status=Status.DRAFT)
        assert names(supplier_search(search=SupplierSearch(q="plage"))) == []

    def test_it_rebuilds_when_the_version_row_is_missing(self, people):
        supplier_index()
        DirectoryVersion.objects.all().delete()
        SupplierFactory(name="Manoir du Test", slug="manoir-du-test")
        DirectoryVersion.objects.all().delete()
        assert names(supplier_search(search=SupplierSearch(q="manoir"))) == ["Manoir du Test"]

    def test_drafts_are_seen_by_staff_and_their_own_members_only(self, people):
        draft = SupplierFactory(
            name="Domaine Brouillon", slug="domaine-brouillon", status=Status.DRAFT
        )
        draft.members.add(people.supplier)
        query = SupplierSearch(q="brouillon")
        assert names(supplier_search(search=query)) == []
        assert names(supplier_search(search=query, user=people.outsider)) == []
        assert names(supplier_search(search=query, user=people.other_supplier)) == []
        assert names(supplier_search(search=query, user=people.partner)) == []
        assert names(supplier_search(search=query, user=people.staff)) == ["Domaine Brouillon"]
        assert names(supplier_search(search=query, user=people.supplier)) == ["Domaine Brouillon"]
        supplier_publish(supplier=draft)
        assert names(supplier_search(search=query)) == ["Domaine Brouillon"]

    def test_relevance_puts_name_matches_first(self, people):
        SupplierFactory(
            name="Traiteur Normand",
            slug="traiteur",
            category="caterer",
            kind="service",
            description_fr="Buffets servis au château.",
        )
        SupplierFactory(
            name="Château de Canon",
            slug="chateau-canon",
            category="unusual_venue",
            description_fr="Demeure.",
        )
        result = supplier_search(search=SupplierSearch(q="château", sort="relevance"))
        assert [s.name for s in result.results][:2] == ["Château de Canon", "Château de la Forêt"]
        assert result.results[-1].name == "Traiteur Normand"
