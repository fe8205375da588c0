"""Progress reports in a real browser: a manager prepares this project's report from the
Reports tab, writes the narrative and issues it; the page shows the sections and the charts
drawn on the server; a viewer opens it from the history and downloads its PDF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from keel.apps.reporting.models import ProgressReport
from tests.conftest import PASSWORD, World
from tests.report_world import CHINESE, draws, reportable


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))


@pytest.mark.django_db(transaction=True)
def test_prepare_issue_and_download(
    page: Any, chromium_browser: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    plan = reportable(world)
    label = plan.first_week.label
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _sign_in(page, base, world.manager.email)
    page.goto(f"{base}/projects/{world.project.pk}/")
    page.get_by_test_id("tab-reports").click()
    page.wait_for_url(re.compile(r"/reports/$"))
    expect(page.get_by_test_id("no-reports")).to_be_visible()
    # The page offers the last and the current week; this report is on the project's first.
    expect(page.locator("[data-testid^=prepare-20]")).to_have_count(2)
    page.fill("#id_period", label)
    page.get_by_test_id("prepare-other").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_test_id("report-status")).to_have_text("Draft")
    expect(page.get_by_test_id("section-summary")).to_be_visible()
    expect(page.get_by_test_id("chart-s-curve").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("section-done")).to_contain_text("Design")
    expect(page.get_by_test_id("section-next")).to_contain_text(CHINESE)

    page.fill("#id_narrative", "Design is done; the review starts on Thursday.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("issue-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Issued")
    expect(page.get_by_test_id("narrative")).to_contain_text("the review starts on Thursday")
    expect(page.get_by_test_id("deliveries")).to_contain_text("viewer@example.com")
    assert ProgressReport.objects.get().is_issued

    # A viewer finds it in the history and downloads the PDF.
    page.context.clear_cookies()
    _sign_in(page, base, world.viewer.email)
    page.goto(f"{base}/projects/{world.project.pk}/reports/")
    row = page.locator(f"[data-testid=report-row][data-period='{label}']")
    expect(row).to_contain_text("Issued")
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_test_id("narrative-form")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{world.project.code}-{label}.pdf"
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-") and draws(pdf, CHINESE)
    assert errors == []
