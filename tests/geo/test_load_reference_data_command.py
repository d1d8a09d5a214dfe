"""`manage.py load_reference_data`: prints what it loaded, shows progress, refuses bad files."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from micedesk.geo.models import Commune


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("load_reference_data", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
class LoadReferenceDataCommandTestCase:
    def test_it_loads_the_shipped_files_and_prints_the_counts(self):
        output = run("--no-progress")
        count = Commune.objects.count()
        assert f"{count} communes ({count} created, 0 updated" in output
        assert "10 partners (10 created" in output

    def test_a_second_run_reports_no_change(self):
        run("--no-progress")
        output = run("--no-progress")
        assert "(0 created, 0 updated, 0 removed, 0 kept)" in output
        assert "10 partners (0 created, 0 updated), territories +0 / -0" in output

    def test_it_reads_another_data_folder(self, data_copy):
        assert "communes" in run("--data-dir", str(data_copy()), "--no-progress")

    def test_it_shows_a_progress_bar_on_stderr(self, capsys):
        run()
        assert "Communes" in capsys.readouterr().err

    def test_it_refuses_a_bad_file_with_a_clear_error(self, data_copy):
        def spoil(header, rows):
            rows[0]["department"] = "99"

        with pytest.raises(CommandError, match="unknown department '99'"):
            run("--data-dir", str(data_copy("communes-28.csv", spoil)))
        assert not Commune.objects.exists()

    def test_it_refuses_a_missing_folder(self, tmp_path):
        with pytest.raises(CommandError, match="is missing"):
            run("--data-dir", str(tmp_path / "nowhere"))
