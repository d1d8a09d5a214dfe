"""Comparison keys of duplicate detection."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from micedesk.crm.keys import company_key, email_key, person_key


class PersonKeyTestCase:
    def test_it_puts_the_last_name_first_without_case_or_accents(self):
        assert person_key("Jérôme", "DUPONT") == "dupont jerome"

    def test_it_ignores_punctuation_and_spaces(self):
        assert person_key(" Marie-Anne ", "d'Orléans") == person_key("marie anne", "D Orleans")

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=30), st.text(max_size=30))
    def test_it_is_stable_under_case_changes(self, first, last):
        assert person_key(first.upper(), last.upper()) == person_key(first.lower(), last.lower())


class CompanyKeyTestCase:
    def test_it_strips_legal_forms(self):
        assert company_key("Dupont SAS") == company_key("DUPONT") == "dupont"

    def test_it_strips_dotted_legal_forms(self):
        assert company_key("Société Générale, S.A.") == "societe generale"
        assert company_key("S.A.R.L. Les Pommiers") == "les pommiers"

    def test_it_keeps_a_name_that_is_only_a_legal_form(self):
        assert company_key("SAS") == "sas"

    def test_it_folds_accents(self):
        assert company_key("Château de Bénouville") == "chateau de benouville"


class EmailKeyTestCase:
    def test_it_trims_and_lowers(self):
        assert email_key("  Jane.Doe@Example.ORG ") == "jane.doe@example.org"

    def test_it_accepts_nothing(self):
        assert email_key("") == ""
