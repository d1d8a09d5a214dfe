"""Settings helpers refuse values that would pass silently."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from micedesk.settings import envbool, envint


class SettingsTestCase:
    def test_envbool_accepts_only_true_and_false(self, monkeypatch):
        monkeypatch.setenv("MICEDESK_FLAG", "True")
        assert envbool("MICEDESK_FLAG", "False") is True
        for bad in ("true", "1", "yes", ""):
            monkeypatch.setenv("MICEDESK_FLAG", bad)
            with pytest.raises(ImproperlyConfigured, match="MICEDESK_FLAG"):
                envbool("MICEDESK_FLAG", "False")

    def test_envint_names_the_bad_variable(self, monkeypatch):
        monkeypatch.setenv("MICEDESK_NUMBER", "ten")
        with pytest.raises(ImproperlyConfigured, match="MICEDESK_NUMBER"):
            envint("MICEDESK_NUMBER", "1")
