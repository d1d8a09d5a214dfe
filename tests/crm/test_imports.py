"""Import of the existing contact base: reading, mapping, duplicates, merge rules, one transaction."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micedesk.crm import imports
from micedesk.crm.imports import (
    DUPLICATE,
    NEW,
    POSSIBLE,
    REFUSED,
    ImportAborted,
    ImportFileError,
    import_batch_create,
    import_batch_run,
    import_batches_for,
    import_mapping_save,
    import_preview,
    import_rejects_csv,
)
from micedesk.crm.models import (
    AuditAction,
    AuditEntry,
    Company,
    Consent,
    ConsentMethod,
    Contact,
    ImportStatus,
    Interaction,
    InteractionKind,
)
from tests.crm import builders


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read refusals, proofs and report headers in the English source wording."""
    with translation.override("en"):
        yield


DATA = Path(__file__).parent / "data"
GOOD_FILE = DATA / "contacts-tourinsoft.csv"
HEADER = ["Nom", "Prénom", "Mél", "Fonction", "Téléphone", "Raison sociale"]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows() -> list[list[str]]:
    """The lines of the example file, as text."""
    text = GOOD_FILE.read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def batch_of(user, name: str, content: bytes, **kwargs):
    return import_batch_create(upload=upload(name, content), user=user, **kwargs)


def good_batch(user, **kwargs):
    return batch_of(user, GOOD_FILE.name, GOOD_FILE.read_bytes(), **kwargs)


def small_batch(user, rows: list[list[str]], header: list[str] = HEADER):
    return batch_of(user, "contacts.csv", csv_bytes([header, *rows]))


@pytest.fixture
def staff(people):
    return people.staff


@pytest.fixture(autouse=True)
def topics(db):
    """The topics the example file names."""
    return [builders.topic("seminaires", "Séminaires"), builders.topic("incentive", "Incentive")]


class ImportFileTestCase:
    def test_it_reads_a_windows_1252_file_separated_by_semicolons(self, staff):
        batch = good_batch(staff)
        assert batch.report["encoding"] == "cp1252"
        assert batch.report["delimiter"] == ";"
        assert batch.columns[2] == "Nom"
        assert batch.columns[16] == "Centres d'intérêt"
        assert batch.row_count == 8

    def test_it_maps_known_tourinsoft_columns_by_themselves(self, staff):
        mapping = good_batch(staff).mapping
        by_target = {target: int(index) for index, target in mapping.items()}
        assert by_target["company"] == 0
        assert by_target["last_name"] == 2
        assert by_target["first_name"] == 3
        assert by_target["email"] == 5
        assert by_target["mobile"] == 7
        assert by_target["naf_code"] == 13
        assert by_target["topics"] == 16
        assert by_target["consent_mailing"] == 19
        # Civility and street address are not kept (data minimisation): left unmapped.
        assert "1" not in mapping and "8" not in mapping

    def test_it_keeps_the_uploaded_file_in_private_storage(self, staff, private_media):
        batch = good_batch(staff)
        assert Path(batch.file.path).is_relative_to(private_media)
        assert batch.file.read() == GOOD_FILE.read_bytes()
        assert batch.original_name == GOOD_FILE.name
        assert batch.uploaded_by == staff

    def test_it_reads_utf8_with_a_byte_order_mark_and_commas(self, staff):
        content = csv_bytes([HEADER, ["Lefèvre", "Amélie", "", "", "", ""]], encoding="utf-8-sig")
        batch = batch_of(staff, "contacts.csv", content.replace(b";", b","))
        assert batch.report["encoding"] == "utf-8-sig"
        assert batch.report["delimiter"] == ","
        assert batch.columns[1] == "Prénom"

    def test_it_refuses_a_file_too_big(self, staff, settings):
        settings.CRM_IMPORT_MAX_BYTES = 100
        with pytest.raises(ImportFileError, match="MB"):
            good_batch(staff)
        assert not Contact.objects.exists()

    def test_it_refuses_another_type_of_file(self, staff):
        with pytest.raises(ImportFileError, match=r"\.csv"):
            batch_of(staff, "contacts.pdf", b"%PDF-1.4")

    def test_it_refuses_an_empty_file(self, staff):
        with pytest.raises(ImportFileError):
            batch_of(staff, "contacts.csv", b"")

    def test_it_refuses_a_file_with_blank_header(self, staff):
        with pytest.raises(ImportFileError):
            batch_of(staff, "contacts.csv", b";;\r\n")

    def test_it_refuses_an_unreadable_workbook(self, staff):
        with pytest.raises(ImportFileError, match="XLSX"):
            batch_of(staff, "contacts.xlsx", b"PK\x03\x04 not really a workbook")

    def test_it_refuses_an_old_excel_file(self, staff):
        with pytest.raises(ImportFileError, match="xls"):
            batch_of(staff, "contacts.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


class ImportMappingTestCase:
    def test_it_refuses_a_field_filled_by_two_columns(self, staff):
        batch = good_batch(staff)
        with pytest.raises(ValidationError) as raised:
            import_mapping_save(
                batch=batch, mapping={"2": "last_name", "3": "last_name"}, user=staff
            )
        assert "3" in raised.value.message_dict

    def test_it_refuses_a_mapping_without_last_name(self, staff):
        batch = good_batch(staff)
        with pytest.raises(ValidationError):
            import_mapping_save(batch=batch, mapping={"5": "email"}, user=staff)

    def test_it_refuses_an_unknown_field(self, staff):
        batch = good_batch(staff)
        with pytest.raises(ValidationError):
            import_mapping_save(batch=batch, mapping={"2": "last_name", "5": "salary"}, user=staff)

    def test_it_saves_the_chosen_mapping(self, staff):
        batch = good_batch(staff)
        import_mapping_save(
            batch=batch, mapping={"2": "last_name", "1": "", "4": "notes"}, user=staff
        )
        batch.refresh_from_db()
        assert batch.mapping == {"2": "last_name", "4": "notes"}
        assert batch.status == ImportStatus.MAPPED


class ImportPreviewTestCase:
    def test_it_says_what_each_line_would_become_and_writes_nothing(self, staff):
        preview = import_preview(batch=good_batch(staff))
        statuses = {row.line: row.status for row in preview.rows}
        assert statuses == {
            2: NEW,
            3: NEW,
            4: REFUSED,
            5: REFUSED,
            6: REFUSED,
            7: REFUSED,
            8: REFUSED,
            9: NEW,
        }
        assert preview.counts[NEW] == 3
        assert not Contact.objects.exists()

    def test_it_gives_the_column_and_reason_of_each_refusal(self, staff):
        rows = {row.line: row for row in import_preview(batch=good_batch(staff)).rows}
        assert [(e.column, "e-mail" in e.reason) for e in rows[4].errors] == [("Mél", True)]
        assert rows[5].errors[0].column == "Code NAF"
        assert rows[6].errors[0].column == "Pays"
        assert rows[7].errors[0].column == "Nom"
        assert rows[8].errors[0].column == "Mél"
        assert "line 2" in rows[8].errors[0].reason

    def test_it_finds_a_duplicate_by_email_whatever_the_case(self, staff):
        known = builders.contact("Léon", "Durand", email="Leon.Durand@Pommeraie.example")
        rows = {row.line: row for row in import_preview(batch=good_batch(staff)).rows}
        assert rows[3].status == DUPLICATE
        assert rows[3].match_id == known.pk

    def test_it_finds_a_possible_duplicate_by_a_close_name(self, staff):
        known = builders.contact("Claire", "Duboys", email="")
        rows = {row.line: row for row in import_preview(batch=good_batch(staff)).rows}
        assert rows[9].status == POSSIBLE
        assert rows[9].match_id == known.pk
        assert "%" in rows[9].reasons[0]

    def test_it_says_when_the_organisation_is_the_same(self, staff):
        company = builders.company("Fédération belge démo")
        builders.contact("Claire", "Dubois", email="", company=company)
        rows = {row.line: row for row in import_preview(batch=good_batch(staff)).rows}
        assert rows[9].status == POSSIBLE
        assert len(rows[9].reasons) == 2

    def test_it_finds_an_initial_of_the_same_organisation(self, staff):
        company = builders.company("Pommeraie")
        known = builders.contact("Jean", "Martin", email="", company=company)
        rows = [["Martin", "J.", "", "", "", "Pommeraie SAS"], ["Martin", "J.", "", "", "", ""]]
        preview = import_preview(batch=small_batch(staff, rows))
        assert [(row.status, row.match_id) for row in preview.rows] == [
            (POSSIBLE, known.pk),
            (NEW, None),
        ]

    def test_it_does_not_take_a_namesake_with_another_address_and_company_for_a_duplicate(
        self, staff
    ):
        builders.contact("Claire", "Dubois", email="claire@elsewhere.example")
        rows = {row.line: row for row in import_preview(batch=good_batch(staff)).rows}
        assert rows[9].status == NEW

    def test_it_previews_with_another_mapping(self, staff):
        batch = good_batch(staff)
        mapping = {**batch.mapping, "13": ""}  # the NAF column left out: line 5 is fine
        preview = import_preview(batch=batch, mapping=mapping, whole_file=False, limit=4)
        assert [row.status for row in preview.rows] == [NEW, NEW, REFUSED, NEW]


class ImportRunTestCase:
    def test_it_imports_the_good_lines_of_a_file(self, staff, communes):
        action = builders.bureau_action("Salon démo 2024")
        batch = import_batch_run(batch=good_batch(staff), user=staff)
        assert (batch.status, batch.created_count, batch.refused_count) == ("imported", 3, 5)
        amelie = Contact.objects.get(email="amelie.lefevre@evenements.example")
        assert (amelie.first_name, amelie.last_name, amelie.phone) == (
            "Amélie",
            "Lefèvre",
            "02 31 00 00 01",
        )
        assert (amelie.department_code, amelie.region, amelie.country) == ("14", "Normandie", "FR")
        assert amelie.source_action == action
        assert amelie.created_at.date().isoformat() == "2022-03-15"
        assert amelie.company.naf_code == "70.22Z"
        assert amelie.company.size == "50-249"
        assert [t.code for t in amelie.topics.all()] == ["seminaires"]

    def test_it_reads_words_of_the_export(self, staff):
        import_batch_run(batch=good_batch(staff), user=staff)
        leon = Contact.objects.get(email="leon.durand@pommeraie.example")
        assert leon.phone == "06 00 00 00 02"  # the mobile, as there is no phone
        assert leon.source_detail == "Bouche à oreille"
        assert leon.source_action is None
        assert leon.company.kind == "agency"
        assert leon.company.naf_code == "73.11Z"
        assert leon.company.size == "10-49"
        claire = Contact.objects.get(email="claire.dubois@federation.example")
        assert (claire.country, claire.language, claire.department_code) == ("BE", "en", "")

    def test_it_links_topics_named_in_the_file(self, staff):
        import_batch_run(batch=good_batch(staff), user=staff)
        leon = Contact.objects.get(email="leon.durand@pommeraie.example")
        assert sorted(t.code for t in leon.topics.all()) == ["incentive", "seminaires"]

    def test_it_refuses_a_topic_it_does_not_know(self, staff, topics):
        topics[1].delete()
        batch = import_batch_run(batch=good_batch(staff), user=staff)
        assert batch.created_count == 1
        refused = {line: column for line, column, _reason in batch.report["refused"]}
        assert refused[3] == refused[9] == "Centres d'intérêt"

    def test_it_gives_each_imported_contact_an_import_item(self, staff):
        action = builders.bureau_action("Salon démo 2024")
        batch = import_batch_run(batch=good_batch(staff), user=staff)
        items = Interaction.objects.filter(kind=InteractionKind.IMPORT)
        assert items.count() == 3
        first = items.get(contact__email="amelie.lefevre@evenements.example")
        assert first.action == action
        assert first.author == staff
        assert first.details == {"batch": batch.pk, "line": 2}

    def test_it_records_consents_with_their_proof(self, staff):
        import_batch_run(batch=good_batch(staff), user=staff)
        consents = Consent.objects.order_by("contact__last_name")
        assert [(c.contact.last_name, c.granted) for c in consents] == [
            ("Durand", False),
            ("Lefèvre", True),
        ]
        assert consents[1].method == ConsentMethod.IMPORT
        assert consents[1].proof == "contacts-tourinsoft.csv, line 2"

    def test_it_records_no_consent_without_a_consent_column(self, staff):
        import_batch_run(batch=small_batch(staff, [["Martin", "Paul", "", "", "", ""]]), user=staff)
        assert Contact.objects.count() == 1
        assert not Consent.objects.exists()

    def test_it_creates_one_company_for_the_lines_of_one_organisation(self, staff):
        rows = [
            ["Martin", "Paul", "", "", "", "Pommeraie SARL"],
            ["Petit", "Hugo", "", "", "", "POMMERAIE"],
        ]
        builders.company("Autre démo")
        import_batch_run(batch=small_batch(staff, rows), user=staff)
        assert Company.objects.count() == 2
        assert Contact.objects.filter(company__name="Pommeraie SARL").count() == 2

    def test_it_reports_refused_lines_in_a_downloadable_file(self, staff):
        batch = import_batch_run(batch=good_batch(staff), user=staff)
        stream = io.BytesIO()
        import_rejects_csv(batch=batch, stream=stream)
        text = stream.getvalue().decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
        assert rows[0][:4] == ["line", "column", "reason", "Raison sociale"]
        assert [row[0] for row in rows[1:]] == ["4", "5", "6", "7", "8"]
        assert rows[1][1] == "Mél"
        assert rows[1][3] == "Cabinet Démo"

    def test_it_imports_a_workbook_like_a_csv(self, staff):
        content = xlsx_bytes(good_rows())
        batch = import_batch_run(batch=batch_of(staff, "contacts.xlsx", content), user=staff)
        assert (batch.created_count, batch.refused_count) == (3, 5)
        assert batch.report["format"] == "xlsx"

    def test_it_writes_an_audit_entry_with_counts_only(self, staff):
        batch = import_batch_run(batch=good_batch(staff), user=staff)
        entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
        assert entry.object_id == batch.pk
        assert entry.details["created"] == 3
        assert "Lefèvre" not in str(entry.details)

    def test_it_refuses_to_import_a_file_twice(self, staff):
        batch = import_batch_run(
            batch=small_batch(staff, [["Martin", "", "", "", "", ""]]), user=staff
        )
        with pytest.raises(ValidationError):
            import_batch_run(batch=batch, user=staff)
        assert Contact.objects.count() == 1

    def test_a_failure_part_way_leaves_the_base_unchanged(self, staff, monkeypatch):
        monkeypatch.setattr(imports, "CHUNK_SIZE", 1)
        calls = []

        def failing(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("disk full")
            return original(self, *args, **kwargs)

        original = imports.Writer.links_create
        monkeypatch.setattr(imports.Writer, "links_create", failing)
        batch = good_batch(staff)
        with pytest.raises(ImportAborted):
            import_batch_run(batch=batch, user=staff)
        assert len(calls) == 2
        assert not Contact.objects.exists()
        assert not Company.objects.exists()
        assert not Interaction.objects.exists()
        batch.refresh_from_db()
        assert batch.status == ImportStatus.FAILED
        assert "disk full" in batch.report["error"]

    def test_it_calls_back_with_progress(self, staff):
        seen: list[int] = []
        import_batch_run(batch=good_batch(staff), user=staff, progress=seen.append)
        assert sum(seen) == 8


class MergeRulesTestCase:
    """Léon Durand is in the base with his e-mail (sure duplicate), Claire Dubois without (possible)."""

    @pytest.fixture
    def base(self, db):
        leon = builders.contact(
            "Léon", "Durand", email="leon.durand@pommeraie.example", phone="02 99", job_title=""
        )
        claire = builders.contact("Claire", "Dubois", email="", job_title="")
        return leon, claire

    def run(self, staff, **rules):
        return import_batch_run(batch=good_batch(staff), user=staff, rules=rules)

    def test_update_fills_only_empty_fields(self, staff, base):
        leon, _claire = base
        batch = self.run(staff, on_duplicate="update")
        leon.refresh_from_db()
        assert (leon.phone, leon.job_title) == ("02 99", "Chef de projet")
        assert batch.updated_count == 1
        assert Contact.objects.filter(email__iexact=leon.email).count() == 1
        assert leon.interactions.filter(kind=InteractionKind.IMPORT).count() == 1
        assert sorted(t.code for t in leon.topics.all()) == ["incentive", "seminaires"]

    def test_overwrite_replaces_what_the_file_fills(self, staff, base):
        leon, _claire = base
        self.run(staff, on_duplicate="overwrite")
        leon.refresh_from_db()
        assert (leon.phone, leon.job_title) == ("06 00 00 00 02", "Chef de projet")

    def test_skip_leaves_the_duplicate_as_it_is(self, staff, base):
        leon, _claire = base
        batch = self.run(staff, on_duplicate="skip")
        leon.refresh_from_db()
        assert leon.job_title == ""
        assert not leon.interactions.exists()
        assert batch.report["skipped"] == 1

    def test_create_makes_a_second_contact_for_a_possible_duplicate(self, staff, base):
        self.run(staff, on_possible="create")
        assert Contact.objects.filter(last_name="Dubois").count() == 2

    def test_merge_writes_a_possible_duplicate_into_its_match(self, staff, base):
        _leon, claire = base
        batch = self.run(staff, on_possible="merge")
        claire.refresh_from_db()
        assert Contact.objects.filter(last_name="Dubois").count() == 1
        assert claire.email == "claire.dubois@federation.example"
        assert claire.job_title == "Présidente"
        assert batch.merged_count == 1

    def test_skip_leaves_a_possible_duplicate_out(self, staff, base):
        self.run(staff, on_possible="skip")
        assert Contact.objects.filter(last_name="Dubois").count() == 1

    def test_a_choice_on_a_line_wins_over_the_rule(self, staff, base):
        leon, claire = base
        self.run(
            staff, on_duplicate="update", on_possible="create", choices={9: "merge", 3: "skip"}
        )
        claire.refresh_from_db()
        leon.refresh_from_db()
        assert Contact.objects.filter(last_name="Dubois").count() == 1
        assert claire.job_title == "Présidente"
        assert leon.job_title == ""

    def test_it_refuses_an_unknown_rule(self, staff, base):
        with pytest.raises(ValidationError):
            self.run(staff, on_duplicate="delete")
        assert Contact.objects.count() == 2


class ImportScopeTestCase:
    def test_only_staff_list_imports(self, people):
        good_batch(people.staff)
        assert import_batches_for(user=people.staff).count() == 1
        for user in (people.supplier, people.partner, people.outsider):
            with pytest.raises(PermissionDenied):
                import_batches_for(user=user)


class ImportCountsTestCase:
    def test_a_workbook_date_cell_is_read_as_a_date(self, staff):
        import datetime

        rows = [["Nom", "Date de création"], ["Martin", datetime.datetime(2021, 6, 30, 0, 0)]]
        batch = batch_of(staff, "contacts.xlsx", xlsx_bytes(rows))
        import_batch_run(batch=batch, user=staff)
        assert Contact.objects.get().created_at.date().isoformat() == "2021-06-30"

    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        lines=st.lists(
            st.tuples(
                st.sampled_from(["Martin", "Dubois", "Duboys", "", "Lefèvre"]),
                st.sampled_from(["Paul", "Claire", ""]),
                st.sampled_from(
                    ["", "a@x.example", "b@x.example", "not-an-address", "C@X.example"]
                ),
            ),
            max_size=12,
        )
    )
    def test_every_line_is_counted_once(self, staff, lines):
        with transaction.atomic():
            builders.contact("Claire", "Dubois", email="c@x.example")
            rows = [[last, first, email, "", "", ""] for last, first, email in lines]
            batch = import_batch_run(batch=small_batch(staff, rows), user=staff)
            written = len([line for line in lines if any(line)])
            total = (
                batch.created_count
                + batch.updated_count
                + batch.merged_count
                + batch.report["skipped"]
                + batch.refused_count
            )
            assert batch.row_count == written == total
            assert Contact.objects.count() == 1 + batch.created_count
            transaction.set_rollback(True)
