"""The segment screens of the back-office: list, build, edit, preview, detail, export, invitations,
delete; staff only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from micedesk.crm.models import (
    AuditAction,
    AuditEntry,
    Interaction,
    InteractionKind,
    Purpose,
    Segment,
    SegmentKind,
)
from tests.crm import builders

NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]


@pytest.fixture
def seminar(db):
    return builders.topic("seminaires", "Séminaires")


@pytest.fixture
def workshop(seminar):
    return builders.bureau_action("Workshop Paris", department_code="75", topics=[seminar])


@pytest.fixture
def guests(seminar):
    contacts = []
    for name in ("Able", "Baker"):
        contact = builders.contact(name, "Guest", topics=[seminar], department_code="92")
        builders.consent(contact, Purpose.INVITATIONS)
        contacts.append(contact)
    builders.contact("No", "Basis", topics=[seminar])
    return contacts


@pytest.fixture
def segment(workshop, guests):
    return Segment.objects.create(
        name="Paris workshop",
        kind=SegmentKind.WORKSHOP_INVITATION,
        rules={"workshop": workshop.pk},
    )


def urls(segment: Segment) -> list[tuple[str, str]]:
    """Every screen of the segments, with the method it takes."""
    pk = segment.pk
    return [
        ("get", reverse("backoffice:segments")),
        ("get", reverse("backoffice:segment_new") + "?kind=custom"),
        ("post", reverse("backoffice:segment_preview")),
        ("get", reverse("backoffice:segment", args=[pk])),
        ("get", reverse("backoffice:segment_edit", args=[pk])),
        ("get", reverse("backoffice:segment_export", args=[pk, "csv"])),
        ("post", reverse("backoffice:segment_invitations", args=[pk])),
        ("post", reverse("backoffice:segment_delete", args=[pk])),
    ]


class SegmentAccessTestCase:
    def test_anonymous_visitors_are_sent_to_login(self, client, segment):
        for method, url in urls(segment):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert "/connexion/" in response["Location"]

    @pytest.mark.parametrize("role", NOT_STAFF)
    def test_other_roles_are_refused(self, client, people, segment, role):
        client.force_login(getattr(people, role))
        for method, url in urls(segment):
            assert getattr(client, method)(url, {"kind": "custom"}).status_code == 403, url
        assert Segment.objects.filter(pk=segment.pk).exists()
        assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
        assert not Interaction.objects.filter(kind=InteractionKind.INVITED).exists()


class SegmentListTestCase:
    def test_staff_see_the_segments(self, client, people, segment):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:segments"))
        assert response.status_code == 200
        assert f'data-segment="{segment.pk}"' in response.text
        assert 'data-testid="segment-new-workshop_invitation"' in response.text


class SegmentBuildTestCase:
    def test_staff_build_a_workshop_list(self, client, people, workshop, guests):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_new") + "?kind=workshop_invitation"
        assert client.get(url).status_code == 200
        data = {
            "kind": "workshop_invitation",
            "name": "Paris",
            "workshop": workshop.pk,
            "place": "region",
            "k": 2,
            "m": 3,
        }
        response = client.post(reverse("backoffice:segment_new"), data)
        segment = Segment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("backoffice:segment", args=[segment.pk])
        assert segment.created_by == people.staff
        assert segment.rules["workshop"] == workshop.pk and segment.rules["topics"] == [
            "seminaires"
        ]

    def test_staff_build_a_topic_mailing(self, client, people, seminar):
        client.force_login(people.staff)
        data = {
            "kind": "topic_mailing",
            "name": "Seminars",
            "topics": ["seminaires"],
            "legitimate_interest_clients": "on",
        }
        response = client.post(reverse("backoffice:segment_new"), data)
        assert response.status_code == 302
        assert Segment.objects.get().rules == {
            "topics": ["seminaires"],
            "legitimate_interest_clients": True,
        }

    def test_staff_build_a_custom_filter(self, client, people, seminar, workshop):
        client.force_login(people.staff)
        data = {
            "kind": "custom",
            "name": "Parisian planners",
            "kinds": ["planner"],
            "topics": ["seminaires"],
            "departments": "75, 92",
            "naf_prefixes": "70.2",
            "met_at": [str(workshop.pk)],
            "last_interaction_since": "2025-01-01",
            "consent_purpose": "mailing",
        }
        response = client.post(reverse("backoffice:segment_new"), data)
        assert response.status_code == 302
        assert Segment.objects.get().rules == {
            "kinds": ["planner"],
            "departments": ["75", "92"],
            "naf_prefixes": ["70.2"],
            "topics": ["seminaires"],
            "met_at": [workshop.pk],
            "last_interaction_since": "2025-01-01",
            "consent_purpose": "mailing",
        }

    @pytest.mark.parametrize(
        "data",
        [
            {
                "kind": "workshop_invitation",
                "name": "x",
                "workshop": "",
                "place": "region",
                "k": 2,
                "m": 3,
            },
            {"kind": "workshop_invitation", "name": "x", "place": "region", "k": 4, "m": 3},
            {"kind": "workshop_invitation", "name": "x", "place": "region", "k": 0, "m": 3},
            {"kind": "workshop_invitation", "name": "x", "place": "region", "k": 2, "m": -1},
            {"kind": "topic_mailing", "name": "x", "topics": ["unknown"]},
            {"kind": "topic_mailing", "name": "x"},
            {"kind": "custom", "name": "x", "departments": "Calvados"},
            {"kind": "custom", "name": "", "kinds": ["planner"]},
        ],
    )
    def test_it_refuses_bad_rules_and_saves_nothing(self, client, people, workshop, data):
        client.force_login(people.staff)
        if data["kind"] == "workshop_invitation" and "workshop" not in data:
            data = {**data, "workshop": workshop.pk}
        response = client.post(reverse("backoffice:segment_new"), data)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not Segment.objects.exists()

    def test_k_above_m_is_explained(self, client, people, workshop):
        client.force_login(people.staff)
        data = {"kind": "workshop_invitation", "name": "x", "workshop": workshop.pk}
        data.update(place="region", k=4, m=3)
        response = client.post(reverse("backoffice:segment_new"), data)
        assert 'data-testid="segment-errors"' in response.text

    def test_an_unknown_kind_is_not_found(self, client, people):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:segment_new") + "?kind=all").status_code == 404


class SegmentPreviewTestCase:
    def test_it_counts_the_contacts_of_the_rules_being_edited(
        self, client, people, workshop, guests
    ):
        client.force_login(people.staff)
        data = {"kind": "workshop_invitation", "name": "", "workshop": workshop.pk}
        data.update(place="region", k=2, m=3)
        response = client.post(reverse("backoffice:segment_preview"), data)
        assert response.status_code == 200
        assert 'data-count="2"' in response.text
        assert 'data-step="renewal"' in response.text

    def test_it_shows_why_rules_cannot_be_evaluated(self, client, people):
        client.force_login(people.staff)
        response = client.post(
            reverse("backoffice:segment_preview"), {"kind": "topic_mailing", "topics": ["x"]}
        )
        assert response.status_code == 200
        assert 'data-testid="preview-errors"' in response.text

    def test_it_refuses_an_unknown_kind(self, client, people):
        client.force_login(people.staff)
        assert client.post(reverse("backoffice:segment_preview"), {"kind": "x"}).status_code == 404


class SegmentDetailTestCase:
    def test_it_shows_count_explanation_and_contacts(self, client, people, segment, guests):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:segment", args=[segment.pk]))
        assert response.status_code == 200
        assert 'data-testid="segment-count" data-count="2"' in response.text
        for code in ("anonymised", "topics", "place", "basis", "renewal"):
            assert f'data-step="{code}"' in response.text
        assert 'data-step="basis" data-excluded="1"' in response.text
        for guest in guests:
            assert f'data-contact="{guest.pk}"' in response.text
        assert 'data-testid="invite-form"' in response.text

    def test_viewing_the_list_is_logged_without_personal_data(self, client, people, segment):
        client.force_login(people.staff)
        client.get(reverse("backoffice:segment", args=[segment.pk]))
        entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_type="segment")
        assert entry.actor == people.staff and entry.object_id == segment.pk
        assert entry.details == {"count": 2, "page": 1}

    def test_it_reads_in_english_too(self, client, people, segment):
        client.force_login(people.staff)
        client.cookies["django_language"] = "en"
        response = client.get(reverse("backoffice:segment", args=[segment.pk]))
        assert "Who is in it, and why" in response.text
        assert "Renewal: no earlier workshop" in response.text

    def test_it_links_contacts_to_their_page(self, client, people, segment, guests):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:segment", args=[segment.pk]))
        assert reverse("backoffice:contact", args=[guests[0].pk]) in response.text

    def test_it_paginates(self, client, people, seminar):
        for _ in range(55):
            builders.contact(topics=[seminar])
        segment = Segment.objects.create(name="All", kind="custom", rules={})
        client.force_login(people.staff)
        url = reverse("backoffice:segment", args=[segment.pk])
        assert len(client.get(url).context["page"].object_list) == 50
        assert len(client.get(url, {"page": 2}).context["page"].object_list) == 5

    def test_it_says_when_the_rules_no_longer_hold(self, client, people):
        segment = Segment.objects.create(name="Old", kind="custom", rules={"topics": ["gone"]})
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:segment", args=[segment.pk]))
        assert response.status_code == 200
        assert 'data-testid="segment-rules-error"' in response.text

    def test_an_unknown_segment_is_not_found(self, client, people):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:segment", args=[999999])).status_code == 404


class SegmentEditTestCase:
    def test_it_shows_the_saved_rules_and_saves_new_ones(self, client, people, segment, workshop):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_edit", args=[segment.pk])
        form = client.get(url).context["form"]
        assert form.initial["workshop"] == str(workshop.pk)
        data = {"kind": "workshop_invitation", "name": "Renamed", "workshop": workshop.pk}
        data.update(place="department", k=1, m=2, limit=10)
        assert client.post(url, data).status_code == 302
        segment.refresh_from_db()
        assert segment.name == "Renamed"
        assert (segment.rules["k"], segment.rules["m"], segment.rules["limit"]) == (1, 2, 10)

    def test_a_refused_edit_keeps_the_segment(self, client, people, segment, workshop):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_edit", args=[segment.pk])
        data = {"kind": "workshop_invitation", "name": "Renamed", "workshop": workshop.pk}
        data.update(place="region", k=3, m=2)
        assert client.post(url, data).status_code == 200
        segment.refresh_from_db()
        assert segment.name == "Paris workshop" and segment.rules == {"workshop": workshop.pk}


class SegmentExportViewTestCase:
    def test_staff_download_a_csv_and_the_export_is_logged(self, client, people, segment):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:segment_export", args=[segment.pk, "csv"]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        data = b"".join(response.streaming_content).decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(data), delimiter=";"))) == 3
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        assert entry.details == {"format": "csv", "count": 2}

    @pytest.mark.parametrize(
        ("file_format", "content_type"),
        [("xlsx", "application/vnd.openxmlformats"), ("vcf", "text/vcard")],
    )
    def test_staff_download_other_formats(self, client, people, segment, file_format, content_type):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_export", args=[segment.pk, file_format])
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)

    def test_an_unknown_format_is_not_found(self, client, people, segment):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_export", args=[segment.pk, "pdf"])
        assert client.get(url).status_code == 404
        assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


class SegmentInvitationsViewTestCase:
    def test_staff_record_the_invitations(self, client, people, segment, workshop):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_invitations", args=[segment.pk])
        response = client.post(url, {"action": workshop.pk})
        assert response.status_code == 302
        invitations = Interaction.objects.filter(kind=InteractionKind.INVITED, action=workshop)
        assert invitations.count() == 2

    def test_it_refuses_a_missing_workshop(self, client, people, segment):
        client.force_login(people.staff)
        url = reverse("backoffice:segment_invitations", args=[segment.pk])
        assert client.post(url, {"action": "999999"}).status_code == 302
        assert not Interaction.objects.filter(kind=InteractionKind.INVITED).exists()

    def test_it_refuses_a_mailing_segment(self, client, people, workshop, seminar):
        mailing = Segment.objects.create(
            name="Mailing", kind=SegmentKind.TOPIC_MAILING, rules={"topics": ["seminaires"]}
        )
        client.force_login(people.staff)
        url = reverse("backoffice:segment_invitations", args=[mailing.pk])
        assert client.post(url, {"action": workshop.pk}).status_code == 302
        assert not Interaction.objects.filter(kind=InteractionKind.INVITED).exists()


class SegmentDeleteTestCase:
    def test_staff_delete_a_segment_and_contacts_stay(self, client, people, segment, guests):
        client.force_login(people.staff)
        response = client.post(reverse("backoffice:segment_delete", args=[segment.pk]))
        assert response.status_code == 302
        assert not Segment.objects.exists()
        assert all(type(guest).objects.filter(pk=guest.pk).exists() for guest in guests)

    def test_it_refuses_get(self, client, people, segment):
        client.force_login(people.staff)
        assert (
            client.get(reverse("backoffice:segment_delete", args=[segment.pk])).status_code == 405
        )
