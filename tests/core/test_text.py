"""Search-term normalisation: accents, case, stop words, plurals."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from micedesk.core.search import MAX_QUERY_TERMS, query_terms
from micedesk.core.text import document, fold, terms


class TextTestCase:
    def test_it_folds_accents_and_case(self):
        assert fold("Château-Gontier ÉVREUX cœur") == "chateau-gontier evreux coeur"

    def test_it_drops_stop_words(self):
        assert terms("Séminaire au bord de la mer") == terms("séminaire bord mer")

    def test_it_matches_singular_and_plural(self):
        for singular, plural in (
            ("château", "châteaux"),
            ("hôtel", "hôtels"),
            ("salle", "salles"),
            ("room", "rooms"),
        ):
            assert terms(singular) == terms(plural)

    def test_it_builds_a_document_from_parts(self):
        assert document("Hôtel", "", "Caen") == "hotel caen"

    def test_query_terms_are_distinct_and_bounded(self):
        assert query_terms("hôtel hotel HOTELS") == ["hotel"]
        assert len(query_terms(" ".join(f"mot{i}" for i in range(50)))) == MAX_QUERY_TERMS

    @given(st.text())
    def test_terms_are_always_safe_for_both_engines(self, text):
        for term in terms(text):
            assert term.isascii() and term.isalnum()
