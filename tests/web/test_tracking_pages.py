"""Timesheet pages: the weekly grid and its htmx cells, submission, the project's Time page
with approval, the hours on the task page; every page per role, and query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.planning.models import Task
from keel.apps.planning.services import task_create
from keel.apps.tracking import services
from keel.apps.tracking.models import TimeEntry
from keel.apps.tracking.weeks import Week
from tests.conftest import World
from tests.factories import ProjectFactory, ProjectMembershipFactory

from .conftest import Plan, content

ALL = ("owner", "admin", "manager", "member", "viewer", "ws_member", "outsider")
SEE = {"owner", "admin", "manager", "member", "viewer"}
MANAGE = {"owner", "admin", "manager"}

WEEK = Week(2026, 11)
W = str(WEEK)
MON, TUE = WEEK.days[:2]
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def entry(world: World, plan: Plan) -> TimeEntry:
    """The member's draft: 6 hours on Design on Monday."""
    return services.entry_create(
        actor=world.member, task_id=plan.design.pk, date=MON, hours="6", note="specs"
    )


def expected(role: str, allowed: set[str]) -> int:
    if role in allowed:
        return 200
    return 403 if role in SEE else 404


Url = Callable[[World, Plan, TimeEntry], str]

PAGES: list[tuple[str, Url, set[str]]] = [
    ("my_timesheet", lambda w, p, e: reverse("tracking:timesheet_week", args=[W]), set(ALL)),
    (
        "member_timesheet",
        lambda w, p, e: reverse("tracking:timesheet_week", args=[W]) + f"?user={w.member.pk}",
        MANAGE | {"member"},
    ),
    ("entry", lambda w, p, e: reverse("tracking:entry_edit", args=[e.pk]), MANAGE | {"member"}),
    ("project_time", lambda w, p, e: reverse("tracking:project_time", args=[w.project.pk]), MANAGE),
]


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_per_role(
    world: World,
    plan: Plan,
    entry: TimeEntry,
    login: Any,
    role: str,
    name: str,
    url: Url,
    allowed: set[str],
) -> None:
    response = login(world.user(role)).get(url(world, plan, entry))
    assert response.status_code == expected(role, allowed)


@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_send_anonymous_visitors_to_sign_in(
    world: World, plan: Plan, entry: TimeEntry, name: str, url: Url, allowed: set[str]
) -> None:
    response = Client().get(url(world, plan, entry))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_timesheet_redirects_to_this_week(world: World, login: Any) -> None:
    r = login(world.member).get(reverse("tracking:timesheet") + "?add=5")
    assert (
        r.status_code == 302 and "/timesheet/" in r["Location"] and r["Location"].endswith("?add=5")
    )
    assert login(world.member).get("/timesheet/2026-W99/").status_code == 404


def test_the_grid_shows_rows_totals_and_the_submit_button(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    html = content(login(world.member).get(reverse("tracking:timesheet_week", args=[W])))
    assert "Design" in html and 'data-testid="submit-week"' in html
    assert f'id="hours-{plan.design.pk}-20260309"' in html and 'value="6"' in html
    assert 'id="week-total"' in html
    # The manager has no tasks of their own: the picker offers the leaf tasks, no summaries
    # and no milestones.
    html = content(login(world.manager).get(reverse("tracking:timesheet_week", args=[W])))
    assert "No tasks this week" in html and 'data-testid="row-picker"' in html
    for task in (plan.design, plan.code):
        assert f'<option value="{task.pk}">' in html
    for task in (plan.summary, plan.launch):
        assert f'<option value="{task.pk}">' not in html
    url = reverse("tracking:timesheet_week", args=[W]) + f"?add={plan.code.pk}"
    html = content(login(world.manager).get(url, **HX))
    assert html.lstrip().startswith('<div id="timesheet"')
    assert f'id="hours-{plan.code.pk}-20260309"' in html


def test_a_manager_reads_a_members_week_without_inputs(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    url = reverse("tracking:timesheet_week", args=[W]) + f"?user={world.member.pk}"
    html = content(login(world.manager).get(url))
    assert "Timesheet of Member" in html and "Design" in html
    assert 'data-testid="cell-input"' not in html and "submit-week" not in html


def _cell(client: Client, task: Task, day: Any, hours: str, version: Any = "") -> Any:
    return client.post(
        reverse("tracking:timesheet_cell", args=[W]),
        {"task": task.pk, "date": day.isoformat(), "hours": hours, "version": version},
        **HX,
    )


def test_typing_hours_saves_the_cell_and_updates_the_totals(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    client = login(world.member)
    r = _cell(client, plan.design, TUE, "7.5")
    assert r.status_code == 200
    html = content(r)
    assert html.lstrip().startswith("<td") and 'value="7.5"' in html
    assert f'id="row-total-{plan.design.pk}"' in html and ">13.5<" in html
    assert 'id="week-total"' in html and 'hx-swap-oob="true"' in html
    assert TimeEntry.objects.get(task=plan.design, date=TUE).hours == 7.5
    # Changing and then clearing the cell.
    r = _cell(client, plan.design, MON, "4", entry.version)
    assert r.status_code == 200
    entry.refresh_from_db()
    assert entry.hours == 4
    r = _cell(client, plan.design, MON, "", entry.version)
    assert r.status_code == 200 and not TimeEntry.objects.filter(pk=entry.pk).exists()


def test_thirty_hours_in_a_cell_is_refused_under_the_cell(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    r = _cell(login(world.member), plan.design, TUE, "30")
    assert r.status_code == 422
    html = content(r)
    assert "A day has at most 24 hours." in html and 'value="30"' in html and "is-invalid" in html
    assert not TimeEntry.objects.filter(date=TUE).exists()


def test_a_stale_cell_is_409_with_the_stored_value(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    services.entry_update(actor=world.member, entry=entry, version=1, changes={"hours": "5"})
    r = _cell(login(world.member), plan.design, MON, "9", 1)
    assert r.status_code == 409
    assert 'value="5"' in content(r)
    entry.refresh_from_db()
    assert entry.hours == 5


def test_a_cell_shown_empty_does_not_overwrite_an_entry_made_meanwhile(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    assert _cell(login(world.member), plan.design, MON, "9").status_code == 409
    entry.refresh_from_db()
    assert entry.hours == 6


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("outsider", 404)])
def test_cells_refuse_those_who_may_not_log(
    world: World, plan: Plan, login: Any, role: str, status: int
) -> None:
    assert _cell(login(world.user(role)), plan.design, MON, "1").status_code == status
    assert not TimeEntry.objects.exists()


def test_a_member_cannot_type_into_another_persons_entry(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    # The cell belongs to the person posting: the manager's post makes the manager's own
    # entry, never changes the member's.
    r = _cell(login(world.manager), plan.design, MON, "1")
    assert r.status_code == 200
    entry.refresh_from_db()
    assert entry.hours == 6 and TimeEntry.objects.filter(user=world.manager).count() == 1
    r = login(world.manager).post(
        reverse("tracking:entry_edit", args=[entry.pk]),
        {"date": "2026-03-09", "hours": "1", "note": "", "version": entry.version},
    )
    assert r.status_code == 403
    r = login(world.viewer).post(reverse("tracking:entry_delete", args=[entry.pk]))
    assert r.status_code == 403
    assert TimeEntry.objects.filter(pk=entry.pk).exists()


def test_submitting_the_week(world: World, plan: Plan, entry: TimeEntry, login: Any) -> None:
    client = login(world.member)
    r = client.post(reverse("tracking:timesheet_submit", args=[W]), **HX)
    assert r.status_code == 200
    html = content(r)
    assert "1 entry of 2026-W11 was sent for approval." in html
    assert "Submitted" in html and "submit-week" not in html
    entry.refresh_from_db()
    assert entry.status == "submitted"
    r = client.post(reverse("tracking:timesheet_submit", args=[W]), **HX)
    assert r.status_code == 422 and "no draft or rejected time" in content(r)
    r = client.post(reverse("tracking:timesheet_submit", args=[W]))
    assert r.status_code == 302


def test_the_entry_page_saves_a_note(world: World, entry: TimeEntry, login: Any) -> None:
    client = login(world.member)
    url = reverse("tracking:entry_edit", args=[entry.pk])
    r = client.post(url, {"date": "2026-03-09", "hours": "6", "note": "Specs, v2", "version": 1})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert (entry.note, entry.version) == ("Specs, v2", 2)
    r = client.post(url, {"date": "2026-03-09", "hours": "30", "note": "", "version": 2})
    assert r.status_code == 422
    r = client.post(url, {"date": "2026-03-09", "hours": "3", "note": "", "version": 1})
    assert r.status_code == 409 and "Someone else changed this" in content(r)
    r = client.post(reverse("tracking:entry_delete", args=[entry.pk]), {"version": 2})
    assert r.status_code == 302 and not TimeEntry.objects.exists()


# ---------------------------------------------------------------- the project's Time page


def _review(client: Client, world: World, entry: TimeEntry, action: str, **data: Any) -> Any:
    entry.refresh_from_db()
    return client.post(
        reverse("tracking:project_time_review", args=[world.project.pk, W, action]),
        {"user": world.member.pk, "entry": [f"{entry.pk}:{entry.version}"], **data},
        **HX,
    )


def test_a_manager_approves_a_week(world: World, entry: TimeEntry, login: Any) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    client = login(world.manager)
    html = content(client.get(reverse("tracking:project_time", args=[world.project.pk])))
    assert 'data-testid="person-week"' in html and "Member · 2026-W11" in html
    r = _review(client, world, entry, "approve")
    assert r.status_code == 200
    assert "Member&#x27;s time of 2026-W11 was approved." in content(r)
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.reviewer == world.manager
    # Approved time is reopened for correction with a comment.
    r = _review(client, world, entry, "reject", comment="Wrong task")
    assert r.status_code == 200
    entry.refresh_from_db()
    assert (entry.status, entry.review_comment) == ("rejected", "Wrong task")


def test_rejecting_needs_a_comment(world: World, entry: TimeEntry, login: Any) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    client = login(world.manager)
    r = _review(client, world, entry, "reject", comment="")
    assert r.status_code == 422 and "Say what to correct" in content(r)
    r = _review(client, world, entry, "reject", comment="Which spec?")
    assert r.status_code == 200
    entry.refresh_from_db()
    assert (entry.status, entry.review_comment) == ("rejected", "Which spec?")
    sheet = content(login(world.member).get(reverse("tracking:timesheet_week", args=[W])))
    assert "Which spec?" in sheet and "Rejected" in sheet


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("viewer", 403), ("outsider", 404)])
def test_only_managers_review(
    world: World, entry: TimeEntry, login: Any, role: str, status: int
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    client = login(world.user(role))
    assert _review(client, world, entry, "approve").status_code == status
    assert _review(client, world, entry, "reject", comment="x").status_code == status
    entry.refresh_from_db()
    assert entry.status == "submitted"


def test_the_time_tab_and_the_menu_follow_the_rights(world: World, plan: Plan, login: Any) -> None:
    tree = reverse("planning:tree", args=[world.project.pk])
    time_url = reverse("tracking:project_time", args=[world.project.pk])
    assert time_url in content(login(world.manager).get(tree))
    for role in ("member", "viewer"):
        html = content(login(world.user(role)).get(tree))
        assert time_url not in html
        assert reverse("tracking:timesheet") in html  # the top menu


def test_the_task_page_shows_its_hours(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    entry.refresh_from_db()
    services.week_approve(
        actor=world.manager,
        project=world.project,
        user_id=world.member.pk,
        week=WEEK,
        entries=[(entry.pk, entry.version)],
    )
    url = reverse("planning:task", args=[plan.design.pk])
    html = content(login(world.viewer).get(url))
    assert 'data-testid="task-hours"' in html and "6 h" in html
    assert "Log time" not in html
    html = content(login(world.member).get(url))
    assert f"{reverse('tracking:timesheet')}?add={plan.design.pk}" in html


# ---------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_time(world: World, projects: int) -> None:
    for n in range(projects):
        project = ProjectFactory(workspace=world.workspace)
        ProjectMembershipFactory(project=project, user=world.member)
        for i in range(3):
            task = task_create(actor=world.owner, project=project, name=f"T{n}.{i}")
            task.assignees.add(world.member)
            services.entry_create(actor=world.member, task_id=task.pk, date=WEEK.days[i], hours="2")


def test_the_timesheet_page_queries_do_not_grow(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    client = login(world.member)
    url = reverse("tracking:timesheet_week", args=[W])
    client.get(url)
    few = _queries(client, url)
    _more_time(world, 4)
    assert content(client.get(url)).count('data-testid="timesheet-row"') == 14
    assert _queries(client, url) == few


def test_the_time_page_queries_do_not_grow(
    world: World, plan: Plan, entry: TimeEntry, login: Any
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    client = login(world.manager)
    url = reverse("tracking:project_time", args=[world.project.pk])
    client.get(url)
    few = _queries(client, url)
    for person in (world.manager, world.owner):
        for day in WEEK.days[:3]:
            services.entry_create(actor=person, task_id=plan.code.pk, date=day, hours="3")
        services.week_submit(actor=person, week=WEEK)
        services.entry_create(actor=person, task_id=plan.code.pk, date=WEEK.next.monday, hours="1")
        services.week_submit(actor=person, week=WEEK.next)
    assert content(client.get(url)).count('data-testid="person-week"') == 5
    assert _queries(client, url) == few
