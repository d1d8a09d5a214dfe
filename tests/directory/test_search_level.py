"""The published qualification level in the supplier search: a filter (that level or better) and a
facet counting, for each level, the suppliers at that level or better; on both database engines."""

from __future__ import annotations

import pytest

from micedesk.directory.models import Status, Supplier
from micedesk.directory.search_index import supplier_index
from micedesk.directory.selectors import SupplierSearch, supplier_search
from micedesk.directory.vocab import QualificationLevel
from tests.factories import SupplierFactory


def level_set(supplier: Supplier, level: int) -> None:
    # Behind the index's back, as qualification services write it: the index must follow.
    Supplier.objects.filter(pk=supplier.pk).update(qualification_level=level)


def names(result) -> list[str]:
    return sorted(supplier.name for supplier in result.results)


def level_counts(result) -> dict[str, int]:
    return {facet.code: facet.count for facet in result.facets["level"]}


@pytest.fixture
def graded(communes):
    """Five published suppliers, one per level and a second unqualified one, and a draft."""
    suppliers = {
        "none": SupplierFactory(name="Gîte Sans Niveau", slug="gite", commune=communes["14118"]),
        "referenced": SupplierFactory(
            name="Manoir Référencé", slug="manoir", commune=communes["14118"]
        ),
        "qualified": SupplierFactory(
            name="Domaine Qualifié", slug="domaine", commune=communes["76540"]
        ),
        "recommended": SupplierFactory(
            name="Château Recommandé", slug="chateau", commune=communes["14220"]
        ),
        "agency": SupplierFactory(
            name="Agence Qualifiée",
            slug="agence",
            kind="service",
            category="caterer",
            commune=communes["14118"],
        ),
        "draft": SupplierFactory(
            name="Brouillon Recommandé", slug="brouillon", status=Status.DRAFT
        ),
    }
    level_set(suppliers["referenced"], QualificationLevel.REFERENCED)
    level_set(suppliers["qualified"], QualificationLevel.QUALIFIED)
    level_set(suppliers["recommended"], QualificationLevel.RECOMMENDED)
    level_set(suppliers["agency"], QualificationLevel.QUALIFIED)
    level_set(suppliers["draft"], QualificationLevel.RECOMMENDED)
    return suppliers


@pytest.mark.django_db
class SearchLevelTestCase:
    def test_it_finds_every_supplier_without_a_level_filter(self, graded):
        assert len(supplier_search(search=SupplierSearch()).results) == 5

    def test_it_finds_the_level_asked_or_better(self, graded):
        qualified = supplier_search(search=SupplierSearch(level=QualificationLevel.QUALIFIED))
        assert names(qualified) == ["Agence Qualifiée", "Château Recommandé", "Domaine Qualifié"]
        assert qualified.count == 3
        referenced = supplier_search(search=SupplierSearch(level=QualificationLevel.REFERENCED))
        assert referenced.count == 4
        recommended = supplier_search(search=SupplierSearch(level=QualificationLevel.RECOMMENDED))
        assert names(recommended) == ["Château Recommandé"]

    def test_it_combines_the_level_with_other_filters(self, graded):
        search = SupplierSearch(level=QualificationLevel.QUALIFIED, kinds=("venue",))
        assert names(supplier_search(search=search)) == ["Château Recommandé", "Domaine Qualifié"]
        search = SupplierSearch(level=QualificationLevel.REFERENCED, departments=("14",))
        assert names(supplier_search(search=search)) == [
            "Agence Qualifiée",
            "Château Recommandé",
            "Manoir Référencé",
        ]

    def test_it_counts_each_level_or_better(self, graded):
        result = supplier_search(search=SupplierSearch())
        assert level_counts(result) == {
            "none": 5,
            "referenced": 4,
            "qualified": 3,
            "recommended": 1,
        }
        assert [facet.code for facet in result.facets["level"]] == [
            "none",
            "referenced",
            "qualified",
            "recommended",
        ]
        assert not any(facet.selected for facet in result.facets["level"])

    def test_the_level_facet_ignores_the_level_filter_but_keeps_the_others(self, graded):
        search = SupplierSearch(level=QualificationLevel.RECOMMENDED, departments=("14",))
        result = supplier_search(search=search)
        assert level_counts(result) == {
            "none": 4,
            "referenced": 3,
            "qualified": 2,
            "recommended": 1,
        }
        assert [f.code for f in result.facets["level"] if f.selected] == ["recommended"]

    def test_the_other_facets_follow_the_level_filter(self, graded):
        result = supplier_search(search=SupplierSearch(level=QualificationLevel.QUALIFIED))
        departments = {facet.code: facet.count for facet in result.facets["department"]}
        assert departments == {"14": 2, "76": 1}
        kinds = {facet.code: facet.count for facet in result.facets["kind"]}
        assert (kinds["venue"], kinds["service"]) == (2, 1)

    def test_drafts_are_counted_only_for_who_may_see_them(self, graded, people):
        search = SupplierSearch(level=QualificationLevel.RECOMMENDED)
        assert names(supplier_search(search=search)) == ["Château Recommandé"]
        staff = supplier_search(search=search, user=people.staff)
        assert names(staff) == ["Brouillon Recommandé", "Château Recommandé"]
        assert level_counts(staff)["recommended"] == 2

    def test_the_index_follows_a_level_withdrawn(self, graded):
        search = SupplierSearch(level=QualificationLevel.RECOMMENDED)
        assert supplier_search(search=search).count == 1
        level_set(graded["recommended"], QualificationLevel.NONE)
        assert supplier_search(search=search).count == 0

    def test_the_index_holds_the_level_as_a_column(self, graded):
        index = supplier_index()
        row = index.rows_of([graded["qualified"].pk])[0]
        assert index.level[row] == QualificationLevel.QUALIFIED
        assert index.level.dtype.itemsize == 1
