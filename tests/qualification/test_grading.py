"""The grade computation: score, level, explanation, and its properties under hypothesis."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from micedesk.qualification.grading import CriterionSpec, LevelSpec, grade

LEVELS = [
    LevelSpec(1, True, Decimal("0")),
    LevelSpec(2, True, Decimal("50")),
    LevelSpec(3, True, Decimal("80")),
]


def spec(code: str, **fields: object) -> CriterionSpec:
    return CriterionSpec(code=code, label=code, **fields)


class GradeTestCase:
    def test_it_scores_the_share_of_good_practice_weight_met(self):
        criteria = [spec("a", weight=3), spec("b", weight=1), spec("m", mandatory=True)]
        result = grade(criteria=criteria, values={"a": True, "b": False, "m": True}, levels=LEVELS)
        assert result.score == Decimal("75.00")
        assert result.level == 2

    def test_it_gives_no_level_when_a_mandatory_criterion_is_missed(self):
        criteria = [spec("a"), spec("m", mandatory=True)]
        result = grade(criteria=criteria, values={"a": True, "m": False}, levels=LEVELS)
        assert result.level == 0
        assert [c.code for c in result.missed_mandatory] == ["m"]
        assert result.next_level.level == 1
        assert result.next_level.missing_mandatory == ["m"]

    def test_it_counts_an_unanswered_question_as_not_met(self):
        result = grade(criteria=[spec("a"), spec("b")], values={"a": True}, levels=LEVELS)
        assert result.score == Decimal("50.00")
        check = result.checks[1]
        assert check.met is False and check.gap == "not answered"

    def test_it_leaves_a_measure_without_data_out_of_the_score(self):
        criteria = [
            spec("a"),
            spec("hours", answer_type="measured", comparison="lte", target=Decimal(48), unit="h"),
        ]
        result = grade(criteria=criteria, values={"a": True, "hours": None}, levels=LEVELS)
        assert result.score == Decimal("100.00")
        assert result.checks[1].met is None and result.checks[1].no_data

    def test_it_says_how_far_a_number_is_from_its_target(self):
        criteria = [
            spec("hours", answer_type="measured", comparison="lte", target=Decimal(48), unit="h")
        ]
        result = grade(criteria=criteria, values={"hours": Decimal("72")}, levels=LEVELS)
        check = result.checks[0]
        assert check.met is False
        assert check.gap == "72 h instead of at most 48 h"

    def test_it_meets_a_number_at_least_its_target(self):
        criteria = [spec("wifi", answer_type="number", comparison="gte", target=Decimal(30))]
        assert grade(criteria=criteria, values={"wifi": "30"}, levels=LEVELS).checks[0].met
        assert not grade(criteria=criteria, values={"wifi": "29.9"}, levels=LEVELS).checks[0].met

    def test_it_meets_a_choice_among_the_met_choices(self):
        criteria = [spec("breaks", answer_type="choice", met_choices=("full",))]
        assert grade(criteria=criteria, values={"breaks": "full"}, levels=LEVELS).checks[0].met
        assert not grade(criteria=criteria, values={"breaks": "basic"}, levels=LEVELS).checks[0].met

    def test_it_says_how_many_points_the_next_level_needs(self):
        criteria = [spec(c) for c in "abcd"]
        result = grade(criteria=criteria, values={"a": True, "b": True}, levels=LEVELS)
        assert result.level == 2
        assert result.next_level.level == 3
        assert result.next_level.points_short == Decimal("30.00")

    def test_it_has_no_next_level_at_the_top(self):
        result = grade(criteria=[spec("a")], values={"a": True}, levels=LEVELS)
        assert result.level == 3 and result.next_level is None

    def test_it_serialises_to_json(self):
        result = grade(criteria=[spec("a")], values={"a": False}, levels=LEVELS).as_json()
        assert result["score"] == "0.00"
        assert result["checks"][0]["code"] == "a"
        assert result["next_level"]["level"] == 2


CRITERIA = st.lists(
    st.builds(
        lambda mandatory, weight: (mandatory, weight),
        st.booleans(),
        st.integers(min_value=0, max_value=10),
    ),
    min_size=1,
    max_size=12,
)


def _grid(rows: list[tuple[bool, int]]) -> list[CriterionSpec]:
    return [spec(f"c{i}", mandatory=m, weight=w) for i, (m, w) in enumerate(rows)]


SCORES = st.decimals(min_value=0, max_value=100, places=2)


class GradePropertiesTestCase:
    @settings(max_examples=100, deadline=None)
    @given(rows=CRITERIA, met=st.lists(st.booleans(), min_size=12, max_size=12), data=st.data())
    def test_it_never_lowers_the_level_or_score_when_one_more_criterion_is_met(
        self, rows, met, data
    ):
        criteria = _grid(rows)
        values = {c.code: met[i] for i, c in enumerate(criteria)}
        unmet = [code for code, value in values.items() if not value]
        if not unmet:
            return
        before = grade(criteria=criteria, values=values, levels=LEVELS)
        values[data.draw(st.sampled_from(unmet))] = True
        after = grade(criteria=criteria, values=values, levels=LEVELS)
        assert after.level >= before.level
        assert after.score >= before.score

    @settings(max_examples=100, deadline=None)
    @given(
        rows=CRITERIA,
        met=st.lists(st.booleans(), min_size=12, max_size=12),
        thresholds=st.lists(SCORES, min_size=3, max_size=3),
        raise_by=st.lists(SCORES, min_size=3, max_size=3),
        require=st.lists(st.booleans(), min_size=3, max_size=3),
    )
    def test_it_never_raises_the_level_when_thresholds_rise(
        self, rows, met, thresholds, raise_by, require
    ):
        criteria = _grid(rows)
        values = {c.code: met[i] for i, c in enumerate(criteria)}
        levels = [LevelSpec(n + 1, require[n], thresholds[n]) for n in range(3)]
        harder = [
            LevelSpec(n + 1, True, min(thresholds[n] + raise_by[n], Decimal(100))) for n in range(3)
        ]
        before = grade(criteria=criteria, values=values, levels=levels)
        after = grade(criteria=criteria, values=values, levels=harder)
        assert after.level <= before.level

    @settings(max_examples=100, deadline=None)
    @given(rows=CRITERIA, met=st.lists(st.booleans(), min_size=12, max_size=12))
    def test_it_keeps_the_score_between_0_and_100(self, rows, met):
        criteria = _grid(rows)
        values = {c.code: met[i] for i, c in enumerate(criteria)}
        result = grade(criteria=criteria, values=values, levels=LEVELS)
        assert Decimal(0) <= result.score <= Decimal(100)


class ChoiceWordsTestCase:
    def test_it_explains_a_choice_with_its_labels(self):
        criteria = [
            spec(
                "breaks",
                answer_type="choice",
                met_choices=("full",),
                choice_labels=(("basic", "Coffee"), ("full", "Full break")),
            )
        ]
        check = grade(criteria=criteria, values={"breaks": "basic"}, levels=LEVELS).checks[0]
        assert (check.value, check.gap) == ("Coffee", "one of: Full break")
