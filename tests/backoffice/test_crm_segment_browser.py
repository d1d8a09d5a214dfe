"""In Chromium: staff build a workshop invitation list, see its live count and explanation under the
strict CSP, save it and export it."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from micedesk.crm.models import AuditAction, AuditEntry, InteractionKind, Purpose, Segment
from tests.crm import builders


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser."""
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


@pytest.fixture
def workshop(db):
    seminar = builders.topic("seminaires", "Séminaires")
    month_ago = timezone.localdate() - datetime.timedelta(days=30)
    earlier = builders.bureau_action("Workshop Lille", starts_on=month_ago, topics=[seminar])
    workshop = builders.bureau_action("Workshop Paris", department_code="75", topics=[seminar])
    for name in ("Able", "Baker", "Carter"):
        guest = builders.contact(name, "Guest", topics=[seminar], department_code="92")
        builders.consent(guest, Purpose.INVITATIONS)
    builders.contact("No", "Basis", topics=[seminar], department_code="75")
    builders.interaction(guest, InteractionKind.INVITED, action=earlier)
    return workshop


@pytest.mark.browser
class SegmentBrowserTestCase:
    def test_staff_build_a_workshop_list_and_export_it(self, page, client, people, workshop):
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:segments"))
        page.get_by_test_id("segment-new-workshop_invitation").click()

        page.locator("#id_name").fill("Paris 2026")
        page.locator("#id_workshop").select_option(str(workshop.pk))
        count = page.get_by_test_id("preview-count")
        expect(count).to_have_attribute("data-count", "3")
        expect(page.locator('#segment-preview [data-step="basis"]')).to_have_attribute(
            "data-excluded", "1"
        )
        page.locator("#id_limit").fill("2")
        expect(count).to_have_attribute("data-count", "2")

        page.get_by_test_id("segment-save").click()
        expect(page.get_by_test_id("segment-count")).to_have_attribute("data-count", "2")
        steps = page.get_by_test_id("segment-explanation").locator("li")
        expect(steps).to_have_count(6)
        expect(page.get_by_test_id("segment-contacts").locator("tbody tr")).to_have_count(2)

        with page.expect_download() as download_info:
            page.get_by_test_id("export-csv").click()
        download = download_info.value
        assert download.suggested_filename.startswith("paris-2026-")
        assert download.suggested_filename.endswith(".csv")
        text = Path(download.path()).read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows) == 3
        segment = Segment.objects.get()
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_id=segment.pk)
        assert entry.actor == people.staff and entry.details["count"] == 2
        assert problems == []
