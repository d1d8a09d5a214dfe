"""The published qualification level in matching: a score factor (a qualified venue ranks above an
otherwise equal one) that the explanation states, never a hard constraint."""

from __future__ import annotations

import pytest

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import QualificationLevel
from micedesk.leads import matching
from micedesk.leads.matching import match_explanation, quote_request_match, reason_text
from micedesk.leads.models import Match
from tests.leads.conftest import quote_request_make, venue_make


def level_set(supplier: Supplier, level: int) -> Supplier:
    Supplier.objects.filter(pk=supplier.pk).update(qualification_level=level)
    supplier.refresh_from_db()
    return supplier


def eligible_ids(matches: list[Match]) -> list[int]:
    return [match.supplier_id for match in matches if match.eligible]


def by_supplier(matches: list[Match]) -> dict[int, Match]:
    return {match.supplier_id: match for match in matches}


@pytest.mark.django_db
class MatchingLevelTestCase:
    def test_a_qualified_venue_ranks_above_an_otherwise_equal_one(self, communes):
        plain = venue_make()
        qualified = level_set(venue_make(), QualificationLevel.QUALIFIED)
        # Several requests: equal scores are ordered differently from one request to the next,
        # so the order below is the level's doing, not a tie-break.
        for _attempt in range(6):
            matches = quote_request_match(quote_request=quote_request_make())
            assert eligible_ids(matches) == [qualified.pk, plain.pk]
            assert matches[0].score > matches[1].score

    def test_a_higher_level_ranks_higher(self, communes):
        venues = [level_set(venue_make(), level) for level in reversed(QualificationLevel.values)]
        matches = quote_request_match(quote_request=quote_request_make())
        assert eligible_ids(matches) == [venue.pk for venue in venues]

    def test_it_is_no_hard_constraint(self, communes):
        plain = venue_make()
        matches = quote_request_match(quote_request=quote_request_make())
        assert eligible_ids(matches) == [plain.pk]
        assert "qualification" not in [reason["code"] for reason in matches[0].reasons]

    def test_it_does_not_outweigh_a_room_that_fits(self, communes):
        hall = level_set(venue_make(capacities={"theatre": 1000}), QualificationLevel.RECOMMENDED)
        fits = venue_make(capacities={"theatre": 30})
        matches = quote_request_match(quote_request=quote_request_make(participants=20))
        assert eligible_ids(matches) == [fits.pk, hall.pk]

    def test_it_gives_the_level_as_a_reason(self, communes):
        qualified = level_set(venue_make(), QualificationLevel.QUALIFIED)
        [match] = quote_request_match(quote_request=quote_request_make())
        assert {"code": "qualification", "params": {"level": "qualified"}} in match.reasons
        explanation = match_explanation(reasons=match.reasons, language="en")
        assert "qualified by the bureau's grid" in explanation
        assert match.supplier_id == qualified.pk

    def test_a_rejected_venue_is_not_praised_for_its_level(self, communes):
        small = level_set(venue_make(capacities={"theatre": 10}), QualificationLevel.RECOMMENDED)
        [match] = quote_request_match(quote_request=quote_request_make())
        assert (match.supplier_id, match.eligible) == (small.pk, False)
        assert match_explanation(reasons=match.reasons, language="en") == (
            "rejected: no room in theatre style ≥ 40"
        )

    def test_the_preselection_on_the_index_counts_the_level(self, communes, monkeypatch):
        monkeypatch.setattr(matching, "PRESELECT", 2)
        for _number in range(5):
            venue_make()
        recommended = level_set(venue_make(), QualificationLevel.RECOMMENDED)
        matches = quote_request_match(quote_request=quote_request_make())
        assert eligible_ids(matches)[0] == recommended.pk


class QualificationReasonTextTestCase:
    @pytest.mark.parametrize(
        ("level", "text"),
        [
            ("referenced", "referenced by the bureau's grid"),
            ("qualified", "qualified by the bureau's grid"),
            ("recommended", "recommended by the bureau's grid"),
        ],
    )
    def test_it_says_each_level(self, level, text):
        reason = {"code": "qualification", "params": {"level": level}}
        assert match_explanation(reasons=[reason], language="en") == text

    @pytest.mark.parametrize("params", [{}, {"level": "gold"}, {"level": ["qualified"]}, None])
    def test_a_stored_reason_it_cannot_read_shows_its_code(self, params):
        assert reason_text({"code": "qualification", "params": params}) == "qualification"
