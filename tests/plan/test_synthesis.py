"""The loaded plan's synthesis equals the plan's own figures, action by action.

Every figure below is copied from the « Synthèse » of the seed document
(`plan-actions-tourisme-affaires-normandie-2023.txt`, tables « Actions relatives à l'objectif N —
Coût financier estimatif »), in the document's order, as the plan states it: per unit where it
states per unit (one éductour, one establishment supported), for the quantity it names (327 500 €
for 10 establishments, 38 000 € for 3), « Néant » as zero, and no figure as unknown. The totals are
the sums of those figures, worked out by hand; the éductours, listed under objectives 2 and 3,
count once overall.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from micedesk.plan.models import Timing
from micedesk.plan.selectors import plan_synthesis

UNKNOWN = None

# (title as the cost table lists it, low, high); UNKNOWN: the plan gives no figure.
OBJECTIVE_1 = [
    ("Qualifier l'envoi des demandes de devis entrantes", 0, 0),  # Néant (2nd option)
    (
        "Recenser et qualifier les offres via le portail Web Normandie Meetings & Events",
        9000,
        11000,
    ),
    ("Accompagner la professionnalisation des acteurs", 3000, 5000),  # per establishment
    ("Accompagner les procédures de montage des dossiers de candidature", 0, 0),  # Néant
    (
        "Poursuivre le programme d'accompagnement technique et financier de développement de l'offre",
        327500,
        327500,
    ),  # for 10 establishments
    ("Communiquer sur les offres donnant droit à des subventions et des aides", 7000, 9000),
    ("Accompagner les centres de congrès dans leur démarche de certification", 38000, 38000),
]
OBJECTIVE_2 = [
    ("Convier les acteurs MICE régionaux à un temps fort collectif annuel", 10000, 50000),
    ("Organiser un job dating", 10000, 40000),
    ("Programmer des ateliers de travail en groupe", 4000, 4000),  # for 4 half-day meetings
    ("Organiser des éductours en partenariat avec des destinations", 10000, 10000),  # per éductour
    (
        "Proposer des webinaires de présentation des offres normandes à destination des acteurs "
        "régionaux",
        2500,
        5000,
    ),
]
OBJECTIVE_3 = [
    ("Organiser une table ronde pour perfectionner les outils promotionnels", 3000, 7000),
    ("Parfaire le site web Normandie, Meetings & Events", 2000, 6000),
    ("Calculer les retombées des actions engagées", 4000, 4000),
    ("Qualifier la base de données clients Tourinsoft du CRT", 8000, 8000),
    (
        "Assurer une participation à des salons et workshops nationaux en collaboration avec les "
        "partenaires",
        52000,
        52000,
    ),  # Heavent Cannes
    ("Favoriser l'organisation de workshops en région Normandie et en Ile-de-France", 35000, 35000),
    ("Concevoir des supports de communication innovants et adaptés au Web", 2500, 4000),  # a video
    ("Organiser des éductours en partenariat avec des destinations", 10000, 10000),
    ("Concevoir des campagnes promotionnelles thématiques", 10000, 70000),
    ("Poursuivre le programme des « Super Ambassadeurs »", UNKNOWN, UNKNOWN),
]

# The document's lists « Actions à engager en 2023 » / « Actions à mener progressivement sur 3 ans ».
START_2023 = {
    1: ["Qualifier l'envoi des demandes de devis entrantes"],
    2: [
        "Convier les acteurs MICE régionaux à un temps fort collectif annuel",
        "Organiser un job dating",
    ],
    3: [
        "Organiser une table ronde pour perfectionner les outils promotionnels",
        "Parfaire le site web Normandie, Meetings & Events",
        "Calculer les retombées des actions engagées",
        "Qualifier la base de données clients Tourinsoft du CRT",
    ],
}
PROGRESSIVE = {
    1: [title for title, _low, _high in OBJECTIVE_1[1:]],
    2: [title for title, _low, _high in OBJECTIVE_2[2:]],
    3: [title for title, _low, _high in OBJECTIVE_3[4:]],
}

# Sums of the figures above (by hand): objective 1 0+9 000+3 000+0+327 500+7 000+38 000 = 384 500
# and 0+11 000+5 000+0+327 500+9 000+38 000 = 390 500; objective 2 36 500 and 109 000; objective 3
# 126 500 and 196 000 (7 000+6 000+4 000+8 000+52 000+35 000+4 000+10 000+70 000), Super
# Ambassadeurs not counted; overall, the éductours once: 537 500 and 685 500.
TOTALS = {1: (384500, 390500), 2: (36500, 109000), 3: (126500, 196000)}
OVERALL = (537500, 685500)


def _figures(part) -> list[tuple[str, Decimal | None, Decimal | None]]:
    return [
        (
            row.action.title,
            None if row.unknown else row.low,
            None if row.unknown else row.high,
        )
        for row in part.rows
    ]


def _normalise(title: str) -> str:
    """Titles compared on their letters and digits only: the data file writes « Normandie
    Meetings & Events » where one table writes « Normandie, Meetings & Events »."""
    return "".join(char for char in title.casefold() if char.isalnum())


@pytest.fixture
def synthesis(plan, people):
    return plan_synthesis(user=people.staff, plan=plan)


class PlanSynthesisTestCase:
    def test_it_holds_the_plans_21_actions_in_3_objectives(self, synthesis):
        assert synthesis.actions == 21
        assert [part.objective.number for part in synthesis.objectives] == [1, 2, 3]
        assert [len(part.rows) for part in synthesis.objectives] == [7, 5, 10]

    @pytest.mark.parametrize(
        ("number", "expected"), [(1, OBJECTIVE_1), (2, OBJECTIVE_2), (3, OBJECTIVE_3)]
    )
    def test_each_action_costs_what_the_plan_says(self, synthesis, number, expected):
        found = _figures(synthesis.objectives[number - 1])
        assert len(found) == len(expected)
        for want_title, want_low, want_high in expected:
            matching = [row for row in found if _title_matches(row[0], want_title)]
            assert len(matching) == 1, want_title
            _title, low, high = matching[0]
            assert (low, high) == (
                None if want_low is None else Decimal(want_low),
                None if want_high is None else Decimal(want_high),
            ), want_title

    @pytest.mark.parametrize(
        ("number", "expected"), [(1, OBJECTIVE_1), (2, OBJECTIVE_2), (3, OBJECTIVE_3)]
    )
    def test_an_objectives_own_actions_come_in_the_documents_order(
        self, synthesis, number, expected
    ):
        part = synthesis.objectives[number - 1]
        own = [row.action.title for row in part.rows if not row.shared]
        wanted = [title for title, _low, _high in expected]
        wanted = [t for t in wanted if any(_title_matches(o, t) for o in own)]
        assert len(own) == len(wanted)
        for title, want in zip(own, wanted, strict=True):
            assert _title_matches(title, want), (title, want)

    def test_a_shared_action_falls_where_the_document_lists_it(self, synthesis):
        titles = [row.action.title for row in synthesis.objectives[2].rows]
        assert _title_matches(titles[7], OBJECTIVE_3[7][0])

    @pytest.mark.parametrize("number", [1, 2, 3])
    def test_each_objective_totals_what_the_plan_adds_up_to(self, synthesis, number):
        part = synthesis.objectives[number - 1]
        assert (part.low, part.high) == tuple(Decimal(v) for v in TOTALS[number])

    def test_the_overall_total_counts_the_eductours_once(self, synthesis):
        assert (synthesis.low, synthesis.high) == tuple(Decimal(v) for v in OVERALL)
        by_objective = sum((part.low for part in synthesis.objectives), Decimal(0))
        assert by_objective - synthesis.low == Decimal(10000)  # one éductour, listed twice

    def test_the_eductours_are_marked_as_shared_under_objective_3_only(self, synthesis):
        shared = {
            part.objective.number: [row.action.code for row in part.rows if row.shared]
            for part in synthesis.objectives
        }
        assert shared == {1: [], 2: [], 3: ["eductours"]}
        eductours = next(r for r in synthesis.objectives[1].rows if r.action.code == "eductours")
        assert [item.unit for item in eductours.costs] == ["éductour"]

    def test_super_ambassadeurs_is_the_only_unknown(self, synthesis):
        assert [a.code for a in synthesis.unknowns] == ["super-ambassadeurs"]
        assert [a.code for a in synthesis.objectives[2].unknowns] == ["super-ambassadeurs"]
        assert synthesis.objectives[0].unknowns == synthesis.objectives[1].unknowns == []

    def test_neant_is_zero_not_unknown(self, synthesis):
        rows = {row.action.code: row for row in synthesis.objectives[0].rows}
        for code in ("qualifier-demandes-devis", "dossiers-candidature"):
            assert rows[code].unknown is False
            assert (rows[code].low, rows[code].high) == (0, 0)
            assert "Néant" in rows[code].costs[0].wording

    def test_per_unit_figures_are_stated_for_the_plans_quantity(self, synthesis):
        items = {
            item.label: item
            for part in synthesis.objectives
            for row in part.rows
            for item in row.costs
        }
        programme = items["Accompagnement de 10 établissements"]
        assert (programme.amount_low, programme.unit, programme.for_quantity) == (
            327500,
            "établissement",
            10,
        )
        assert programme.cost_for(1) == (Decimal("32750.00"), Decimal("32750.00"))
        training = items["Accompagnement d'un établissement (plan de formation)"]
        assert (training.amount_low, training.amount_high, training.for_quantity) == (3000, 5000, 1)
        assert items["Soutien de 3 établissements"].for_quantity == 3
        workshops = [
            items["Workshop en région Normandie"],
            items["Workshop en Île-de-France organisé par une agence"],
        ]
        assert [w.amount_low for w in workshops] == [10000, 25000]

    @pytest.mark.parametrize("number", [1, 2, 3])
    def test_the_start_and_progressive_lists_follow_the_document(self, synthesis, number):
        part = synthesis.objectives[number - 1]
        assert part.start_years() == [2023]
        assert all(a.timing == Timing.START for a in part.start_actions)
        starts = [a.title for a in part.start_actions]
        progressive = [a.title for a in part.progressive_actions]
        assert len(starts) == len(START_2023[number])
        assert len(progressive) == len(PROGRESSIVE[number])
        for title, want in zip(starts, START_2023[number], strict=True):
            assert _title_matches(title, want), (title, want)
        # The shared éductours: present (where they fall is checked above).
        shared = [a.title for a in part.progressive_actions if a.objective.number != number]
        own = [a.title for a in part.progressive_actions if a.objective.number == number]
        wanted = [t for t in PROGRESSIVE[number] if not any(_title_matches(s, t) for s in shared)]
        for title, want in zip(own, wanted, strict=True):
            assert _title_matches(title, want), (title, want)

    def test_the_plans_own_budget_statement_is_kept_apart(self, synthesis):
        plan = synthesis.plan
        assert plan.stated_min_budget == 130000 and plan.stated_fte == 2
        assert "budget minimal de 130.000 €" in plan.budget_wording
        assert synthesis.low != plan.stated_min_budget

    def test_it_refuses_who_is_not_staff(self, plan, people):
        for who in ("supplier", "partner", "outsider"):
            with pytest.raises(PermissionDenied):
                plan_synthesis(user=getattr(people, who), plan=plan)


def _title_matches(title: str, want: str) -> bool:
    """The synthesis tables shorten some titles (« Organiser un job dating » for the action page's
    « … job dating (reconductible) », « Qualifier la base de données Tourinsoft du CRT » for
    « … données clients Tourinsoft du CRT »): equal, or one starts with the other."""
    title, want = _normalise(title), _normalise(want)
    return title == want or title.startswith(want) or want.startswith(title)
