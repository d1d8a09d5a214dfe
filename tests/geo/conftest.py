"""Fixtures of the geo tests: the shipped data files, loaded, and copies of them to spoil."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from micedesk.geo.services import reference_data_load

DATA_DIR = Path(settings.BASE_DIR) / "data" / "geo"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def reference_data(db) -> dict:
    """The shipped reference data, loaded; the counts of the load."""
    return reference_data_load(data_dir=DATA_DIR, progress=False)


@pytest.fixture
def data_copy(tmp_path) -> Callable[..., Path]:
    """A copy of the shipped data files in which one file can be changed.

    `data_copy("communes-28.csv", change)` calls `change(header, rows)`, which edits them in
    place, and returns the folder of the copy.
    """

    def copy(name: str | None = None, change: Callable | None = None) -> Path:
        target = tmp_path / "geo"
        shutil.copytree(DATA_DIR, target, dirs_exist_ok=True)
        if name and change:
            header, rows = read_rows(target / name)
            change(header, rows)
            write_rows(target / name, header, rows)
        return target

    return copy
