"""The Gantt chart in a real browser: drag a bar and the task gets a "start no earlier than"
constraint, its successors move and the page lists what moved; drag a bar's end and its
duration changes; a drop on a weekend changes nothing; a viewer cannot drag; a stale version
is answered and the chart reloaded; the zoom survives a reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from keel.apps.accounts.models import User
from keel.apps.planning.models import Task
from keel.apps.planning.services import dependency_create, task_create, task_update
from tests.conftest import World

D = dt.date
DAY_PX = 28  # the day zoom's width of a day (gantt.js PX_PER_DAY.day)

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Plan:
    build: Task  # summary of design and code
    design: Task  # 3 days from Monday 2 March 2026, owned by the member
    code: Task  # 5 days after design: Thursday 5 to Wednesday 11 March, owned by the member
    launch: Task  # a milestone after code


@pytest.fixture
def plan(world: World) -> Plan:
    m, p = world.manager, world.project
    build = task_create(actor=m, project=p, name="Build")
    design = task_create(
        actor=m, project=p, name="Design", parent_id=build.pk, duration_days=Decimal("3")
    )
    code = task_create(
        actor=m, project=p, name="Code", parent_id=build.pk, duration_days=Decimal("5")
    )
    launch = task_create(actor=m, project=p, name="Launch", is_milestone=True)
    dependency_create(actor=m, project=p, predecessor_id=design.pk, successor_id=code.pk)
    dependency_create(actor=m, project=p, predecessor_id=code.pk, successor_id=launch.pk)
    Task.objects.filter(pk__in=[design.pk, code.pk]).update(owner=world.member)
    return Plan(*(Task.objects.get(pk=t.pk) for t in (build, design, code, launch)))


@pytest.fixture
def open_gantt(page: Any, live_server: Any, world: World) -> Callable[[User], list[str]]:
    """open_gantt(user) opens the project's chart signed in as `user`; returns the list the
    page's console errors (a refused script or style among them) are collected in."""

    def _open(user: User) -> list[str]:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/projects/{world.project.pk}/gantt/")
        page.wait_for_selector("#keel-gantt[data-state=ready]")
        return errors

    return _open


def _bar(page: Any, task: Task) -> Any:
    return page.locator(f'[data-testid="gantt-bar-{task.pk}"] .kg-task-bar')


def _drag(page: Any, x: float, y: float, dx: float) -> None:
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=4)
    page.mouse.move(x + dx, y, steps=4)
    page.mouse.up()


def _drag_bar(page: Any, task: Task, days: int) -> None:
    box = _bar(page, task).bounding_box()
    _drag(page, box["x"] + 8, box["y"] + box["height"] / 2, days * DAY_PX)


def _drag_end(page: Any, task: Task, days: int) -> None:
    box = _bar(page, task).bounding_box()
    _drag(page, box["x"] + box["width"] - 1, box["y"] + box["height"] / 2, days * DAY_PX)


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_drag_a_bar_moves_the_task_and_its_successors(
    page: Any, world: World, plan: Plan, open_gantt: Any, language: str
) -> None:
    world.member.language = language
    world.member.save(update_fields=["language"])
    errors = open_gantt(world.member)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator('[data-zoom="day"]').get_attribute("aria-pressed") == "true"
    # Thursday 5 March + 4 days = Monday 9 March.
    with page.expect_response(lambda r: r.url.endswith(f"/tasks/{plan.code.pk}/reschedule")):
        _drag_bar(page, plan.code, 4)
    moved = page.get_by_test_id("gantt-moved")
    moved.wait_for()

    code = _fresh(plan.code)
    assert (code.constraint_type, code.constraint_date) == ("snet", D(2026, 3, 9))
    assert (code.start, code.finish) == (D(2026, 3, 9), D(2026, 3, 13))
    assert _fresh(plan.launch).finish == D(2026, 3, 13)  # the successor moved
    assert _fresh(plan.design).start == D(2026, 3, 2)  # the predecessor did not

    # What moved: the summary (its finish), the task and the milestone; the new finish.
    text = moved.inner_text()
    assert "3" in moved.locator(".kg-moved-summary").inner_text()
    for name in ("Build", "Code", "Launch"):
        assert name in text
    assert "Design" not in text
    if language == "zh-hans":
        assert "2026年3月11日" in text and "2026年3月13日" in text
    else:
        assert "Mar 11, 2026" in text and "Mar 13, 2026" in text
    for task in (plan.build, plan.code, plan.launch):
        assert "kg-moved" in page.get_by_test_id(f"gantt-bar-{task.pk}").get_attribute("class")
    assert "kg-moved" not in page.get_by_test_id(f"gantt-bar-{plan.design.pk}").get_attribute(
        "class"
    )
    # The bar now starts 4 days later, where the server put it.
    assert (
        page.get_by_test_id("gantt-finish")
        .inner_text()
        .endswith("2026年3月13日" if language == "zh-hans" else "Mar 13, 2026")
    )
    assert errors == []


def test_drag_a_bars_end_changes_its_duration(
    page: Any, world: World, plan: Plan, open_gantt: Any
) -> None:
    errors = open_gantt(world.member)
    before = float(_bar(page, plan.design).get_attribute("width"))
    with page.expect_response(lambda r: "/reschedule" in r.url):
        _drag_end(page, plan.design, 1)  # Wednesday 4 -> Thursday 5 March
    page.get_by_test_id("gantt-moved").wait_for()
    design = _fresh(plan.design)
    assert design.duration_days == Decimal("4")
    assert (design.finish, design.constraint_type) == (D(2026, 3, 5), "asap")
    assert _fresh(plan.code).start == D(2026, 3, 6)
    after = float(_bar(page, plan.design).get_attribute("width"))  # not the box: it has a halo
    assert after == pytest.approx(before + DAY_PX)
    assert errors == []


def test_a_drop_on_a_weekend_is_refused_and_changes_nothing(
    page: Any, world: World, plan: Plan, open_gantt: Any
) -> None:
    errors = open_gantt(world.member)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/reschedule" in r.url else None)
    x_before = _bar(page, plan.code).bounding_box()["x"]
    _drag_bar(page, plan.code, 2)  # Thursday 5 + 2 = Saturday 7 March
    message = page.get_by_test_id("gantt-message")
    message.wait_for()
    assert "Mar 7, 2026 is not a working day" in message.inner_text()
    assert requests == []
    assert _bar(page, plan.code).bounding_box()["x"] == pytest.approx(x_before, abs=1)
    assert _fresh(plan.code).version == plan.code.version
    assert errors == []


def test_a_viewer_cannot_drag(page: Any, world: World, plan: Plan, open_gantt: Any) -> None:
    errors = open_gantt(world.viewer)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/reschedule" in r.url else None)
    bar = page.get_by_test_id(f"gantt-bar-{plan.code.pk}")
    assert "kg-draggable" not in bar.get_attribute("class")
    x_before = _bar(page, plan.code).bounding_box()["x"]
    _drag_bar(page, plan.code, 4)
    page.wait_for_timeout(300)
    assert requests == []
    assert _bar(page, plan.code).bounding_box()["x"] == pytest.approx(x_before, abs=1)
    assert _fresh(plan.code).version == plan.code.version
    assert "You can look at this chart" in page.locator(".card-footer").inner_text()
    assert errors == []


def test_summary_bars_do_not_drag(page: Any, world: World, plan: Plan, open_gantt: Any) -> None:
    open_gantt(world.manager)
    summary = page.get_by_test_id(f"gantt-bar-{plan.build.pk}")
    assert "kg-draggable" not in summary.get_attribute("class")
    assert "kg-draggable" in page.get_by_test_id(f"gantt-bar-{plan.code.pk}").get_attribute("class")


def test_a_stale_version_says_so_and_reloads_the_chart(
    page: Any, world: World, plan: Plan, open_gantt: Any
) -> None:
    from playwright.sync_api import expect

    errors = open_gantt(world.member)
    # Someone else makes the task longer after the chart was read.
    task_update(
        actor=world.manager,
        task=plan.code,
        version=plan.code.version,
        changes={"duration_days": Decimal("6")},
    )
    width = float(_bar(page, plan.code).get_attribute("width"))
    with page.expect_response(lambda r: "/reschedule" in r.url) as answer:
        _drag_bar(page, plan.code, 4)
    assert answer.value.status == 409
    message = page.get_by_test_id("gantt-message")
    message.wait_for()
    assert "Someone else changed this" in message.inner_text()
    # The chart shows their change now (one working day longer: Thursday 5 to Thursday 12
    # March, a weekend between), and nothing of the drag.
    expect(_bar(page, plan.code)).to_have_attribute("width", str(round(width + DAY_PX)))
    assert _fresh(plan.code).constraint_type == "asap"
    assert [e for e in errors if "409" not in e] == []


def test_the_zoom_and_the_scroll_survive_a_reload(
    page: Any, world: World, plan: Plan, open_gantt: Any
) -> None:
    open_gantt(world.viewer)
    page.get_by_role("button", name="Week").click()
    assert page.locator('[data-zoom="week"]').get_attribute("aria-pressed") == "true"
    page.locator(".kg-viewport").evaluate("v => { v.scrollLeft = 200; }")
    page.wait_for_timeout(400)  # the position is remembered once scrolling stops
    page.reload()
    page.wait_for_selector("#keel-gantt[data-state=ready]")
    assert page.locator('[data-zoom="week"]').get_attribute("aria-pressed") == "true"
    assert page.locator(".kg-viewport").evaluate("v => v.scrollLeft") == pytest.approx(200, abs=2)


def test_the_wbs_tree_folds_a_summary(page: Any, world: World, plan: Plan, open_gantt: Any) -> None:
    open_gantt(world.viewer)
    rows = page.get_by_test_id("gantt-row")

    def names() -> list[str]:
        return [
            " ".join(t.replace("▾", "").replace("▸", "").split()) for t in rows.all_inner_texts()
        ]

    assert names() == ["1 Build", "1.1 Design", "1.2 Code", "2 Launch"]
    page.get_by_role("button", name="Collapse Build").click()
    assert names() == ["1 Build", "2 Launch"]
    assert page.get_by_test_id(f"gantt-bar-{plan.code.pk}").count() == 0
    page.get_by_role("button", name="Expand Build").click()
    assert rows.count() == 4
