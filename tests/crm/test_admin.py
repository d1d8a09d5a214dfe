"""The CRM pages of the Django admin: staff read personal data and manage reference data; nobody
changes a contact or the audit log there; everyone else is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.crm.models import AuditAction, Consent, ConsentWording, Purpose
from micedesk.crm.services import audit_record
from tests.crm import builders

CHANGELISTS = [
    "topic", "bureauaction", "consentwording", "processingactivity", "segment", "company",
    "contact", "interaction", "consent", "importbatch", "auditentry",
]  # fmt: skip
pytestmark = pytest.mark.django_db


def changelist(model: str) -> str:
    return reverse(f"admin:crm_{model}_changelist")


@pytest.fixture
def data(people):
    contact = builders.contact(company=builders.company())
    builders.interaction(contact, action=builders.bureau_action())
    builders.consent(contact)
    audit_record(actor=people.staff, action=AuditAction.VIEW, object_type="contact", object_id=1)
    return contact


class CrmAdminTestCase:
    @pytest.mark.parametrize("model", CHANGELISTS)
    def test_staff_see_the_lists(self, client, people, data, model):
        client.force_login(people.staff)
        assert client.get(changelist(model)).status_code == 200

    @pytest.mark.parametrize("model", ["contact", "auditentry"])
    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_everyone_else_is_sent_to_the_login_page(self, client, people, data, model, who):
        client.force_login(getattr(people, who))
        response = client.get(changelist(model))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    @pytest.mark.parametrize("model", ["contact", "auditentry"])
    def test_personal_data_and_the_log_are_read_only(self, client, people, data, model):
        client.force_login(people.admin)
        assert client.get(reverse(f"admin:crm_{model}_add")).status_code == 403

    def test_a_contact_page_has_no_save_button(self, client, people, data):
        client.force_login(people.admin)
        page = client.get(reverse("admin:crm_contact_change", args=[data.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()

    def test_a_wording_already_shown_cannot_be_edited(self, client, people, data):
        wording = ConsentWording.objects.create(
            purpose=Purpose.MAILING, version=1, text_fr="Texte", effective_from="2024-01-01"
        )
        Consent.objects.update(wording=wording)
        client.force_login(people.staff)
        page = client.get(reverse("admin:crm_consentwording_change", args=[wording.pk]))
        assert 'name="_save"' not in page.content.decode()
