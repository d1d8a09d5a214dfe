"""Fixtures of the operations tests: the leads tests' real SMTP server on loopback."""

from __future__ import annotations

from tests.leads.conftest import smtp_server  # noqa: F401
