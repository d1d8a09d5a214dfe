"""Grids: the default grids, drafts, criteria and levels of a draft, activation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from micedesk.qualification import services
from micedesk.qualification.models import Criterion, Grid, GridLevel, GridVersion, VersionStatus
from tests.qualification import builders

NUMBER = {
    "code": "parking",
    "section_fr": "Accès",
    "label_fr": "Places de parking",
    "answer_type": "number",
    "unit": "places",
    "comparison": "gte",
    "target": Decimal("20"),
    "weight": 1,
}


class DefaultGridsTestCase:
    def test_it_loads_the_four_grids_with_an_active_version(self, db):
        assert services.grids_load_defaults() == 4
        assert set(Grid.objects.values_list("kind", flat=True)) == {
            "venue",
            "agency",
            "service",
            "activity",
        }
        for version in GridVersion.objects.all():
            assert version.status == VersionStatus.ACTIVE
            assert 12 <= version.criteria.count() <= 20
            assert list(version.levels.values_list("level", "min_score")) == [
                (1, Decimal("0")),
                (2, Decimal("50")),
                (3, Decimal("80")),
            ]

    def test_it_loads_twice_without_duplicates(self, db):
        services.grids_load_defaults()
        counts = (GridVersion.objects.count(), Criterion.objects.count())
        assert services.grids_load_defaults() == 0
        assert (GridVersion.objects.count(), Criterion.objects.count()) == counts

    def test_it_leaves_a_grid_that_has_versions_alone(self, db):
        builders.grid_version("venue")
        assert services.grids_load_defaults() == 3
        assert GridVersion.objects.filter(grid__kind="venue").count() == 1

    def test_it_measures_the_48_hour_answer_instead_of_declaring_it(self, db):
        services.grids_load_defaults()
        for grid in Grid.objects.all():
            criterion = grid.versions.get().criteria.get(code="quote_first_answer_hours")
            assert criterion.answer_type == "measured"
            assert criterion.measure == "median_first_answer_hours"
            assert (criterion.comparison, criterion.target) == ("lte", Decimal("48"))

    def test_it_runs_as_a_command(self, db, capsys):
        call_command("load_default_grids")
        call_command("load_default_grids")
        assert Grid.objects.count() == 4
        assert "0 default grid(s) loaded." in capsys.readouterr().out


class DraftTestCase:
    def test_it_copies_the_active_versions_criteria_and_levels(self, people):
        active = builders.grid_version()
        draft = services.grid_version_draft_create(grid=active.grid, user=people.staff)
        assert (draft.number, draft.status, draft.based_on) == (2, VersionStatus.DRAFT, active)
        assert sorted(draft.criteria.values_list("code", flat=True)) == sorted(builders.CRITERIA)
        assert draft.levels.count() == 3

    def test_it_refuses_a_non_staff_user(self, people):
        active = builders.grid_version()
        for user in (people.partner, people.supplier, people.outsider):
            with pytest.raises(PermissionDenied):
                services.grid_version_draft_create(grid=active.grid, user=user)


class CriterionSaveTestCase:
    def test_it_adds_a_criterion_to_a_draft(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        criterion = services.criterion_save(version=draft, user=people.staff, data=NUMBER)
        assert criterion.pk and criterion.position == len(builders.CRITERIA) + 1

    def test_it_changes_a_criterion_of_a_draft(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        criterion = draft.criteria.get(code="wifi_mbps")
        services.criterion_save(
            version=draft, user=people.staff, data={"target": Decimal("50")}, criterion=criterion
        )
        criterion.refresh_from_db()
        assert criterion.target == Decimal("50")

    def test_it_refuses_to_edit_an_active_version(self, people):
        active = builders.grid_version()
        with pytest.raises(ValidationError) as error:
            services.criterion_save(version=active, user=people.staff, data=NUMBER)
        assert error.value.code == "version_not_draft"
        assert not active.criteria.filter(code="parking").exists()

    def test_it_refuses_a_number_without_target(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        with pytest.raises(ValidationError) as error:
            services.criterion_save(
                version=draft, user=people.staff, data={**NUMBER, "target": None}
            )
        assert "target" in error.value.message_dict

    def test_it_refuses_an_unknown_measure(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        data = {**NUMBER, "answer_type": "measured", "measure": "magic"}
        with pytest.raises(ValidationError) as error:
            services.criterion_save(version=draft, user=people.staff, data=data)
        assert "measure" in error.value.message_dict

    def test_it_refuses_a_room_measure_on_an_agency_grid(self, people):
        draft = builders.grid_version("agency", status=VersionStatus.DRAFT)
        data = {**NUMBER, "answer_type": "measured", "measure": "blackout_rooms_share"}
        with pytest.raises(ValidationError):
            services.criterion_save(version=draft, user=people.staff, data=data)

    def test_it_refuses_a_choice_without_met_choices(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        data = {
            **NUMBER,
            "answer_type": "choice",
            "comparison": "",
            "target": None,
            "choices": [{"code": "a"}, {"code": "b"}],
            "met_choices": ["c"],
        }
        with pytest.raises(ValidationError) as error:
            services.criterion_save(version=draft, user=people.staff, data=data)
        assert "met_choices" in error.value.message_dict

    def test_it_refuses_evidence_on_a_declarative_criterion(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        data = {**NUMBER, "evidence": "photo", "verifiable": False}
        with pytest.raises(ValidationError) as error:
            services.criterion_save(version=draft, user=people.staff, data=data)
        assert "evidence" in error.value.message_dict

    def test_it_refuses_a_duplicate_code(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        with pytest.raises(ValidationError):
            services.criterion_save(
                version=draft, user=people.staff, data={**NUMBER, "code": "wifi_mbps"}
            )

    def test_it_refuses_a_non_staff_user(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        with pytest.raises(PermissionDenied):
            services.criterion_save(version=draft, user=people.partner, data=NUMBER)

    def test_it_deletes_a_criterion_of_a_draft_only(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        services.criterion_delete(criterion=draft.criteria.get(code="breaks"), user=people.staff)
        assert not draft.criteria.filter(code="breaks").exists()
        active = builders.grid_version("agency")
        with pytest.raises(ValidationError):
            services.criterion_delete(criterion=active.criteria.first(), user=people.staff)


class GridLevelSaveTestCase:
    def test_it_sets_a_levels_threshold(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        services.grid_level_save(
            version=draft, user=people.staff, level=2, min_score="60", requires_mandatory=True
        )
        assert draft.levels.get(level=2).min_score == Decimal("60")

    def test_it_refuses_a_score_above_100(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT)
        with pytest.raises(ValidationError):
            services.grid_level_save(
                version=draft, user=people.staff, level=2, min_score="120", requires_mandatory=True
            )
        assert draft.levels.get(level=2).min_score == Decimal("50")

    def test_it_refuses_a_level_of_an_active_version(self, people):
        active = builders.grid_version()
        with pytest.raises(ValidationError):
            services.grid_level_save(
                version=active, user=people.staff, level=2, min_score="10", requires_mandatory=True
            )


class ActivateTestCase:
    def test_it_retires_the_previous_active_version(self, people):
        old = builders.grid_version()
        draft = services.grid_version_draft_create(grid=old.grid, user=people.staff)
        services.grid_version_activate(version=draft, user=people.staff)
        old.refresh_from_db()
        draft.refresh_from_db()
        assert (old.status, draft.status) == (VersionStatus.RETIRED, VersionStatus.ACTIVE)
        assert old.retired_at and draft.activated_at

    def test_it_refuses_to_activate_a_version_that_is_not_a_draft(self, people):
        old = builders.grid_version()
        with pytest.raises(ValidationError):
            services.grid_version_activate(version=old, user=people.staff)

    def test_it_refuses_an_empty_draft(self, people):
        draft = builders.grid_version(status=VersionStatus.DRAFT, criteria={"a": {}}, levels=[])
        draft.criteria.all().delete()
        with pytest.raises(ValidationError):
            services.grid_version_activate(version=draft, user=people.staff)

    def test_the_database_refuses_a_second_active_version(self, people):
        old = builders.grid_version()
        with pytest.raises(IntegrityError), transaction.atomic():
            GridVersion.objects.create(grid=old.grid, number=9, status=VersionStatus.ACTIVE)

    def test_it_refuses_a_non_staff_user(self, people):
        old = builders.grid_version()
        draft = services.grid_version_draft_create(grid=old.grid, user=people.staff)
        with pytest.raises(PermissionDenied):
            services.grid_version_activate(version=draft, user=people.partner)
        assert GridLevel.objects.filter(version=draft).count() == 3
