"""Hooks for the apps above `leads`: the CRM fills them in at start-up, leads never imports it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a quote request is stored (any channel) or released from quarantine, once its
# transaction commits: `quote_request`.
quote_request_received = Signal()
# Sent after an outcome is declared (won or lost), once its transaction commits: `quote_request`.
quote_request_outcome_declared = Signal()
