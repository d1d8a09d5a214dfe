"""The contacts of the CRM in the back-office: the list and its filters, a contact's page with its
timeline, attribution and legal bases, creating and editing, adding to the timeline, consents."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.crm.models import (
    AuditEntry,
    Company,
    Consent,
    Contact,
    Interaction,
    InteractionKind,
    LegalBasis,
    Purpose,
)
from tests.crm import builders
from tests.leads import builders as lead_builders

CONTACTS = reverse("backoffice:contacts")
NEW = reverse("backoffice:contact_new")


def page_of(contact: Contact) -> str:
    return reverse("backoffice:contact", kwargs={"pk": contact.pk})


def listed(response) -> list[int]:
    return [contact.pk for contact in response.context["window"].items]


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


class ContactListTestCase:
    def test_it_lists_contacts_without_the_anonymised(self, staff_client):
        kept = builders.contact("Alice", "Martin")
        builders.contact("Gone", "Person", anonymised_at=timezone.now())
        response = staff_client.get(CONTACTS)
        assert response.status_code == 200
        assert listed(response) == [kept.pk]

    def test_it_searches_names_without_accents_or_case(self, staff_client):
        found = builders.contact("Hélène", "Lefèvre")
        builders.contact("Paul", "Durand")
        response = staff_client.get(CONTACTS, {"q": "helene LEFEVRE"})
        assert listed(response) == [found.pk]

    def test_it_filters_by_kind_department_topic_source_and_consent(self, staff_client):
        seminars = builders.topic()
        show = builders.bureau_action("Salon Heavent")
        wanted = builders.contact(
            kind="prescriber",
            department_code="14",
            topics=[seminars],
            source_action=show,
        )
        builders.consent(wanted, Purpose.MAILING)
        builders.contact(kind="prescriber", department_code="14", topics=[seminars])
        builders.contact(department_code="14")
        response = staff_client.get(
            CONTACTS,
            {
                "kind": "prescriber",
                "department": "14",
                "topic": seminars.code,
                "source_action": show.pk,
                "consent": Purpose.MAILING,
            },
        )
        assert response.status_code == 200
        assert listed(response) == [wanted.pk]

    @pytest.mark.parametrize("field, value", [("country", "F1"), ("department", "1000")])
    def test_it_refuses_a_bad_code(self, staff_client, field, value):
        response = staff_client.get(CONTACTS, {field: value})
        assert response.status_code == 400
        assert field in response.context["form"].errors

    def test_it_filters_on_a_department_outside_the_region(self, staff_client):
        paris = builders.contact(department_code="75")
        builders.contact(department_code="14")
        assert listed(staff_client.get(CONTACTS, {"department": "75"})) == [paris.pk]

    def test_it_pages_without_counting(self, staff_client):
        for number in range(55):
            builders.contact(last_name=f"Name{number:03d}")
        first = staff_client.get(CONTACTS)
        assert len(listed(first)) == 50
        assert first.context["window"].has_next
        second = staff_client.get(CONTACTS, {"page": 2})
        assert len(listed(second)) == 5
        assert not second.context["window"].has_next
        assert staff_client.get(CONTACTS, {"page": "nonsense"}).status_code == 200


class ContactPageTestCase:
    def test_it_shows_the_timeline_with_requests_actions_and_suppliers(self, staff_client, people):
        contact = builders.contact()
        show = builders.bureau_action("Salon des seminaires")
        request = lead_builders.quote_request(email=contact.email)
        builders.interaction(contact, InteractionKind.MET, action=show)
        builders.interaction(
            contact, InteractionKind.EVENT_HELD, quote_request=request, supplier=people.hotel
        )
        response = staff_client.get(page_of(contact))
        assert response.status_code == 200
        assert len(response.context["timeline"]) == 2
        assert reverse("backoffice:request", kwargs={"pk": request.pk}) in response.text
        assert people.hotel.name in response.text
        assert response.context["attribution"].first_touch.action == show

    def test_it_shows_the_legal_bases_in_force_with_their_proof(self, staff_client):
        contact = builders.contact()
        builders.consent(contact, Purpose.MAILING, proof="web form 2024-03")
        builders.consent(contact, Purpose.INVITATIONS, granted=False)
        response = staff_client.get(page_of(contact))
        consents = {purpose: consent for purpose, _label, consent in response.context["consents"]}
        assert consents[Purpose.MAILING].proof == "web form 2024-03"
        assert consents[Purpose.INVITATIONS].granted is False
        assert consents[Purpose.FOLLOW_UP] is None
        assert 'data-purpose="mailing" data-granted="yes"' in response.text

    def test_it_logs_each_view_in_the_audit_log(self, staff_client, people):
        contact = builders.contact()
        staff_client.get(page_of(contact))
        entry = AuditEntry.objects.get(object_type="contact", object_id=contact.pk)
        assert entry.action == "view"
        assert entry.actor == people.staff

    def test_it_lists_possible_duplicates_when_asked(self, staff_client):
        contact = builders.contact("Jean", "Dupont")
        twin = builders.contact("Jean", "Dupont")
        assert staff_client.get(page_of(contact)).context["duplicates"] is None
        response = staff_client.get(page_of(contact), {"duplicates": "1"})
        assert [pair.b.pk for pair in response.context["duplicates"]] == [twin.pk]
        assert f"?other={twin.pk}" in response.text

    def test_it_answers_404_for_an_unknown_or_anonymised_contact(self, staff_client):
        gone = builders.contact(anonymised_at=timezone.now())
        assert staff_client.get(page_of(gone)).status_code == 404
        assert (
            staff_client.get(reverse("backoffice:contact", kwargs={"pk": 999999})).status_code
            == 404
        )


class ContactCreateTestCase:
    def valid(self, **fields: object) -> dict:
        data = {
            "first_name": "Claire",
            "last_name": "Moreau",
            "email": "Claire.Moreau@Agency.example",
            "kind": "planner",
            "language": "fr",
            "country": "fr",
            "company_name": "Agence Horizon SAS",
        }
        data.update(fields)
        return data

    def test_it_creates_a_contact_with_its_company_and_first_touch(self, staff_client):
        show = builders.bureau_action("Salon Heavent")
        seminars = builders.topic()
        existing = builders.company("Agence Horizon")
        response = staff_client.post(NEW, self.valid(source_action=show.pk, topics=[seminars.pk]))
        contact = Contact.objects.get()
        assert response.status_code == 302
        assert response.url == page_of(contact)
        assert contact.email == "claire.moreau@agency.example"
        assert contact.country == "FR"
        assert contact.company == existing
        assert contact.source_action == show
        assert list(contact.topics.all()) == [seminars]

    def test_it_creates_the_company_when_there_is_none(self, staff_client):
        staff_client.post(NEW, self.valid(company_name="Nouvelle société"))
        assert Contact.objects.get().company.name == "Nouvelle société"

    def test_it_takes_departments_outside_the_region(self, staff_client):
        staff_client.post(NEW, self.valid(department_code="2a", language="it"))
        contact = Contact.objects.get()
        assert (contact.department_code, contact.language) == ("2A", "it")

    @pytest.mark.parametrize(
        "field, value",
        [
            ("email", "not-an-address"),
            ("last_name", ""),
            ("country", "FRA"),
            ("kind", "boss"),
            ("department_code", "7"),
            ("department_code", "ABC"),
            ("language", "xx"),
        ],
    )
    def test_it_refuses_bad_input_and_saves_nothing(self, staff_client, field, value):
        response = staff_client.post(NEW, self.valid(**{field: value}))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not Contact.objects.exists()

    def test_it_refuses_an_address_already_in_the_base(self, staff_client):
        builders.contact(email="claire.moreau@agency.example")
        response = staff_client.post(NEW, self.valid(company_name="Brand new company"))
        assert response.status_code == 400
        assert response.context["form"].errors
        assert Contact.objects.count() == 1
        assert not Company.objects.filter(name="Brand new company").exists()

    def test_it_refuses_an_empty_post(self, staff_client):
        response = staff_client.post(NEW, {})
        assert response.status_code == 400
        assert "last_name" in response.context["form"].errors

    def test_it_shows_the_empty_form(self, staff_client):
        assert staff_client.get(NEW).status_code == 200


class ContactEditTestCase:
    def test_it_saves_changes_and_logs_the_fields(self, staff_client):
        contact = builders.contact("Paul", "Durand", phone="")
        url = reverse("backoffice:contact_edit", kwargs={"pk": contact.pk})
        assert staff_client.get(url).status_code == 200
        data = {
            "first_name": "Paul",
            "last_name": "Durand",
            "email": contact.email,
            "phone": "+33 2 31 00 00 01",
            "kind": "planner",
            "language": "fr",
            "country": "FR",
            "department_code": "14",
        }
        response = staff_client.post(url, data)
        assert response.status_code == 302
        contact.refresh_from_db()
        assert contact.phone == "+33 2 31 00 00 01"
        change = AuditEntry.objects.get(action="change", object_id=contact.pk)
        assert "phone" in change.details["fields"]
        assert "+33" not in str(change.details)

    def test_it_refuses_a_bad_address_and_changes_nothing(self, staff_client):
        contact = builders.contact("Paul", "Durand")
        url = reverse("backoffice:contact_edit", kwargs={"pk": contact.pk})
        data = {"first_name": "Pierre", "last_name": "Durand", "email": "nope", "kind": "planner"}
        response = staff_client.post(url, data | {"language": "fr"})
        assert response.status_code == 400
        contact.refresh_from_db()
        assert contact.first_name == "Paul"


class InteractionAddTestCase:
    def url(self, contact: Contact) -> str:
        return reverse("backoffice:contact_interaction_add", kwargs={"pk": contact.pk})

    def data(self, **fields: object) -> dict:
        when = timezone.localtime() - datetime.timedelta(hours=1)
        values = {"kind": "call", "occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "summary": "Rang"}
        values.update(fields)
        return values

    def test_it_adds_a_call_and_answers_htmx_with_the_timeline(self, staff_client, people):
        contact = builders.contact()
        response = staff_client.post(self.url(contact), self.data(), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert 'id="timeline"' in response.text
        item = Interaction.objects.get(contact=contact)
        assert (item.kind, item.author, item.summary) == ("call", people.staff, "Rang")
        assert "<html" not in response.text
        change = AuditEntry.objects.get(action="change", object_id=contact.pk)
        assert change.details == {"interaction": item.pk, "kind": "call"}

    def test_it_redirects_without_htmx(self, staff_client):
        contact = builders.contact()
        response = staff_client.post(self.url(contact), self.data())
        assert response.status_code == 302
        assert Interaction.objects.filter(contact=contact).count() == 1

    def test_a_meeting_at_an_action_becomes_the_first_touch(self, staff_client):
        contact = builders.contact()
        show = builders.bureau_action("Workshop Caen")
        staff_client.post(self.url(contact), self.data(kind="met", action=show.pk))
        contact.refresh_from_db()
        assert contact.source_action == show

    def test_it_offers_only_recent_and_coming_actions(self, staff_client):
        contact = builders.contact()
        today = timezone.localdate()
        old = builders.bureau_action("Old show", starts_on=today - datetime.timedelta(days=900))
        coming = builders.bureau_action(
            "Coming show", starts_on=today + datetime.timedelta(days=30)
        )
        response = staff_client.get(page_of(contact))
        offered = list(response.context["interaction_form"].fields["action"].queryset)
        assert offered == [coming]
        refused = staff_client.post(self.url(contact), self.data(kind="met", action=old.pk))
        assert refused.status_code == 400
        assert not Interaction.objects.filter(contact=contact).exists()

    @pytest.mark.parametrize(
        "fields",
        [
            {"kind": "met"},  # met, but where?
            {"kind": "quote_request"},  # not a kind staff add by hand
            {"occurred_at": "2999-01-01T10:00"},
            {"occurred_at": "yesterday"},
            {"summary": ""},
        ],
    )
    def test_it_refuses_bad_input_and_adds_nothing(self, staff_client, fields):
        contact = builders.contact()
        response = staff_client.post(self.url(contact), self.data(**fields), HTTP_HX_REQUEST="true")
        assert response.status_code == 400
        assert 'data-testid="interaction-errors"' in response.text
        assert not Interaction.objects.filter(contact=contact).exists()

    def test_it_shows_the_whole_page_again_without_htmx(self, staff_client):
        contact = builders.contact()
        response = staff_client.post(self.url(contact), self.data(summary=""))
        assert response.status_code == 400
        assert "<html" in response.text


class ConsentTestCase:
    def url(self, contact: Contact) -> str:
        return reverse("backoffice:contact_consent", kwargs={"pk": contact.pk})

    def test_it_records_a_consent_with_its_proof(self, staff_client, people):
        contact = builders.contact()
        data = {
            "purpose": Purpose.MAILING,
            "decision": "grant",
            "basis": LegalBasis.CONSENT,
            "proof": "Signed form at the workshop",
        }
        response = staff_client.post(self.url(contact), data)
        assert response.status_code == 302
        consent = Consent.objects.get(contact=contact)
        assert consent.granted and consent.method == "staff"
        assert consent.recorded_by == people.staff

    def test_it_records_a_withdrawal(self, staff_client):
        contact = builders.contact()
        builders.consent(contact, Purpose.MAILING)
        data = {"purpose": Purpose.MAILING, "decision": "withdraw", "basis": LegalBasis.CONSENT}
        staff_client.post(self.url(contact), data)
        latest = Consent.objects.filter(contact=contact).order_by("-recorded_at", "-pk").first()
        assert latest.granted is False

    @pytest.mark.parametrize(
        "fields",
        [
            {"proof": ""},  # a consent without its proof
            {"purpose": "spam"},
            {"basis": "because"},
        ],
    )
    def test_it_refuses_bad_input_and_records_nothing(self, staff_client, fields):
        contact = builders.contact()
        data = {
            "purpose": Purpose.MAILING,
            "decision": "grant",
            "basis": LegalBasis.CONSENT,
            "proof": "form",
        }
        response = staff_client.post(self.url(contact), data | fields)
        assert response.status_code == 400
        assert 'data-testid="consent-errors"' in response.text
        assert not Consent.objects.filter(contact=contact).exists()
