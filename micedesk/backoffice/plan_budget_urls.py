"""Back-office URLs of the action plan."""

from __future__ import annotations

urlpatterns: list = []
