"""Fixtures of the action plan tests: the Normandy plan loaded from its data file."""

from __future__ import annotations

import pytest

from micedesk.plan.reference import DEFAULT_PLAN_FILE, load_plan


@pytest.fixture
def plan(db):
    """The Normandy 2023–2025 plan, as `make run` loads it."""
    return load_plan(DEFAULT_PLAN_FILE).plan
