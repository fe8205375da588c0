"""The Kanban board in a real browser: drag a card from To do to In progress and within a
column (SortableJS), see the database and the page agree; drag a card to Blocked and answer
the prompt for a reason (and cancel it once); use the "Move to…" menu with the keyboard; and
on a phone the columns scroll sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keel.apps.planning.models import Task, TaskStatus
from keel.apps.planning.services import task_create
from keel.apps.projects.models import Project
from tests.conftest import World
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))


def _three_tasks(world: World) -> tuple[Task, Task, Task]:
    project = world.project
    made = [
        task_create(actor=world.manager, project=project, name=name, owner_id=world.member.pk)
        for name in ("Survey site", "Pour concrete", "Raise walls")
    ]
    a, b, c = (Task.objects.get(pk=t.pk) for t in made)
    return a, b, c


def _drag(page: Any, card: Any, to: Any, *, above: bool = False) -> None:
    """Press the card's handle, move in steps (SortableJS follows the pointer), release over
    `to`: its upper part when `above`, else its middle."""
    handle = card.locator("[data-testid=drag-handle]")
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    box = to.bounding_box()
    y = box["y"] + (min(12, box["height"] / 4) if above else box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=20)
    page.mouse.move(box["x"] + box["width"] / 2, y + 1, steps=2)
    page.mouse.up()


def _ids(page: Any, status: str) -> list[int]:
    cards = page.locator(f"#board-cards-all-{status} > [data-testid=board-card]")
    return [int(i) for i in cards.evaluate_all("els => els.map(e => e.dataset.task)")]


def _db_order(project: Project, status: str) -> list[int]:
    return list(
        Task.objects.filter(project=project, status=status)
        .order_by("board_position", "pk")
        .values_list("pk", flat=True)
    )


def _wait_first(page: Any, status: str, task: Task) -> None:
    """Until `task` is the first card of the column (a function, not an expression:
    Playwright evaluates expressions with eval(), which the content security policy forbids)."""
    page.wait_for_function(
        "([status, id]) => document.querySelector(`#board-cards-all-${status} > li`)"
        "?.dataset.task === String(id)",
        arg=[status, task.pk],
    )


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_drag_cards_between_and_within_columns(page: Any, live_server: Any, world: World) -> None:
    a, b, c = _three_tasks(world)
    project = world.project
    errors = _console_errors(page)
    base = live_server.url
    _sign_in(page, base, world.member.email)
    page.goto(f"{base}/projects/{project.pk}/board/")
    assert _ids(page, "todo") == [a.pk, b.pk, c.pk]

    # To do -> In progress.
    card = page.locator(f"#card-{b.pk}")
    with page.expect_response(lambda r: "/board-move/" in r.url) as answer:
        _drag(page, card, page.locator("#board-cards-all-in_progress"))
    assert answer.value.status == 200
    page.locator(f"#board-cards-all-in_progress #card-{b.pk}").wait_for()
    moved = Task.objects.get(pk=b.pk)
    assert moved.status == TaskStatus.IN_PROGRESS
    assert moved.actual_start is not None
    assert _ids(page, "todo") == [a.pk, c.pk]
    assert _ids(page, "in_progress") == [b.pk]
    count = page.locator("#board-head-in_progress [data-testid=board-count]")
    assert count.inner_text().strip() == "1"
    # The card carries its new version, ready for the next move.
    assert page.locator(f"#card-{b.pk}").get_attribute("data-version") == str(moved.version)

    # Within To do: Raise walls above Survey site.
    with page.expect_response(lambda r: "/board-move/" in r.url) as answer:
        _drag(page, page.locator(f"#card-{c.pk}"), page.locator(f"#card-{a.pk}"), above=True)
    assert answer.value.status == 200
    _wait_first(page, "todo", c)
    assert _db_order(project, TaskStatus.TODO) == [c.pk, a.pk]
    assert _ids(page, "todo") == [c.pk, a.pk]
    assert Task.objects.get(pk=c.pk).status == TaskStatus.TODO

    # The page after a reload says the same.
    page.reload()
    assert _ids(page, "todo") == [c.pk, a.pk]
    assert _ids(page, "in_progress") == [b.pk]
    assert not errors, errors


def test_blocked_asks_for_a_reason(page: Any, live_server: Any, world: World) -> None:
    a, b, _c = _three_tasks(world)
    errors = _console_errors(page)
    base = live_server.url
    _sign_in(page, base, world.member.email)
    page.goto(f"{base}/projects/{world.project.pk}/board/")
    dialog = page.locator("[data-testid=blocked-dialog]")
    blocked = page.locator("#board-cards-all-blocked")

    # Cancelled: the card goes back and nothing is saved.
    _drag(page, page.locator(f"#card-{a.pk}"), blocked)
    dialog.wait_for(state="visible")
    assert "Survey site" in dialog.inner_text()
    dialog.locator("[data-blocked-cancel]").click()
    dialog.wait_for(state="hidden")
    assert _ids(page, "todo")[0] == a.pk
    assert _ids(page, "blocked") == []
    assert Task.objects.get(pk=a.pk).status == TaskStatus.TODO

    # Answered: saved with the reason, shown on the card.
    _drag(page, page.locator(f"#card-{a.pk}"), blocked)
    dialog.wait_for(state="visible")
    page.fill("#board-blocked-reason", "Waiting for the permit")
    with page.expect_response(lambda r: "/board-move/" in r.url) as answer:
        dialog.locator("button[type=submit]").click()
    assert answer.value.status == 200
    reason = page.locator(f"#board-cards-all-blocked #card-{a.pk} [data-testid=blocked-reason]")
    reason.wait_for()
    assert "Waiting for the permit" in reason.inner_text()
    task = Task.objects.get(pk=a.pk)
    assert (task.status, task.blocked_reason) == (TaskStatus.BLOCKED, "Waiting for the permit")

    # A refusal (someone else changed the card meanwhile) puts the card back with the reason.
    fresh = Task.objects.get(pk=b.pk)
    Task.objects.filter(pk=b.pk).update(version=fresh.version + 1)
    with page.expect_response(lambda r: "/board-move/" in r.url) as answer:
        _drag(page, page.locator(f"#card-{b.pk}"), page.locator("#board-cards-all-in_review"))
    assert answer.value.status == 409
    page.locator("[data-testid=board-note]").first.wait_for()
    assert b.pk in _ids(page, "todo") and _ids(page, "in_review") == []
    assert page.locator(f"#card-{b.pk}").get_attribute("data-version") == str(fresh.version + 1)
    assert Task.objects.get(pk=b.pk).status == TaskStatus.TODO
    assert not [e for e in errors if "409" not in e], errors


def test_the_move_menu_and_a_phone(page: Any, live_server: Any, world: World) -> None:
    a, _b, c = _three_tasks(world)
    errors = _console_errors(page)
    base = live_server.url
    _sign_in(page, base, world.member.email)
    page.goto(f"{base}/projects/{world.project.pk}/board/")
    # A drag first: SortableJS leaves styles behind, which must not trouble the next swap.
    with page.expect_response(lambda r: "/board-move/" in r.url):
        _drag(page, page.locator(f"#card-{c.pk}"), page.locator(f"#card-{a.pk}"), above=True)
    _wait_first(page, "todo", c)

    # The "Move to…" menu, with the keyboard.
    card = page.locator(f"#card-{a.pk}")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    card.locator("select[name=status]").select_option("in_review")
    with page.expect_response(lambda r: "/board-move/" in r.url):
        card.locator("form.keel-move-form button[type=submit]").click()
    page.locator(f"#board-cards-all-in_review #card-{a.pk}").wait_for()
    assert Task.objects.get(pk=a.pk).status == TaskStatus.IN_REVIEW
    # The keyboard stays on the moved card.
    page.wait_for_function(
        "id => document.activeElement?.closest('#card-' + id) !== null", arg=a.pk
    )
    assert not errors, errors

    # On a phone the columns scroll sideways inside the board; the page itself does not.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    scroller = page.locator(".keel-board-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
