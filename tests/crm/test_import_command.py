"""`manage.py import_contacts`: the same import from the command line, with a progress bar."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from micedesk.crm.models import Contact, ImportBatch
from tests.crm import builders
from tests.crm.test_imports import GOOD_FILE


@pytest.fixture(autouse=True)
def topics(db):
    builders.topic("seminaires", "Séminaires")
    builders.topic("incentive", "Incentive")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contacts", *args, stdout=out, stderr=err, language="en")
    return out.getvalue(), err.getvalue()


class ImportContactsCommandTestCase:
    def test_it_imports_a_file_and_reports_refused_lines(self):
        out, err = run(str(GOOD_FILE))
        assert "3 contacts created" in out
        assert "5 refused" in out
        assert "line 4, Mél:" in err
        assert Contact.objects.count() == 3
        assert ImportBatch.objects.get().file.read() == GOOD_FILE.read_bytes()

    def test_it_applies_the_rule_for_duplicates(self):
        builders.contact("Léon", "Durand", email="leon.durand@pommeraie.example", job_title="")
        out, _err = run(str(GOOD_FILE), "--on-duplicate", "skip")
        assert "1 skipped" in out
        assert Contact.objects.get(last_name="Durand").job_title == ""

    def test_it_takes_a_mapping(self):
        out, _err = run(str(GOOD_FILE), "--mapping", json.dumps({"Code NAF": "", "Pays": ""}))
        assert "5 contacts created" in out

    def test_it_sets_the_action_contacts_came_from(self):
        action = builders.bureau_action("Workshop démo")
        run(str(GOOD_FILE), "--action", str(action.pk))
        assert Contact.objects.filter(source_action=action).count() == 3

    def test_it_refuses_a_missing_file_an_unknown_action_and_bad_mapping(self, tmp_path):
        with pytest.raises(CommandError):
            run(str(tmp_path / "missing.csv"))
        with pytest.raises(CommandError):
            run(str(GOOD_FILE), "--action", "999")
        with pytest.raises(CommandError):
            run(str(GOOD_FILE), "--mapping", "{not json")
        with pytest.raises(CommandError):
            run(str(GOOD_FILE), "--mapping", json.dumps({"Unknown": "email"}))
        assert not Contact.objects.exists()
