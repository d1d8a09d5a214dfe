"""The demo events: every kind, linked to the demo CRM's actions, costs after the plan, useful
contacts to measure; deterministic, idempotent and flagged."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from micedesk.crm.demo import demo_crm_generate
from micedesk.crm.models import BureauAction
from micedesk.leads.models import RequestStatus
from micedesk.operations.demo import demo_operations_generate, demo_operations_remove
from micedesk.operations.models import (
    EVENT_KINDS,
    BureauEvent,
    CampaignVisit,
    CostLine,
    EventParticipant,
    EventStatus,
    PartnerSurvey,
)
from micedesk.operations.returns import returns_for_events
from tests import factories
from tests.leads.builders import quote_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ground(people):
    for number in range(12):
        factories.SupplierFactory(external_id=f"demo-7-{number}")
    now = timezone.now()
    for number in range(30):
        request = quote_request(
            email=f"planner{number}@demo-company.example",
            contact_name=f"Service {number}",
            organisation=f"Demo company {number}",
            status=RequestStatus.WON,
            won_by=people.hotel,
            created_at=now - datetime.timedelta(days=10 + 11 * number),
            participants=20 + number,
        )
        request.reference = f"DEMO-2026-{number:04d}"
        request.save(update_fields=["reference"])
    demo_crm_generate(seed=7, prospects=40)


def snapshot() -> list[tuple]:
    return sorted(
        BureauEvent.objects.filter(is_demo=True).values_list(
            "name", "status", "starts_on", "action__name"
        )
    )


class DemoOperationsTestCase:
    def test_it_writes_every_kind_with_costs_participants_and_returns(self, demo_ground):
        counts = demo_operations_generate(seed=7)
        events = BureauEvent.objects.filter(is_demo=True)
        assert counts["events"] == events.count()
        assert {kind for kind, _label in EVENT_KINDS} == set(events.values_list("kind", flat=True))
        assert not BureauAction.objects.filter(is_demo=True, event__isnull=True).exists()
        heavent = events.filter(name__startswith="Heavent Meetings Cannes").first()
        budget = sum(line.budget for line in CostLine.objects.filter(event=heavent))
        assert 45000 < budget < 65000  # the plan's 52,000 €, give or take, plus staff time
        assert EventParticipant.objects.filter(event__kind="webinar", role="presenter").exists()
        assert PartnerSurvey.objects.filter(answered_at__isnull=False).exists()
        assert CampaignVisit.objects.exists()
        assert events.filter(campaign_slug__startswith="seminaires-au-vert").exists()
        assert events.filter(status=EventStatus.CLOSED).exists()
        results = returns_for_events(list(events.exclude(status="cancelled")))
        useful = [item for item in results if item.useful_contacts > 0]
        assert useful, "some events bring useful contacts"
        assert len(useful) < len(results), "and some bring none"

    def test_it_is_deterministic_and_idempotent(self, demo_ground):
        demo_operations_generate(seed=7)
        first = snapshot()
        demo_operations_generate(seed=7)
        assert snapshot() == first
        assert BureauAction.objects.filter(is_demo=True).count() == len(first)

    def test_it_removes_what_it_wrote(self, demo_ground):
        demo_operations_generate(seed=7)
        demo_operations_remove()
        assert not BureauEvent.objects.exists()
        from micedesk.crm.models import Interaction

        assert not Interaction.objects.filter(details__demo_operations=True).exists()
