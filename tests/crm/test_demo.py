"""The demo CRM: deterministic, idempotent, flagged, tied to the demo quote requests."""

from __future__ import annotations

import pytest

from micedesk.crm.demo import demo_crm_generate, demo_crm_remove
from micedesk.crm.models import BureauAction, Company, Contact, Interaction, InteractionKind
from micedesk.leads.models import RequestStatus
from tests.crm import builders
from tests.leads.builders import quote_request

pytestmark = pytest.mark.django_db


def demo_request(reference: str, **fields: object):
    request = quote_request(**fields)
    request.reference = reference
    request.save(update_fields=["reference"])
    return request


@pytest.fixture
def demo_requests(people):
    won = demo_request(
        "DEMO-2026-0001",
        email="service-communication@groupe-horizon.example",
        contact_name="Service communication",
        organisation="Groupe Horizon",
        status=RequestStatus.WON,
        won_by=people.hotel,
    )
    routed = demo_request(
        "DEMO-2026-0002",
        email="secretariat@federation-opale.example",
        contact_name="Secrétariat général",
        organisation="Fédération Opale",
    )
    spam = demo_request("DEMO-2026-0003", email="spam@spam.example", status=RequestStatus.REJECTED)
    return won, routed, spam


def snapshot() -> list[tuple]:
    return sorted(
        Contact.objects.filter(is_demo=True).values_list(
            "email", "first_name", "last_name", "source_action__name", "department_code"
        )
    )


class DemoCrmGenerateTestCase:
    def test_it_writes_actions_companies_prospects_and_links_the_requests(self, demo_requests):
        won, routed, _spam = demo_requests
        counts = demo_crm_generate(seed=7, prospects=60)
        assert counts["prospects"] == 60 and counts["requests_linked"] == 2
        assert BureauAction.objects.filter(is_demo=True, kind="trade_show").exists()
        assert BureauAction.objects.filter(
            name__startswith="Campagne « Séminaires au vert »"
        ).exists()
        planner = Contact.objects.get(email=won.email)
        assert planner.is_demo and planner.company.is_demo
        assert planner.last_name == "Service communication"
        held = planner.interactions.get(kind=InteractionKind.EVENT_HELD)
        assert held.supplier == won.won_by
        assert not Contact.objects.filter(email="spam@spam.example").exists()
        kinds = set(Interaction.objects.values_list("kind", flat=True))
        assert {"met", "invited", "quote_request"} <= kinds
        prospect = Contact.objects.filter(is_demo=True, interactions__kind="met").first()
        assert prospect.source_action is not None
        assert prospect.email.endswith(".example")

    def test_a_second_run_gives_the_same_data(self, demo_requests):
        demo_crm_generate(seed=7, prospects=40)
        first = snapshot()
        demo_crm_generate(seed=7, prospects=40)
        assert snapshot() == first
        assert Contact.objects.filter(is_demo=True).count() == len(first)

    def test_real_contacts_are_left_alone(self, demo_requests):
        real = builders.contact(email="real@corp.example")
        demo_crm_generate(seed=7, prospects=20)
        demo_crm_remove()
        assert Contact.objects.filter(pk=real.pk).exists()
        assert not Contact.objects.filter(is_demo=True).exists()
        assert not Company.objects.filter(is_demo=True).exists()
