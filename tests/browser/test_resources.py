"""Resource allocation in a real browser: the task page's assignments panel (loaded by htmx,
a person added at 50%, changed by work, removed, without a reload); the workload grid (an
over-allocated week highlighted, its tasks opened by htmx); an expense with a PNG receipt
recorded, submitted and approved by the manager, who cannot approve their own; and leveling
an over-allocated plan (the preview names the task that moves, Apply moves it)."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from keel.apps.planning.models import Task
from keel.apps.planning.services import schedule_recalculate, task_create
from keel.apps.resources.models import Assignment, Expense
from tests.conftest import PASSWORD, World
from tests.factories import TaskFactory
from tests.factories_resources import AssignmentFactory, ExpenseFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 15_000  # the machine may be loaded: htmx swaps get time, never a sleep


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))


def _watch(page: Any) -> tuple[list[str], list[str]]:
    """The page's console errors and the main frame's navigations (a full load adds one)."""
    errors: list[str] = []
    loads: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("framenavigated", lambda f: loads.append(f.url) if f == page.main_frame else None)
    return errors, loads


def _png() -> bytes:
    """A valid 1x1 PNG (one opaque red pixel), made here rather than shipped."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, then R G B
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- the task's assignments


def test_task_assignments_panel_add_change_remove(
    page: Any, live_server: Any, world: World
) -> None:
    task = task_create(
        actor=world.manager,
        project=world.project,
        name="Pour foundations",
        duration_days=Decimal("5"),
    )
    ann = ResourceFactory(workspace=world.workspace, name="Ann Carter")
    ResourceFactory(workspace=world.workspace, name="Bob Diaz")
    assert world.project.hours_per_day == Decimal("8")
    base = live_server.url
    errors, loads = _watch(page)
    _sign_in(page, base, world.manager.email)

    # The panel is not in the page: it comes by itself (hx-get on load).
    with page.expect_response(re.compile(r"/tasks/\d+/assignments/$")) as first:
        page.goto(base + reverse("planning:task", args=[task.pk]))
    assert first.value.status == 200
    panel = page.get_by_test_id("task-assignments")
    expect(panel).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Loading the assignments…")).to_have_count(0)
    expect(panel).to_contain_text("Nobody is assigned yet.")
    loads.clear()

    # Ann at 50%: 5 days x 8 h x 50% = 20 hours.
    add = page.get_by_test_id("assignment-add")
    add.get_by_label("Person").select_option(label="Ann Carter")
    add.get_by_label("Units (%)").fill("50")
    add.get_by_role("button", name="Assign").click()
    row = page.get_by_test_id("assignment-row")
    expect(row).to_have_count(1, timeout=TIMEOUT)
    expect(row).to_contain_text("Ann Carter")
    assignment = Assignment.objects.get(task=task, resource=ann)
    assert assignment.units == Decimal("50")
    units = page.locator(f"#units-{assignment.pk}")
    work = page.locator(f"#work-{assignment.pk}")
    expect(units).to_have_value("50")
    expect(work).to_have_attribute("placeholder", "20")  # the work, shown in its field
    # Ann is no longer offered; Bob still is.
    person = page.get_by_test_id("assignment-add").get_by_label("Person")
    expect(person.locator("option", has_text="Ann Carter")).to_have_count(0)
    expect(person.locator("option", has_text="Bob Diaz")).to_have_count(1)

    # 30 hours of work instead: the units follow (30 / 40 h = 75%).
    work.fill("30")
    row.get_by_role("button", name="Change").click()
    expect(units).to_have_value("75", timeout=TIMEOUT)
    expect(work).to_have_attribute("placeholder", "30")
    assert Assignment.objects.get(pk=assignment.pk).units == Decimal("75")

    # Removed: the row goes.
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id("assignment-row")).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_test_id("task-assignments")).to_contain_text("Nobody is assigned yet.")
    assert not Assignment.objects.filter(task=task).exists()

    assert loads == [], f"the page was reloaded: {loads}"
    assert not errors, errors


# ---------------------------------------------------------------- the workload


def _over_allocated(world: World) -> tuple[Any, Any]:
    """Ann has two five-day tasks in the week of 2 March (80 h against 40): over. Bob has one
    (40 h against 40): busy, not over."""
    ann = ResourceFactory(workspace=world.workspace, name="Ann Carter")
    bob = ResourceFactory(workspace=world.workspace, name="Bob Diaz")
    for name, who in (("Alpha wall", ann), ("Beta roof", ann), ("Gamma drains", bob)):
        task = TaskFactory(project=world.project, name=name, duration_days=Decimal("5"))
        AssignmentFactory(task=task, resource=who)
    schedule_recalculate(world.project)
    assert Task.objects.get(name="Beta roof").start == dt.date(2026, 3, 2)
    return ann, bob


def _open_workload(page: Any, base: str, world: World) -> None:
    _sign_in(page, base, world.manager.email)
    url = reverse("resources:workload", args=[world.workspace.pk])
    page.goto(f"{base}{url}?start=2026-03-02&weeks=2")


def _cell(page: Any, resource: Any, week: str) -> Any:
    row = page.locator(f"[data-testid=workload-row][data-resource='{resource.pk}']")
    return row.locator(f"[data-testid=workload-cell][data-week='{week}']")


def test_workload_over_allocated_cell_opens_its_tasks(
    page: Any, live_server: Any, world: World
) -> None:
    ann, bob = _over_allocated(world)
    errors, loads = _watch(page)
    _open_workload(page, live_server.url, world)

    over, busy = _cell(page, ann, "2026-W10"), _cell(page, bob, "2026-W10")
    expect(over).to_have_attribute("data-over", "1")
    expect(over).to_have_class(re.compile(r"\bkeel-wl-over\b"))
    expect(over).to_contain_text("80/40")
    expect(over).to_contain_text("over capacity")  # said to screen readers too
    expect(busy).not_to_have_attribute("data-over", "1")
    expect(busy).to_contain_text("40/40")
    expect(page.locator("[data-testid=workload-cell][data-over]")).to_have_count(1)

    # Opening the cell swaps in the tasks behind it, in the page.
    loads.clear()
    before = page.url
    with page.expect_response(re.compile(r"/workload/2026-W10/$")) as answer:
        over.locator("a").click()
    assert answer.value.status == 200
    detail = page.locator("#workload-detail [data-testid=workload-detail]")
    expect(detail).to_be_visible(timeout=TIMEOUT)
    expect(detail).to_contain_text("Ann Carter · 2026-W10")
    expect(detail.get_by_test_id("detail-hours")).to_have_text("80 h of 40 h")
    tasks = detail.get_by_test_id("detail-task")
    expect(tasks).to_have_count(2)
    expect(tasks.filter(has_text="Alpha wall")).to_have_count(1)
    expect(tasks.filter(has_text="Beta roof")).to_have_count(1)
    expect(detail).not_to_contain_text("Gamma drains")
    assert page.url == before and loads == [], loads
    assert not errors, errors


def _corner_pixel(cell: Any) -> tuple[int, int, int]:
    """The colour the browser paints in the cell's top-left corner (padding, no text)."""
    shot = Image.open(io.BytesIO(cell.screenshot())).convert("RGB")
    r, g, b = shot.getpixel((3, 3))
    return r, g, b


def test_workload_over_allocated_cell_is_highlighted(
    page: Any, live_server: Any, world: World
) -> None:
    ann, _bob = _over_allocated(world)
    _open_workload(page, live_server.url, world)
    over, free = _cell(page, ann, "2026-W10"), _cell(page, ann, "2026-W11")
    expect(over).to_have_attribute("data-over", "1")
    expect(free).to_contain_text("0/40")
    # What the eye sees, whichever CSS does it: the over cell is tinted red, a free one not.
    over_rgb, free_rgb = _corner_pixel(over), _corner_pixel(free)
    assert over_rgb != free_rgb, (over_rgb, free_rgb)
    assert over_rgb[0] > over_rgb[1] + 8, over_rgb


# ---------------------------------------------------------------- expenses


@pytest.fixture
def receipts(settings: Any, tmp_path: Path) -> Path:
    settings.KEEL_RECEIPTS_ROOT = tmp_path  # the live server runs in this process
    return tmp_path


def test_expense_with_receipt_submitted_and_approved(
    page: Any, chromium_browser: Any, live_server: Any, world: World, receipts: Path
) -> None:
    base = live_server.url
    errors, _loads = _watch(page)
    png = _png()

    # The member records an expense with a receipt, then submits it.
    _sign_in(page, base, world.member.email)
    page.goto(base + reverse("resources:expenses", args=[world.project.pk]))
    form = page.get_by_test_id("expense-form")
    form.get_by_label("Category").select_option("materials")
    form.get_by_label("Date").fill("2026-03-10")
    form.get_by_label("Amount").fill("42.50")
    form.get_by_label("Description").fill("Cement bags")
    form.get_by_label("Receipt").set_input_files(
        {"name": "receipt.png", "mimeType": "image/png", "buffer": png}
    )
    form.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/expenses/\d+/$"))
    status = page.get_by_test_id("expense-status")
    expect(status).to_have_text("Draft")
    expect(page.get_by_test_id("receipt-link")).to_have_text("receipt.png")
    page.get_by_test_id("submit-expense").click()
    expect(status).to_have_text("Submitted", timeout=TIMEOUT)
    expense = Expense.objects.get(description="Cement bags")
    assert (expense.status, expense.amount, expense.claimant_id) == (
        "submitted",
        Decimal("42.50"),
        world.member.pk,
    )
    assert (receipts / expense.receipt.name).read_bytes() == png

    # The manager finds it on the expenses page, checks the receipt and approves it.
    manager = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        mpage = manager.new_page()
        mpage.set_default_timeout(TIMEOUT)
        merrors, _ = _watch(mpage)
        _sign_in(mpage, base, world.manager.email)
        expenses_url = base + reverse("resources:expenses", args=[world.project.pk])
        mpage.goto(expenses_url)
        row = mpage.get_by_test_id("expense-row").filter(has_text="Cement bags")
        expect(row).to_contain_text("Submitted")
        expect(row).to_contain_text("Member")
        row.get_by_role("link", name="Cement bags").click()
        mpage.wait_for_url(re.compile(rf"/expenses/{expense.pk}/$"))
        with mpage.expect_download() as download:
            mpage.get_by_test_id("receipt-link").click()
        assert Path(download.value.path()).read_bytes() == png
        mpage.get_by_test_id("approve-expense").click()
        expect(mpage.get_by_text("The expense was approved.")).to_be_visible(timeout=TIMEOUT)
        expect(mpage.get_by_test_id("expense-status")).to_have_text("Approved")
        expect(mpage.get_by_test_id("approve-expense")).to_have_count(0)
        expense.refresh_from_db()
        assert (expense.status, expense.reviewer_id) == ("approved", world.manager.pk)
        mpage.goto(expenses_url)
        row = mpage.get_by_test_id("expense-row").filter(has_text="Cement bags")
        expect(row).to_contain_text("Approved")

        # Their own submitted expense: no review buttons; a stale or forged approval is
        # refused with the reason in words.
        own = ExpenseFactory(
            project=world.project,
            claimant=world.manager,
            status="submitted",
            description="Site lunch",
        )
        mpage.goto(base + reverse("resources:expense", args=[own.pk]))
        expect(mpage.get_by_test_id("expense-status")).to_have_text("Submitted")
        expect(mpage.get_by_test_id("expense-review")).to_have_count(0)
        expect(mpage.get_by_test_id("approve-expense")).to_have_count(0)
        action = reverse("resources:expense_action", args=[own.pk, "approve"])
        mpage.evaluate(
            """([action, version]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                const token = document.querySelector("input[name=csrfmiddlewaretoken]");
                for (const [name, value] of [
                    ["csrfmiddlewaretoken", token.value], ["version", String(version)],
                ]) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.append(input);
                }
                const button = document.createElement("button");
                button.type = "submit";
                button.id = "forged-approve";
                button.textContent = "Approve";
                form.append(button);
                document.body.append(form);
            }""",
            [action, own.version],
        )
        with mpage.expect_response(re.compile(rf"/expenses/{own.pk}/approve/$")) as answer:
            mpage.locator("#forged-approve").click()
        assert answer.value.status == 403
        problem = mpage.get_by_test_id("expense-problem")
        expect(problem).to_have_text(
            "Nobody approves their own expense; ask someone else who approves expenses.",
            timeout=TIMEOUT,
        )
        expect(mpage.get_by_test_id("expense-status")).to_have_text("Submitted")
        own.refresh_from_db()
        assert own.status == "submitted" and own.reviewer_id is None
        # The refused POST answers 403, which Chromium reports in the console.
        assert not [e for e in merrors if "403" not in e], merrors
    finally:
        manager.close()
    assert not errors, errors


# ---------------------------------------------------------------- leveling


def test_leveling_preview_and_apply(page: Any, live_server: Any, world: World) -> None:
    ann = ResourceFactory(workspace=world.workspace, name="Ann Carter")
    alpha = TaskFactory(project=world.project, name="Alpha wall", duration_days=Decimal("5"))
    beta = TaskFactory(project=world.project, name="Beta roof", duration_days=Decimal("5"))
    for task in (alpha, beta):
        AssignmentFactory(task=task, resource=ann)
    schedule_recalculate(world.project)
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=[alpha.pk, beta.pk])}
    assert {t.finish for t in tasks.values()} == {dt.date(2026, 3, 6)}
    base = live_server.url
    errors, _loads = _watch(page)
    _sign_in(page, base, world.manager.email)
    page.goto(base + reverse("resources:leveling", args=[world.project.pk]))

    # The preview: one of the two moves a week later, behind Ann; the finish follows.
    moves = page.get_by_test_id("move")
    expect(moves).to_have_count(1)
    moved_pk = int(moves.get_attribute("data-task") or 0)
    assert moved_pk in tasks
    moved, stayed = tasks[moved_pk], tasks[({alpha.pk, beta.pk} - {moved_pk}).pop()]
    expect(moves).to_contain_text(moved.name)
    expect(moves).to_contain_text("Ann Carter")
    expect(page.get_by_test_id("moves")).not_to_contain_text(stayed.name)
    expect(moves.locator("td").nth(3)).to_have_text("5")
    old_finish = page.get_by_test_id("old-finish").inner_text().strip()
    new_finish = page.get_by_test_id("new-finish").inner_text().strip()
    assert "(+7 days)" in new_finish, new_finish  # calendar days: Fri 6 to Fri 13
    new_date = new_finish.split(" (")[0]
    assert new_date != old_finish
    # Nothing changed yet.
    assert Task.objects.get(pk=moved_pk).start == dt.date(2026, 3, 2)

    page.get_by_test_id("apply").click()
    expect(page.get_by_text("Leveling applied: 1 task starts later.")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.get_by_test_id("already-level")).to_be_visible()
    expect(page.get_by_test_id("old-finish")).to_have_text(new_date)
    expect(page.get_by_test_id("apply")).to_have_count(0)
    after = Task.objects.get(pk=moved_pk)
    assert (after.start, after.finish) == (dt.date(2026, 3, 9), dt.date(2026, 3, 13))
    assert after.constraint_type == "snet"
    assert Task.objects.get(pk=stayed.pk).start == dt.date(2026, 3, 2)
    assert not errors, errors
