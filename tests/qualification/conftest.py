"""Fixtures of the qualification tests: the real SMTP server of the leads tests, English messages."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.leads.conftest import smtp_server  # noqa: F401  (a fixture, used by name)


@pytest.fixture(autouse=True)
def english_messages():
    """The domain tests read messages in the English source wording; the site's default is French."""
    with translation.override("en"):
        yield
