"""The contact import screens: upload, mapping with its live preview, preview, confirm, report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from micedesk.crm.imports import import_batch_create, import_batch_run
from micedesk.crm.models import AuditAction, AuditEntry, Contact, ImportBatch, ImportStatus
from tests.crm import builders
from tests.crm.test_imports import GOOD_FILE


@pytest.fixture(autouse=True)
def topics(db):
    builders.topic("seminaires", "Séminaires")
    builders.topic("incentive", "Incentive")


def good_upload(name: str = GOOD_FILE.name) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, GOOD_FILE.read_bytes())


@pytest.fixture
def batch(people):
    return import_batch_create(upload=good_upload(), user=people.staff)


@pytest.fixture
def mapped(batch):
    batch.status = ImportStatus.MAPPED
    batch.save()
    return batch


def mapping_data(batch, **changes: str) -> dict[str, str]:
    data = {f"column_{i}": batch.mapping.get(str(i), "") for i in range(len(batch.columns))}
    data.update(changes)
    return data


def all_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("backoffice:crm_imports")),
        ("get", reverse("backoffice:crm_import_new")),
        ("get", reverse("backoffice:crm_quality")),
        ("get", reverse("backoffice:crm_import", args=[pk])),
        ("get", reverse("backoffice:crm_import_mapping", args=[pk])),
        ("get", reverse("backoffice:crm_import_mapping_preview", args=[pk])),
        ("get", reverse("backoffice:crm_import_preview", args=[pk])),
        ("get", reverse("backoffice:crm_import_rejects", args=[pk])),
        ("get", reverse("backoffice:crm_import_file", args=[pk])),
        ("post", reverse("backoffice:crm_import_preview", args=[pk])),
    ]


class CrmImportAccessTestCase:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, batch):
        for method, url in all_urls(batch.pk):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert "/connexion/" in response["Location"]

    def test_suppliers_partners_and_outsiders_are_refused(self, client, people, mapped):
        for user in (people.supplier, people.partner, people.outsider):
            client.force_login(user)
            for method, url in all_urls(mapped.pk):
                assert getattr(client, method)(url).status_code == 403, (user, url)
        assert not Contact.objects.exists()

    def test_an_unknown_import_is_not_found(self, client, people):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:crm_import", args=[999])).status_code == 404


class CrmImportUploadTestCase:
    def test_staff_upload_a_file_and_go_to_the_mapping(self, client, people):
        client.force_login(people.staff)
        response = client.post(reverse("backoffice:crm_import_new"), {"file": good_upload()})
        batch = ImportBatch.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("backoffice:crm_import_mapping", args=[batch.pk])
        assert batch.uploaded_by == people.staff
        assert batch.file.read() == GOOD_FILE.read_bytes()

    def test_it_refuses_a_file_of_another_type(self, client, people):
        client.force_login(people.staff)
        upload = SimpleUploadedFile("contacts.pdf", b"%PDF-1.4")
        response = client.post(reverse("backoffice:crm_import_new"), {"file": upload})
        assert response.status_code == 400
        assert not ImportBatch.objects.exists()

    def test_it_refuses_a_file_too_big(self, client, people, settings):
        settings.CRM_IMPORT_MAX_BYTES = 50
        client.force_login(people.staff)
        response = client.post(reverse("backoffice:crm_import_new"), {"file": good_upload()})
        assert response.status_code == 400
        assert not ImportBatch.objects.exists()

    def test_it_refuses_an_empty_file(self, client, people):
        client.force_login(people.staff)
        upload = SimpleUploadedFile("contacts.csv", b"")
        response = client.post(reverse("backoffice:crm_import_new"), {"file": upload})
        assert response.status_code == 400
        assert not ImportBatch.objects.exists()

    def test_it_refuses_an_unreadable_workbook(self, client, people):
        client.force_login(people.staff)
        upload = SimpleUploadedFile("contacts.xlsx", b"PK\x03\x04broken")
        response = client.post(reverse("backoffice:crm_import_new"), {"file": upload})
        assert response.status_code == 400
        assert not ImportBatch.objects.exists()


class CrmImportMappingTestCase:
    def test_it_shows_a_select_per_column_and_the_first_lines(self, client, people, batch):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_import_mapping", args=[batch.pk]))
        assert response.status_code == 200
        assert response.text.count('name="column_') == len(batch.columns)
        assert 'data-line="2" data-status="new"' in response.text
        assert 'data-line="5" data-status="refused"' in response.text

    def test_the_preview_follows_a_changed_select(self, client, people, batch):
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_mapping_preview", args=[batch.pk])
        response = client.get(url, mapping_data(batch, column_13=""), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'data-line="5" data-status="new"' in response.text

    def test_saving_the_mapping_goes_to_the_preview(self, client, people, batch):
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_mapping", args=[batch.pk])
        response = client.post(url, mapping_data(batch, column_13=""))
        assert response["Location"] == reverse("backoffice:crm_import_preview", args=[batch.pk])
        batch.refresh_from_db()
        assert "13" not in batch.mapping
        assert batch.status == ImportStatus.MAPPED

    def test_it_refuses_a_field_chosen_twice(self, client, people, batch):
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_mapping", args=[batch.pk])
        response = client.post(url, mapping_data(batch, column_4="last_name"))
        assert response.status_code == 400
        batch.refresh_from_db()
        assert batch.status == ImportStatus.UPLOADED

    def test_it_refuses_a_mapping_without_last_name(self, client, people, batch):
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_mapping", args=[batch.pk])
        response = client.post(url, mapping_data(batch, column_2=""))
        assert response.status_code == 400
        assert 'id="error-summary"' in response.text


class CrmImportPreviewTestCase:
    def test_it_shows_each_line_with_its_status_and_the_counts(self, client, people, mapped):
        builders.contact("Léon", "Durand", email="leon.durand@pommeraie.example")
        builders.contact("Claire", "Dubois", email="")
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_import_preview", args=[mapped.pk]))
        assert response.status_code == 200
        assert 'data-line="3" data-status="duplicate"' in response.text
        assert 'data-line="9" data-status="possible"' in response.text
        assert 'name="line_3"' in response.text and 'name="line_9"' in response.text
        assert 'name="line_2"' not in response.text

    def test_an_unmapped_import_goes_back_to_the_mapping(self, client, people, batch):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_import_preview", args=[batch.pk]))
        assert response["Location"] == reverse("backoffice:crm_import_mapping", args=[batch.pk])

    def test_confirming_imports_with_the_choices_made(self, client, people, mapped):
        claire = builders.contact("Claire", "Dubois", email="", job_title="")
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_preview", args=[mapped.pk])
        data = {"on_duplicate": "update", "on_possible": "create", "line_9": "merge"}
        response = client.post(url, data)
        assert response["Location"] == reverse("backoffice:crm_import", args=[mapped.pk])
        mapped.refresh_from_db()
        claire.refresh_from_db()
        assert (mapped.status, mapped.created_count, mapped.merged_count) == ("imported", 2, 1)
        assert claire.job_title == "Présidente"

    def test_it_refuses_an_unknown_rule_and_imports_nothing(self, client, people, mapped):
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_preview", args=[mapped.pk])
        response = client.post(url, {"on_duplicate": "delete", "on_possible": "create"})
        assert response.status_code == 400
        assert not Contact.objects.exists()

    def test_an_imported_file_is_not_imported_again(self, client, people, mapped):
        import_batch_run(batch=mapped, user=people.staff)
        client.force_login(people.staff)
        url = reverse("backoffice:crm_import_preview", args=[mapped.pk])
        response = client.post(url, {"on_duplicate": "update", "on_possible": "create"})
        assert response["Location"] == reverse("backoffice:crm_import", args=[mapped.pk])
        assert Contact.objects.count() == 3


class CrmImportReportTestCase:
    def test_it_shows_counts_and_refused_lines(self, client, people, mapped):
        import_batch_run(batch=mapped, user=people.staff)
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_import", args=[mapped.pk]))
        assert response.status_code == 200
        assert 'data-status="imported"' in response.text
        for line in (4, 5, 6, 7, 8):
            assert f'<tr data-line="{line}">' in response.text

    def test_it_downloads_the_refused_lines(self, client, people, mapped):
        import_batch_run(batch=mapped, user=people.staff)
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_import_rejects", args=[mapped.pk]))
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert [row[0] for row in rows[1:]] == ["4", "5", "6", "7", "8"]
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=mapped.pk).exists()

    def test_it_downloads_the_original_file(self, client, people, mapped):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_import_file", args=[mapped.pk]))
        assert b"".join(response.streaming_content) == GOOD_FILE.read_bytes()
        assert GOOD_FILE.name in response["Content-Disposition"]
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=mapped.pk).exists()

    def test_the_list_shows_past_imports(self, client, people, mapped):
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:crm_imports"))
        assert f'data-batch="{mapped.pk}"' in response.text
