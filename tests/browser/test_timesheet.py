"""A week of time in a real browser: a member types hours into the grid (each cell saved by
htmx as they leave it, a refused 30 shown under its cell), adds a row with the picker and
submits the week; on a phone the grid scrolls inside its card; the manager approves it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from keel.apps.planning.services import task_create
from keel.apps.tracking.models import TimeEntry
from tests.conftest import PASSWORD, World

WEEK = "2026-W11"  # 9 to 15 March 2026; the world's project starts on 2 March


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))


def _type(page: Any, task_id: int, day: str, hours: str) -> None:
    cell = page.locator(f"#hours-{task_id}-{day}")
    cell.fill(hours)
    with page.expect_response(re.compile(r"/cell/$")):
        cell.press("Tab")


@pytest.mark.django_db(transaction=True)
def test_a_week_typed_submitted_and_approved(
    page: Any, chromium_browser: Any, live_server: Any, world: World
) -> None:
    design = task_create(
        actor=world.owner, project=world.project, name="Design", assignee_ids=[world.member.pk]
    )
    code = task_create(actor=world.owner, project=world.project, name="Code")
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _sign_in(page, base, world.member.email)
    page.get_by_test_id("nav-timesheet").first.click()
    page.wait_for_url(re.compile(r"/timesheet/\d{4}-W\d{2}/$"))
    page.goto(f"{base}/timesheet/{WEEK}/")
    row = page.locator(f"[data-testid=timesheet-row][data-task='{design.pk}']")
    assert row.is_visible()

    _type(page, design.pk, "20260309", "7.5")
    expect(row.get_by_test_id("row-total")).to_have_text("7.5")
    expect(row.get_by_test_id("row-status")).to_have_text("Draft")

    # 30 hours: refused under the cell, nothing saved; then corrected.
    _type(page, design.pk, "20260310", "30")
    error = page.get_by_test_id("cell-error")
    expect(error).to_have_text("A day has at most 24 hours.")
    assert page.locator(f"#hours-{design.pk}-20260310").input_value() == "30"
    assert TimeEntry.objects.count() == 1
    _type(page, design.pk, "20260310", "8")
    expect(page.get_by_test_id("cell-error")).to_have_count(0)  # waits for the swap
    expect(page.get_by_test_id("week-total")).to_have_text("15.5")

    # Another task through the row picker, then two hours on Wednesday.
    page.get_by_test_id("row-picker").select_option(str(code.pk))
    page.get_by_test_id("add-row").click()
    page.locator(f"#hours-{code.pk}-20260311").wait_for()
    assert re.search(rf"/timesheet/{WEEK}/\?add={code.pk}$", page.url)
    _type(page, code.pk, "20260311", "2")
    expect(page.locator("#day-total-2")).to_have_text("2")
    expect(page.get_by_test_id("week-total")).to_have_text("17.5")

    # Typing and submitting straight away: the cell's save goes first.
    cell = page.locator(f"#hours-{code.pk}-20260312")
    cell.fill("1")
    page.get_by_test_id("submit-week").click()
    page.get_by_text("4 entries of 2026-W11 were sent for approval.").wait_for()
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}
    assert TimeEntry.objects.count() == 4
    expect(page.locator(f"#hours-{design.pk}-20260309")).to_have_count(
        0
    )  # waits for the swap  # read-only now
    expect(row.get_by_test_id("row-status")).to_have_text("Submitted")

    # On a phone the grid scrolls inside its card; the page itself does not.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, width
    grid = page.locator(".table-responsive").first
    assert grid.evaluate("el => el.scrollWidth > el.clientWidth")

    # The manager approves the week on the project's Time page.
    manager = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    mpage = manager.new_page()
    mpage.set_default_timeout(15_000)
    mpage.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(mpage, base, world.manager.email)
    mpage.goto(f"{base}/projects/{world.project.pk}/time/")
    card = mpage.get_by_test_id("person-week").first
    assert "18.5 h" in card.get_by_test_id("person-week-total").inner_text()
    card.get_by_test_id("approve").click()
    mpage.get_by_text("No time is waiting for approval.").wait_for()
    manager.close()
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"approved"}
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


@pytest.mark.django_db(transaction=True)
def test_the_submit_button_that_appears_after_the_first_entry_works(
    page: Any, chromium_browser: Any, live_server: Any, world: World
) -> None:
    """An empty week has no Submit button; the first saved cell brings it (out of band), and
    it must be a working form, not a button the browser pulled out of its form."""
    design = task_create(
        actor=world.owner, project=world.project, name="Design", assignee_ids=[world.member.pk]
    )
    _sign_in(page, live_server.url, world.member.email)
    page.goto(f"{live_server.url}/timesheet/{WEEK}/")
    expect(page.get_by_test_id("submit-week")).to_have_count(0)
    _type(page, design.pk, "20260309", "2")
    button = page.get_by_test_id("submit-week")
    expect(button).to_be_visible()
    button.click()
    page.get_by_text("1 entry of 2026-W11 was sent for approval.").wait_for()
    assert list(TimeEntry.objects.values_list("status", flat=True)) == ["submitted"]
