"""Time entries, timesheets and their approval, through the API: every endpoint for every
role, the field messages of bad input, versions and query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Task
from keel.apps.planning.services import task_create
from keel.apps.tracking import services
from keel.apps.tracking.models import TimeEntry
from keel.apps.tracking.weeks import Week

from ..conftest import ROLES, World
from ..factories import ProjectFactory, ProjectMembershipFactory
from .helpers import PROJECT_EDIT_TASKS, PROJECT_MANAGE, PROJECT_VIEW, assert_error, expect

WEEK = Week(2026, 11)
MON, TUE = WEEK.days[:2]


@pytest.fixture
def tasks(world: World) -> dict[str, Task]:
    o, p = world.owner, world.project
    design = task_create(actor=o, project=p, name="Design", assignee_ids=[world.member.pk])
    build = task_create(actor=o, project=p, name="Build")
    code = task_create(actor=o, project=p, name="Code", parent_id=build.pk)
    return {"design": design, "code": code, "build": Task.objects.get(pk=build.pk)}


@pytest.fixture
def entry(world: World, tasks: dict[str, Task]) -> TimeEntry:
    """The member's draft: 6 hours on Design on Monday."""
    return services.entry_create(
        actor=world.member, task_id=tasks["design"].pk, date=MON, hours="6", note="specs"
    )


def _submitted(world: World, entry: TimeEntry) -> TimeEntry:
    services.week_submit(actor=world.member, week=WEEK)
    return TimeEntry.objects.get(pk=entry.pk)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/time-entries"),
        ("POST", "/time-entries"),
        ("GET", "/time-entries/{e}"),
        ("PATCH", "/time-entries/{e}"),
        ("DELETE", "/time-entries/{e}"),
        ("GET", "/timesheets/2026-W11"),
        ("POST", "/timesheets/2026-W11/submit"),
        ("GET", "/projects/{p}/timesheets"),
        ("POST", "/projects/{p}/timesheets/2026-W11/approve"),
        ("POST", "/projects/{p}/timesheets/2026-W11/reject"),
    ],
)
def test_anonymous_calls_are_401(
    api: Any, world: World, entry: TimeEntry, method: str, path: str
) -> None:
    r = api(None).call(method, path.format(p=world.project.pk, e=entry.pk), {})
    assert_error(r, 401)


# ---------------------------------------------------------------- entries


@pytest.mark.parametrize("role", ROLES)
def test_log_time_by_role(as_role: Any, world: World, tasks: dict[str, Task], role: str) -> None:
    r = as_role(role).post(
        "/time-entries", {"task_id": tasks["design"].pk, "date": "2026-03-09", "hours": 7.5}
    )
    # No role in the project: the task in the body does not exist for them (a field message).
    status = {**PROJECT_EDIT_TASKS, "ws_member": 422, "outsider": 422}[role]
    assert r.status_code == expect({role: status}, role, 201), r.content
    if r.status_code == 201:
        body = r.json()
        assert (body["hours"], body["status"], body["user_id"], body["task_name"]) == (
            "7.50",
            "draft",
            world.user(role).pk,
            "Design",
        )
    elif r.status_code == 422:
        assert_error(r, 422, "validation_error", "task_id")
    else:
        assert_error(r, 403, "permission_denied")
        assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": 30}, "hours"),
        ({"hours": "0"}, "hours"),
        ({"hours": "1.234"}, "hours"),
        ({"hours": "1e20"}, "hours"),
        ({"date": "2099-01-01"}, "date"),
        ({"date": "2026-02-27"}, "date"),
        ({"date": "0001-01-01"}, "date"),
        ({"note": "x" * 501}, "note"),
        ({"task_id": 0}, "task_id"),
    ],
)
def test_bad_input_is_a_field_message_and_changes_nothing(
    as_role: Any, tasks: dict[str, Task], body: dict[str, Any], field: str
) -> None:
    payload = {"task_id": tasks["design"].pk, "date": "2026-03-09", "hours": "8", **body}
    r = as_role("member").post("/time-entries", payload)
    assert_error(r, 422, field=field)
    assert not TimeEntry.objects.exists()


def test_thirty_hours_says_so(as_role: Any, tasks: dict[str, Task]) -> None:
    r = as_role("member").post(
        "/time-entries", {"task_id": tasks["design"].pk, "date": "2026-03-09", "hours": 30}
    )
    body = assert_error(r, 422, "validation_error", "hours")
    assert body["fields"]["hours"] == ["A day has at most 24 hours."]


def test_a_full_day_says_so_in_chinese(
    as_role: Any, tasks: dict[str, Task], entry: TimeEntry
) -> None:
    api = as_role("member")
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    r = api.post("/time-entries", {"task_id": tasks["code"].pk, "date": "2026-03-09", "hours": 20})
    body = assert_error(r, 422, "validation_error", "hours")
    assert "26" in body["message"] and body["fields"]["hours"] == [body["message"]]


def test_summary_tasks_are_refused(as_role: Any, tasks: dict[str, Task]) -> None:
    r = as_role("member").post(
        "/time-entries", {"task_id": tasks["build"].pk, "date": "2026-03-09", "hours": 1}
    )
    assert_error(r, 422, field="task_id")


@pytest.mark.parametrize("role", ROLES)
def test_read_an_entry_by_role(as_role: Any, entry: TimeEntry, role: str) -> None:
    r = as_role(role).get(f"/time-entries/{entry.pk}")
    # The person and the project's managers; other project roles see the project but not
    # another person's time.
    status = {**PROJECT_MANAGE, "member": 200}[role]
    assert r.status_code == status
    if status == 200:
        assert r.json()["note"] == "specs"


@pytest.mark.parametrize("role", ROLES)
def test_list_entries_by_role(as_role: Any, world: World, entry: TimeEntry, role: str) -> None:
    r = as_role(role).get("/time-entries")
    assert r.status_code == 200
    sees = role in ("owner", "admin", "manager", "member")
    assert [e["id"] for e in r.json()["items"]] == ([entry.pk] if sees else [])
    r = as_role(role).get("/time-entries", project_id=world.project.pk)
    assert r.status_code == PROJECT_VIEW[role]


def test_list_filters_and_ordering(
    as_role: Any, world: World, tasks: dict[str, Task], entry: TimeEntry
) -> None:
    services.entry_create(actor=world.member, task_id=tasks["code"].pk, date=TUE, hours="2")
    services.entry_create(actor=world.manager, task_id=tasks["code"].pk, date=TUE, hours="3")
    api = as_role("manager")

    def ids(**query: Any) -> list[Decimal]:
        r = api.get("/time-entries", **query)
        assert r.status_code == 200, r.content
        return [Decimal(e["hours"]) for e in r.json()["items"]]

    assert sorted(ids()) == [2, 3, 6]
    assert ids(user_id=world.member.pk, ordering="date") == [6, 2]
    assert ids(task_id=tasks["code"].pk, ordering="-hours") == [3, 2]
    assert ids(date_from="2026-03-10", date_to="2026-03-10", ordering="hours") == [2, 3]
    assert ids(status="submitted") == []
    assert ids(limit=1, ordering="hours") == [2]
    assert_error(api.get("/time-entries", ordering="note"), 422, field="ordering")
    assert_error(api.get("/time-entries", status="paid"), 422, field="status")
    # A member lists only their own, even when asking for someone else's.
    r = as_role("member").get("/time-entries", user_id=world.manager.pk)
    assert r.json()["count"] == 0


def test_list_queries_do_not_grow(as_role: Any, world: World, tasks: dict[str, Task]) -> None:
    api = as_role("manager")
    services.entry_create(actor=world.member, task_id=tasks["design"].pk, date=MON, hours="1")
    api.get("/time-entries")  # the token's first use is recorded once
    few, _ = api.queries("/time-entries")
    for i, day in enumerate(WEEK.days[1:6]):
        for task in ("design", "code"):
            services.entry_create(
                actor=world.member, task_id=tasks[task].pk, date=day, hours=str(i + 1)
            )
    many, body = api.queries("/time-entries")
    assert body["count"] == 11 and many == few


@pytest.mark.parametrize("role", ROLES)
def test_update_an_entry_by_role(as_role: Any, entry: TimeEntry, role: str) -> None:
    r = as_role(role).patch(f"/time-entries/{entry.pk}", {"hours": "5", "version": 1})
    # Only the person changes their time; managers read it but do not change it.
    status = {**PROJECT_MANAGE, "owner": 403, "admin": 403, "manager": 403, "member": 200}[role]
    assert r.status_code == status, r.content
    entry.refresh_from_db()
    assert entry.hours == (Decimal("5") if status == 200 else Decimal("6"))


def test_update_changes_the_fields_sent_and_checks_the_version(
    as_role: Any, entry: TimeEntry, tasks: dict[str, Task]
) -> None:
    api = as_role("member")
    r = api.patch(f"/time-entries/{entry.pk}", {"note": "", "version": 1})
    assert r.status_code == 200 and r.json()["note"] == "" and r.json()["hours"] == "6.00"
    r = api.patch(f"/time-entries/{entry.pk}", {"hours": "9", "version": 1})
    assert_error(r, 409, "version_conflict", "version")
    r = api.patch(f"/time-entries/{entry.pk}", {"hours": "9"})
    assert_error(r, 422, field="version")
    r = api.patch(f"/time-entries/{entry.pk}", {"hours": None, "version": 2})
    assert_error(r, 422, field="hours")
    r = api.patch(
        f"/time-entries/{entry.pk}",
        {"task_id": tasks["code"].pk, "date": "2026-03-10", "version": 2},
    )
    assert r.status_code == 200 and r.json()["task_id"] == tasks["code"].pk


def test_submitted_and_approved_entries_are_locked(
    as_role: Any, world: World, entry: TimeEntry
) -> None:
    entry = _submitted(world, entry)
    api = as_role("member")
    r = api.patch(f"/time-entries/{entry.pk}", {"hours": "1", "version": entry.version})
    assert_error(r, 422, "entry_locked", "status")
    assert_error(api.delete(f"/time-entries/{entry.pk}"), 422, "entry_locked")


@pytest.mark.parametrize("role", ROLES)
def test_delete_an_entry_by_role(as_role: Any, entry: TimeEntry, role: str) -> None:
    r = as_role(role).delete(f"/time-entries/{entry.pk}")
    status = {**PROJECT_MANAGE, "member": 204, "owner": 403, "admin": 403, "manager": 403}[role]
    assert r.status_code == status
    assert TimeEntry.objects.exists() == (status != 204)


# ---------------------------------------------------------------- timesheets


def test_my_timesheet(as_role: Any, world: World, tasks: dict[str, Task], entry: TimeEntry) -> None:
    services.entry_create(actor=world.member, task_id=tasks["code"].pk, date=TUE, hours="2.5")
    r = as_role("member").get("/timesheets/2026-W11")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["week"], body["start"], body["end"], body["total"]) == (
        "2026-W11",
        "2026-03-09",
        "2026-03-15",
        "8.50",
    )
    assert body["day_totals"][:3] == ["6.00", "2.50", "0.00"]
    assert [(row["task_name"], row["total"], row["status"]) for row in body["rows"]] == [
        ("Design", "6.00", "draft"),
        ("Code", "2.50", "draft"),
    ]
    monday = body["rows"][0]["cells"][0]
    assert (monday["hours"], monday["entry_id"], monday["note"], monday["editable"]) == (
        "6.00",
        entry.pk,
        "specs",
        True,
    )
    assert body["can_submit"] is True


@pytest.mark.parametrize("week", ["2026-W54", "2025-W53", "2026-W00"])
def test_a_bad_week_is_422(as_role: Any, week: str) -> None:
    assert_error(as_role("member").get(f"/timesheets/{week}"), 422, field="iso_week")


def test_a_malformed_week_is_422(as_role: Any) -> None:
    assert as_role("member").get("/timesheets/2026-11").status_code == 422


@pytest.mark.parametrize("role", ROLES)
def test_read_someone_elses_timesheet_by_role(
    as_role: Any, world: World, entry: TimeEntry, role: str
) -> None:
    r = as_role(role).get("/timesheets/2026-W11", user_id=world.member.pk)
    status = {**PROJECT_MANAGE, "member": 200}[role]  # the member reads their own
    assert r.status_code == status, r.content
    if status == 200:
        assert r.json()["total"] == "6.00"
        assert r.json()["can_submit"] is (role == "member")


def test_timesheet_queries_do_not_grow(as_role: Any, world: World) -> None:
    api = as_role("member")
    ProjectMembershipFactory(project=ProjectFactory(workspace=world.workspace), user=world.member)
    task = task_create(actor=world.owner, project=world.project, name="A")
    services.entry_create(actor=world.member, task_id=task.pk, date=MON, hours="1")
    api.get("/timesheets/2026-W11")
    few, _ = api.queries("/timesheets/2026-W11")
    for n in range(4):
        project = ProjectFactory(workspace=world.workspace)
        ProjectMembershipFactory(project=project, user=world.member)
        for i in range(3):
            t = task_create(actor=world.owner, project=project, name=f"T{n}.{i}")
            if i:
                t.assignees.add(world.member)
            services.entry_create(actor=world.member, task_id=t.pk, date=WEEK.days[i], hours="1")
    many, body = api.queries("/timesheets/2026-W11")
    assert len(body["rows"]) == 13 and many == few


@pytest.mark.parametrize("role", ROLES)
def test_submit_by_role(as_role: Any, world: World, tasks: dict[str, Task], role: str) -> None:
    if role in ("owner", "admin", "manager", "member"):
        services.entry_create(
            actor=world.user(role), task_id=tasks["design"].pk, date=MON, hours="1"
        )
    r = as_role(role).post("/timesheets/2026-W11/submit", {"project_id": world.project.pk})
    status = PROJECT_EDIT_TASKS[role]
    assert r.status_code == status, r.content
    if status == 200:
        assert r.json()["rows"][0]["status"] == "submitted"
        assert r.json()["can_submit"] is False


def test_submit_with_nothing_to_send(as_role: Any) -> None:
    assert_error(
        as_role("member").post("/timesheets/2026-W11/submit", {}), 422, "nothing_to_submit"
    )


# ---------------------------------------------------------------- approval


@pytest.mark.parametrize("role", ROLES)
def test_pending_weeks_by_role(as_role: Any, world: World, entry: TimeEntry, role: str) -> None:
    _submitted(world, entry)
    r = as_role(role).get(f"/projects/{world.project.pk}/timesheets")
    assert r.status_code == PROJECT_MANAGE[role]
    if r.status_code == 200:
        [week] = r.json()["items"]
        assert (week["user_id"], week["week"], week["total"], week["status"]) == (
            world.member.pk,
            "2026-W11",
            "6.00",
            "submitted",
        )
        assert [e["id"] for e in week["entries"]] == [entry.pk]


def test_pending_weeks_filters(as_role: Any, world: World, entry: TimeEntry) -> None:
    _submitted(world, entry)
    api = as_role("manager")
    path = f"/projects/{world.project.pk}/timesheets"
    assert api.get(path, week="2026-W10").json()["count"] == 0
    assert api.get(path, week="2026-W11", user_id=world.member.pk).json()["count"] == 1
    assert api.get(path, status="approved").json()["count"] == 0
    assert_error(api.get(path, week="2026-W99"), 422, field="week")


def _review_body(world: World, entry: TimeEntry, **extra: Any) -> dict[str, Any]:
    entry.refresh_from_db()
    return {
        "user_id": world.member.pk,
        "entries": [{"id": entry.pk, "version": entry.version}],
        **extra,
    }


@pytest.mark.parametrize("role", ROLES)
def test_approve_by_role(as_role: Any, world: World, entry: TimeEntry, role: str) -> None:
    _submitted(world, entry)
    r = as_role(role).post(
        f"/projects/{world.project.pk}/timesheets/2026-W11/approve", _review_body(world, entry)
    )
    assert r.status_code == PROJECT_MANAGE[role], r.content
    entry.refresh_from_db()
    assert entry.status == ("approved" if r.status_code == 200 else "submitted")
    if r.status_code == 200:
        assert r.json()["status"] == "approved"
        assert r.json()["entries"][0]["reviewer_id"] == world.user(role).pk


@pytest.mark.parametrize("role", ROLES)
def test_reject_by_role(as_role: Any, world: World, entry: TimeEntry, role: str) -> None:
    _submitted(world, entry)
    r = as_role(role).post(
        f"/projects/{world.project.pk}/timesheets/2026-W11/reject",
        _review_body(world, entry, comment="Which spec?"),
    )
    assert r.status_code == PROJECT_MANAGE[role], r.content
    entry.refresh_from_db()
    assert entry.status == ("rejected" if r.status_code == 200 else "submitted")


def test_review_refusals(as_role: Any, world: World, entry: TimeEntry) -> None:
    entry = _submitted(world, entry)
    api = as_role("manager")
    base = f"/projects/{world.project.pk}/timesheets/2026-W11"
    assert_error(
        api.post(f"{base}/reject", _review_body(world, entry, comment=" ")), 422, field="comment"
    )
    assert_error(api.post(f"{base}/reject", _review_body(world, entry)), 422, field="comment")
    stale = _review_body(world, entry)
    stale["entries"][0]["version"] -= 1
    assert_error(api.post(f"{base}/approve", stale), 409, "version_conflict", "entries")
    assert_error(
        api.post(f"{base}/approve", {**_review_body(world, entry), "entries": []}),
        409,
        "version_conflict",
    )
    assert_error(
        api.post(f"{base.replace('W11', 'W12')}/approve", _review_body(world, entry)),
        409,
        "version_conflict",
    )
    assert_error(
        api.post(f"{base}/approve", {**_review_body(world, entry), "user_id": world.outsider.pk}),
        422,
        field="user_id",
    )
    assert_error(api.post(f"{base}/approve", {"user_id": world.member.pk}), 422, field="entries")
    entry.refresh_from_db()
    assert entry.status == "submitted"
    r = api.post(f"{base}/approve", _review_body(world, entry))
    assert r.status_code == 200
    # Approved time is reopened by rejecting it, with a comment.
    r = api.post(f"{base}/reject", _review_body(world, entry, comment="Wrong task"))
    assert r.status_code == 200 and r.json()["entries"][0]["review_comment"] == "Wrong task"


def test_the_actual_hours_follow_approval(as_role: Any, world: World, entry: TimeEntry) -> None:
    from keel.apps.tracking.selectors import actual_hours_by_task

    _submitted(world, entry)
    assert actual_hours_by_task(world.project) == {}
    as_role("owner").post(
        f"/projects/{world.project.pk}/timesheets/2026-W11/approve", _review_body(world, entry)
    )
    assert actual_hours_by_task(world.project) == {entry.task_id: Decimal("6")}


def test_dates_are_iso(as_role: Any, entry: TimeEntry) -> None:
    body = as_role("member").get(f"/time-entries/{entry.pk}").json()
    assert dt.date.fromisoformat(body["date"]) == MON
