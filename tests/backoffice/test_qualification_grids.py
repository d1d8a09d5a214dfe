"""The grids in the back-office: the home page, a version's page, editing a draft's criteria and
levels, comparing two versions, simulating and activating a draft."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from micedesk.qualification import services
from micedesk.qualification.models import Criterion, GridLevel, GridVersion, VersionStatus
from tests.qualification import builders


@pytest.fixture
def active(people):
    return builders.grid_version("venue")


@pytest.fixture
def draft(people, active):
    return services.grid_version_draft_create(grid=active.grid, user=people.staff)


def version_url(version: GridVersion) -> str:
    return reverse("backoffice:qualification_version", kwargs={"pk": version.pk})


def criterion_data(**changes: object) -> dict[str, object]:
    data = {
        "code": "stage_lights",
        "position": "9",
        "section_fr": "Équipement",
        "section_en": "Equipment",
        "label_fr": "Éclairage de scène",
        "label_en": "Stage lighting",
        "answer_type": "boolean",
        "weight": "2",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class GridsHomeTestCase:
    def test_staff_see_each_grid_with_its_versions_and_the_queue(self, client, people, draft):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:qualification"))
        assert response.status_code == 200
        text = response.text
        assert 'data-grid="venue"' in text
        assert f'data-version="{draft.pk}" data-status="draft"' in text
        assert response.context["queue"] == {
            "submitted": 0,
            "contested": 0,
            "overdue": 0,
            "expiring": 0,
        }

    def test_it_speaks_english_when_asked(self, client, people, active):
        client.force_login(people.staff)
        client.cookies["django_language"] = "en"
        response = client.get(reverse("backoffice:qualification"))
        assert response.status_code == 200
        assert "Evaluations queue" in response.text

    def test_it_counts_the_evaluations_to_review(self, client, people, active):
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        builders.evaluation_filled(evaluation)
        services.evaluation_submit(evaluation=evaluation, user=people.partner)
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:qualification"))
        assert response.context["queue"]["submitted"] == 1

    def test_staff_start_a_draft_copied_from_the_active_version(self, client, people, active):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_draft_new", kwargs={"pk": active.grid.pk})
        response = client.post(url)
        draft = GridVersion.objects.get(grid=active.grid, status=VersionStatus.DRAFT)
        assert response.status_code == 302
        assert response.url == version_url(draft)
        assert draft.criteria.count() == active.criteria.count()


class DefaultGridsTestCase:
    def test_the_default_grids_render_on_every_page(self, client, people):
        services.grids_load_defaults()
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:qualification")).status_code == 200
        for version in GridVersion.objects.all():
            draft = services.grid_version_draft_create(grid=version.grid, user=people.staff)
            assert client.get(version_url(version)).status_code == 200
            for name in ("qualification_simulate", "qualification_activate"):
                url = reverse(f"backoffice:{name}", kwargs={"pk": draft.pk})
                assert client.get(url).status_code == 200
            url = reverse("backoffice:qualification_compare", kwargs={"pk": version.grid.pk})
            assert client.get(url).status_code == 200
            for criterion in version.criteria.all():
                url = reverse("backoffice:qualification_criterion", kwargs={"pk": criterion.pk})
                assert client.get(url).status_code == 200


class VersionPageTestCase:
    def test_it_shows_criteria_by_section_and_the_levels(self, client, people, draft):
        client.force_login(people.staff)
        response = client.get(version_url(draft))
        assert response.status_code == 200
        (section, criteria), *_rest = response.context["sections"]
        assert section == "Section" and len(criteria) == len(builders.CRITERIA)
        assert 'data-criterion="quote_hours"' in response.text
        assert 'data-testid="activate-link"' in response.text
        assert len(response.context["levels"]) == 3

    def test_an_active_version_has_no_editing_links(self, client, people, active):
        client.force_login(people.staff)
        response = client.get(version_url(active))
        assert response.status_code == 200
        assert 'data-testid="criterion-new"' not in response.text
        assert 'data-testid="activate-link"' not in response.text


class CriterionEditTestCase:
    def test_staff_add_a_criterion_to_a_draft(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": draft.pk})
        response = client.post(url, criterion_data())
        assert response.status_code == 302
        criterion = draft.criteria.get(code="stage_lights")
        assert criterion.label_en == "Stage lighting" and criterion.weight == 2

    def test_a_new_criterion_without_an_order_goes_last(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": draft.pk})
        assert client.post(url, criterion_data(position="")).status_code == 302
        assert list(draft.criteria.values_list("code", flat=True))[-1] == "stage_lights"

    def test_staff_add_a_choice_typed_one_a_line(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": draft.pk})
        data = criterion_data(
            answer_type="choice",
            choices="none | Aucune | None\nfull | Complète | Full",
            met_choices="full",
        )
        assert client.post(url, data).status_code == 302
        criterion = draft.criteria.get(code="stage_lights")
        assert [c["code"] for c in criterion.choices] == ["none", "full"]
        assert criterion.choices[1]["label_fr"] == "Complète"
        assert criterion.met_choices == ["full"]

    def test_the_edit_form_shows_the_choices_one_a_line(self, client, people, draft):
        criterion = draft.criteria.get(code="breaks")
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion", kwargs={"pk": criterion.pk})
        form = client.get(url).context["form"]
        assert form["choices"].value() == "basic | Café | Coffee\nfull | Complète | Full"
        assert form["met_choices"].value() == "full"

    def test_it_refuses_a_met_choice_that_is_not_a_choice(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": draft.pk})
        data = criterion_data(answer_type="choice", choices="a | A\nb | B", met_choices="c")
        response = client.post(url, data)
        assert response.status_code == 400
        assert "met_choices" in response.context["form"].errors
        assert not draft.criteria.filter(code="stage_lights").exists()

    def test_it_refuses_a_number_without_a_target(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": draft.pk})
        response = client.post(url, criterion_data(answer_type="number", comparison="gte"))
        assert response.status_code == 400
        assert "target" in response.context["form"].errors
        assert not draft.criteria.filter(code="stage_lights").exists()

    def test_it_refuses_a_code_already_in_the_version(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": draft.pk})
        response = client.post(url, criterion_data(code="wifi_mbps"))
        assert response.status_code == 400
        assert draft.criteria.filter(code="wifi_mbps").count() == 1

    def test_staff_change_a_criterion_of_a_draft(self, client, people, draft):
        criterion = draft.criteria.get(code="wifi_mbps")
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion", kwargs={"pk": criterion.pk})
        assert client.get(url).status_code == 200
        data = criterion_data(
            code="wifi_mbps", answer_type="number", comparison="gte", target="100", unit="Mbit/s"
        )
        response = client.post(url, data)
        assert response.status_code == 302
        criterion.refresh_from_db()
        assert criterion.target == Decimal("100") and criterion.label_fr == "Éclairage de scène"

    def test_it_refuses_to_change_a_criterion_of_an_active_version(self, client, people, active):
        criterion = active.criteria.get(code="named_contact")
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion", kwargs={"pk": criterion.pk})
        response = client.post(url, criterion_data(code="named_contact", label_fr="Autre"))
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
        criterion.refresh_from_db()
        assert criterion.label_fr == "Critère named_contact"

    def test_it_refuses_to_add_a_criterion_to_an_active_version(self, client, people, active):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_new", kwargs={"pk": active.pk})
        response = client.post(url, criterion_data())
        assert response.status_code == 400
        assert not Criterion.objects.filter(code="stage_lights").exists()

    def test_staff_delete_a_criterion_of_a_draft(self, client, people, draft):
        criterion = draft.criteria.get(code="breaks")
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_delete", kwargs={"pk": criterion.pk})
        response = client.post(url)
        assert response.status_code == 302
        assert not draft.criteria.filter(code="breaks").exists()

    def test_it_refuses_to_delete_a_criterion_of_an_active_version(self, client, people, active):
        criterion = active.criteria.get(code="breaks")
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_criterion_delete", kwargs={"pk": criterion.pk})
        response = client.post(url)
        assert response.status_code == 400
        assert 'data-testid="refusal"' in response.text
        assert active.criteria.filter(code="breaks").exists()


def levels_data(scores: tuple[str, str, str], mandatory: tuple[bool, ...] = (True,) * 3) -> dict:
    data: dict[str, str] = {}
    for level, (score, required) in enumerate(zip(scores, mandatory, strict=True), start=1):
        data[f"min_score_{level}"] = score
        if required:
            data[f"requires_mandatory_{level}"] = "on"
    return data


class LevelsEditTestCase:
    def test_staff_set_the_levels_of_a_draft(self, client, people, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_levels", kwargs={"pk": draft.pk})
        assert client.get(url).status_code == 200
        response = client.post(url, levels_data(("10", "60", "90"), (False, True, True)))
        assert response.status_code == 302
        levels = {lv.level: lv for lv in draft.levels.all()}
        assert levels[1].min_score == Decimal("10") and not levels[1].requires_mandatory
        assert levels[3].min_score == Decimal("90") and levels[3].requires_mandatory

    @pytest.mark.parametrize(
        "scores",
        [("60", "50", "90"), ("0", "50", "101"), ("-1", "50", "90"), ("0", "abc", "90")],
    )
    def test_it_refuses_invalid_thresholds_and_keeps_the_levels(
        self, client, people, draft, scores
    ):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_levels", kwargs={"pk": draft.pk})
        response = client.post(url, levels_data(scores))
        assert response.status_code == 400
        assert response.context["form"].errors
        assert sorted(draft.levels.values_list("min_score", flat=True)) == [
            Decimal("0"),
            Decimal("50"),
            Decimal("80"),
        ]

    def test_it_refuses_to_change_the_levels_of_an_active_version(self, client, people, active):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_levels", kwargs={"pk": active.pk})
        response = client.post(url, levels_data(("5", "55", "85")))
        assert response.status_code == 400
        assert not GridLevel.objects.filter(version=active, min_score=Decimal("5")).exists()


class CompareTestCase:
    def test_it_shows_added_removed_and_changed_criteria(self, client, people, active, draft):
        draft.criteria.filter(code="breaks").delete()
        draft.criteria.filter(code="wifi_mbps").update(target=Decimal("100"), weight=3)
        Criterion.objects.create(
            version=draft,
            code="blackout",
            section_fr="Salles",
            label_fr="Occultation",
            answer_type="boolean",
        )
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_compare", kwargs={"pk": active.grid.pk})
        response = client.get(url, {"old": active.pk, "new": draft.pk})
        assert response.status_code == 200
        diff = response.context["diff"]
        assert [c.code for c in diff.added] == ["blackout"]
        assert [c.code for c in diff.removed] == ["breaks"]
        (old, new, changes), *_rest = response.context["changed"]
        assert new.code == "wifi_mbps"
        assert {(str(o), str(n)) for _name, o, n in changes} == {("30.00", "100.00"), ("2", "3")}

    def test_it_opens_on_the_active_version_against_the_newest(self, client, people, active, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_compare", kwargs={"pk": active.grid.pk})
        response = client.get(url)
        assert response.status_code == 200
        assert (response.context["old"], response.context["new"]) == (active, draft)

    @pytest.mark.parametrize("which", ["same", "other_grid", "missing"])
    def test_it_refuses_a_bad_pair(self, client, people, active, draft, which):
        other = builders.grid_version("agency")
        query = {
            "same": {"old": draft.pk, "new": draft.pk},
            "other_grid": {"old": active.pk, "new": other.pk},
            "missing": {"old": active.pk},
        }[which]
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_compare", kwargs={"pk": active.grid.pk})
        response = client.get(url, query)
        assert response.status_code == 400
        assert response.context["form"].errors


@pytest.fixture
def published(people, active):
    return builders.evaluation_published(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )


class SimulateAndActivateTestCase:
    def test_the_simulation_lists_the_suppliers_who_would_change_level(
        self, client, people, published, draft
    ):
        Criterion.objects.create(
            version=draft,
            code="accessibility",
            section_fr="Accueil",
            label_fr="Accessible",
            answer_type="boolean",
            mandatory=True,
        )
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_simulate", kwargs={"pk": draft.pk})
        response = client.get(url)
        assert response.status_code == 200
        assert (response.context["up"], response.context["down"]) == (0, 1)
        assert f'data-supplier="{people.hotel.pk}" data-direction="down"' in response.text
        assert 'data-check="accessibility"' in response.text

    def test_the_confirm_page_shows_the_simulation_first(self, client, people, published, draft):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_activate", kwargs={"pk": draft.pk})
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["simulated"] == 1
        assert 'data-testid="simulation-counts"' in response.text
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT

    def test_activating_retires_the_active_version_and_keeps_levels(
        self, client, people, published, active, draft
    ):
        level = people.hotel.__class__.objects.get(pk=people.hotel.pk).qualification_level
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_activate", kwargs={"pk": draft.pk})
        response = client.post(url)
        assert response.status_code == 302
        draft.refresh_from_db()
        active.refresh_from_db()
        assert (draft.status, active.status) == (VersionStatus.ACTIVE, VersionStatus.RETIRED)
        people.hotel.refresh_from_db()
        assert people.hotel.qualification_level == level

    def test_it_refuses_to_activate_an_active_version(self, client, people, active):
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_activate", kwargs={"pk": active.pk})
        assert 'data-testid="not-draft"' in client.get(url).text
        response = client.post(url)
        assert response.status_code == 400
        active.refresh_from_db()
        assert active.status == VersionStatus.ACTIVE

    def test_it_refuses_to_activate_a_draft_without_levels(self, client, people, active, draft):
        draft.levels.all().delete()
        client.force_login(people.staff)
        url = reverse("backoffice:qualification_activate", kwargs={"pk": draft.pk})
        response = client.post(url)
        assert response.status_code == 400
        assert response.context["refusal"].non_field_errors()
        draft.refresh_from_db()
        assert draft.status == VersionStatus.DRAFT
