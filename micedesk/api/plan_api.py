"""The action plan API (staff): the plan's actions and its synthesis.

Mounted on the API by `micedesk.api.api`, whose error shape and key handling it shares.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["plan"])
