"""Time entries and timesheets: the rules of logging, submitting and approving time, through
the services and selectors."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from keel.apps.accounts.models import User
from keel.apps.planning.models import Task
from keel.apps.planning.services import task_create
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, can, project_role
from keel.apps.tracking import selectors, services
from keel.apps.tracking.models import EntryStatus, TimeEntry
from keel.apps.tracking.weeks import Week
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..conftest import ROLES, World
from ..factories import ProjectFactory, ProjectMembershipFactory

WEEK = Week(2026, 11)  # Monday 9 March 2026, a week after the world's project starts
MON, TUE, WED = WEEK.days[:3]
H = Decimal


@dataclass
class Plan:
    design: Task  # assigned to the member
    code: Task  # under the summary `build`
    build: Task
    launch: Task  # a milestone


@pytest.fixture
def plan(world: World) -> Plan:
    o, p = world.owner, world.project
    design = task_create(actor=o, project=p, name="Design", assignee_ids=[world.member.pk])
    build = task_create(actor=o, project=p, name="Build")
    code = task_create(actor=o, project=p, name="Code", parent_id=build.pk)
    launch = task_create(actor=o, project=p, name="Launch", is_milestone=True)
    return Plan(design=design, code=code, build=Task.objects.get(pk=build.pk), launch=launch)


def log(user: Any, task: Task, day: dt.date, hours: str, note: str = "") -> TimeEntry:
    return services.entry_create(actor=user, task_id=task.pk, date=day, hours=hours, note=note)


def refs(entries: Any) -> list[tuple[int, int]]:
    return [(e.pk, e.version) for e in TimeEntry.objects.filter(pk__in=[e.pk for e in entries])]


def fields(exc: pytest.ExceptionInfo[Any]) -> dict[str, list[str]]:
    return exc.value.fields  # type: ignore[no-any-return]


# ---------------------------------------------------------------- logging


def test_a_member_logs_time_as_a_draft(world: World, plan: Plan) -> None:
    e = log(world.member, plan.design, MON, "7.5", " specs ")
    assert (e.project_id, e.user_id, e.hours, e.note, e.status) == (
        world.project.pk,
        world.member.pk,
        H("7.5"),
        "specs",
        EntryStatus.DRAFT,
    )
    assert e.history.count() == 1


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("30", services.MSG_HOURS_MAX),
        ("24.01", services.MSG_HOURS_MAX),
        ("0", services.MSG_HOURS_POSITIVE),
        ("-2", services.MSG_HOURS_POSITIVE),
        ("seven", services.MSG_HOURS_NUMBER),
        ("NaN", services.MSG_HOURS_NUMBER),
    ],
)
def test_impossible_hours_are_refused_with_a_field_message(
    world: World, plan: Plan, hours: str, message: Any
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.design, MON, hours)
    assert fields(exc)["hours"] == [str(message)]
    assert not TimeEntry.objects.exists()


def test_more_than_two_decimals_is_refused(world: World, plan: Plan) -> None:
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.design, MON, "1.125")
    assert "hours" in fields(exc)


def test_a_day_holds_at_most_24_hours_across_tasks_and_projects(world: World, plan: Plan) -> None:
    other = ProjectFactory(workspace=world.workspace)
    ProjectMembershipFactory(project=other, user=world.member, role="member")
    elsewhere = task_create(actor=world.owner, project=other, name="Support")
    log(world.member, plan.design, MON, "16")
    log(world.member, elsewhere, MON, "6")
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.code, MON, "2.5")
    assert "24.5" in fields(exc)["hours"][0] and MON.isoformat() in fields(exc)["hours"][0]
    assert exc.value.message == fields(exc)["hours"][0]  # the API shows it as the message too
    log(world.member, plan.code, MON, "2")  # exactly 24 is fine
    log(world.manager, plan.code, MON, "10")  # another person's day is another day
    assert TimeEntry.objects.filter(user=world.member, date=MON).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_cannot_both_pass_the_day_limit(
    world: World, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each save reads the day's total, then writes. Held open between the two, two saves
    of 13 hours would both see 0 and make a 26-hour day, but for the lock on the person."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row locks (it lets one writer in at a time); CI runs this on PostgreSQL"
        )
    check = services._check_day_total

    def slow_check(*args: Any, **kwargs: Any) -> None:
        check(*args, **kwargs)
        time.sleep(0.5)  # widen the window between the check and the write

    monkeypatch.setattr(services, "_check_day_total", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(task: Task) -> None:
        person = User.objects.get(pk=world.member.pk)  # one per thread, as per request
        try:
            barrier.wait()
            log(person, task, MON, "13")
            outcomes.append("saved")
        except ValidationFailed as exc:
            outcomes.append("refused" if "hours" in exc.fields else repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in (plan.design, plan.code)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["refused", "saved"]
    assert [e.hours for e in TimeEntry.objects.filter(date=MON)] == [H("13")]


def test_an_update_counts_the_entry_once(world: World, plan: Plan) -> None:
    e = log(world.member, plan.design, MON, "20")
    log(world.member, plan.code, MON, "4")
    e = services.entry_update(actor=world.member, entry=e, version=1, changes={"hours": "19"})
    assert e.hours == H("19") and e.version == 2
    with pytest.raises(ValidationFailed):
        services.entry_update(actor=world.member, entry=e, version=2, changes={"hours": "20.5"})
    with pytest.raises(ValidationFailed):  # moving it to a day that is already full
        log(world.member, plan.design, TUE, "10")
        e.refresh_from_db()
        services.entry_update(actor=world.member, entry=e, version=2, changes={"date": TUE})
    assert TimeEntry.objects.get(pk=e.pk).date == MON


def test_one_entry_per_task_and_day(world: World, plan: Plan) -> None:
    log(world.member, plan.design, MON, "2")
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.design, MON, "1")
    assert fields(exc)["date"] == [str(services.MSG_CELL_TAKEN)]


def test_summary_tasks_and_milestones_take_no_time(world: World, plan: Plan) -> None:
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.build, MON, "1")
    assert fields(exc)["task_id"] == [str(services.MSG_SUMMARY)]
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.launch, MON, "1")
    assert fields(exc)["task_id"] == [str(services.MSG_MILESTONE)]


def test_no_time_in_the_future_or_before_the_project(world: World, plan: Plan) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Project.objects.filter(pk=world.project.pk).update(timezone="UTC")
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.design, tomorrow + dt.timedelta(days=1), "1")
    assert "date" in fields(exc)
    with pytest.raises(ValidationFailed) as exc:
        log(world.member, plan.design, dt.date(2026, 3, 1), "1")  # the project starts 2 March
    assert "2026-03-02" in fields(exc)["date"][0]
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("owner", None),
        ("admin", None),
        ("manager", None),
        ("member", None),
        ("viewer", PermissionDenied),
        ("ws_member", ValidationFailed),  # the task is invisible: a field message, not a 404
        ("outsider", ValidationFailed),
    ],
)
def test_who_logs_time(world: World, plan: Plan, role: str, error: Any) -> None:
    if error is None:
        assert log(world.user(role), plan.design, MON, "1").user == world.user(role)
    else:
        with pytest.raises(error):
            log(world.user(role), plan.design, MON, "1")
        assert not TimeEntry.objects.exists()


def test_an_archived_project_takes_no_time(world: World, plan: Plan) -> None:
    Project.objects.filter(pk=world.project.pk).update(archived_at=timezone.now())
    with pytest.raises(PermissionDenied):
        log(world.member, plan.design, MON, "1")


def test_only_the_person_changes_their_entries(world: World, plan: Plan) -> None:
    e = log(world.member, plan.design, MON, "3")
    for role in ("manager", "owner"):
        with pytest.raises(PermissionDenied):
            services.entry_update(
                actor=world.user(role), entry=e, version=1, changes={"hours": "1"}
            )
        with pytest.raises(PermissionDenied):
            services.entry_delete(actor=world.user(role), entry=e)
    with pytest.raises(PermissionDenied):
        services.entry_delete(actor=world.viewer, entry=e)
    with pytest.raises(NotFound):
        services.entry_delete(actor=world.outsider, entry=e)
    assert TimeEntry.objects.get(pk=e.pk).hours == H("3")
    services.entry_delete(actor=world.member, entry=e, version=1)
    assert not TimeEntry.objects.exists()


def test_a_stale_version_is_refused_and_changes_nothing(world: World, plan: Plan) -> None:
    e = log(world.member, plan.design, MON, "3")
    services.entry_update(actor=world.member, entry=e, version=1, changes={"note": "first"})
    with pytest.raises(Conflict):
        services.entry_update(actor=world.member, entry=e, version=1, changes={"hours": "8"})
    with pytest.raises(Conflict):
        services.entry_delete(actor=world.member, entry=e, version=1)
    e.refresh_from_db()
    assert (e.hours, e.note, e.version) == (H("3"), "first", 2)


def test_unknown_fields_are_refused(world: World, plan: Plan) -> None:
    e = log(world.member, plan.design, MON, "3")
    with pytest.raises(ValidationFailed) as exc:
        services.entry_update(actor=world.member, entry=e, version=1, changes={"status": "x"})
    assert "status" in fields(exc)


def test_moving_an_entry_to_another_task(world: World, plan: Plan) -> None:
    e = log(world.member, plan.design, MON, "3")
    e = services.entry_update(
        actor=world.member, entry=e, version=1, changes={"task_id": plan.code.pk}
    )
    assert e.task_id == plan.code.pk
    with pytest.raises(ValidationFailed):
        services.entry_update(
            actor=world.member, entry=e, version=2, changes={"task_id": plan.build.pk}
        )


# ---------------------------------------------------------------- submit, approve, reject


@pytest.fixture
def week(world: World, plan: Plan) -> list[TimeEntry]:
    """The member's week: two days on Design, one on Code."""
    return [
        log(world.member, plan.design, MON, "6"),
        log(world.member, plan.design, TUE, "7.5"),
        log(world.member, plan.code, WED, "8", "pairing"),
    ]


def test_submit_sends_the_week_and_locks_it(world: World, plan: Plan, week: list[Any]) -> None:
    log(world.member, plan.design, WEEK.next.monday, "1")  # another week stays a draft
    sent = services.week_submit(actor=world.member, week=WEEK)
    assert len(sent) == 3
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted", "draft"}
    with pytest.raises(ValidationFailed) as exc:
        services.entry_update(actor=world.member, entry=sent[0], version=2, changes={"hours": 1})
    assert exc.value.code == "entry_locked"
    with pytest.raises(ValidationFailed) as exc:
        services.entry_delete(actor=world.member, entry=sent[0])
    assert exc.value.code == "entry_locked"
    with pytest.raises(ValidationFailed) as exc:
        services.week_submit(actor=world.member, week=WEEK)
    assert exc.value.code == "nothing_to_submit"


def test_submit_one_project_only(world: World, plan: Plan, week: list[Any]) -> None:
    other = ProjectFactory(workspace=world.workspace)
    ProjectMembershipFactory(project=other, user=world.member, role="member")
    support = task_create(actor=world.owner, project=other, name="Support")
    log(world.member, support, MON, "1")
    services.week_submit(actor=world.member, week=WEEK, project=other)
    assert TimeEntry.objects.get(task=support).status == "submitted"
    assert TimeEntry.objects.filter(project=world.project, status="draft").count() == 3
    with pytest.raises(PermissionDenied):
        services.week_submit(actor=world.viewer, week=WEEK, project=world.project)


def test_a_manager_approves_and_the_hours_become_actual_work(
    world: World, plan: Plan, week: list[Any]
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    assert selectors.actual_hours_by_task(world.project) == {}
    approved = services.week_approve(
        actor=world.manager,
        project=world.project,
        user_id=world.member.pk,
        week=WEEK,
        entries=refs(week),
    )
    assert {e.status for e in approved} == {"approved"}
    e = TimeEntry.objects.get(pk=week[0].pk)
    assert e.reviewer == world.manager and e.reviewed_at is not None
    assert selectors.actual_hours_by_task(world.project) == {
        plan.design.pk: H("13.5"),
        plan.code.pk: H("8"),
    }
    assert selectors.actual_hours(world.project) == H("21.5")
    assert selectors.task_hours(world.viewer, plan.design).approved == H("13.5")
    with pytest.raises(ValidationFailed) as exc:  # approved time never changes
        services.entry_update(actor=world.member, entry=e, version=e.version, changes={"note": "x"})
    assert str(services.MSG_APPROVED_LOCKED) in exc.value.fields["status"]


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_only_managers_approve(world: World, plan: Plan, week: list[Any], role: str) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    for review in (services.week_approve, services.week_reject):
        with pytest.raises(PermissionDenied):
            review(  # type: ignore[operator]
                actor=world.user(role),
                project=world.project,
                user_id=world.member.pk,
                week=WEEK,
                entries=refs(week),
                **({"comment": "no"} if review is services.week_reject else {}),
            )
    assert set(TimeEntry.objects.values_list("status", flat=True)) == {"submitted"}


def test_approving_what_changed_since_it_was_read_is_a_conflict(
    world: World, plan: Plan, week: list[Any]
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    seen = refs(week)
    # The member logs and submits one more day meanwhile: approving the old view would pass it
    # unseen.
    log(world.member, plan.code, TUE, "1")
    services.week_submit(actor=world.member, week=WEEK)
    with pytest.raises(Conflict):
        services.week_approve(
            actor=world.manager,
            project=world.project,
            user_id=world.member.pk,
            week=WEEK,
            entries=seen,
        )
    stale = [(pk, v - 1) for pk, v in refs(TimeEntry.objects.all())]
    with pytest.raises(Conflict):
        services.week_approve(
            actor=world.manager,
            project=world.project,
            user_id=world.member.pk,
            week=WEEK,
            entries=stale,
        )
    assert not TimeEntry.objects.filter(status="approved").exists()
    services.week_approve(
        actor=world.manager,
        project=world.project,
        user_id=world.member.pk,
        week=WEEK,
        entries=refs(TimeEntry.objects.all()),
    )
    assert TimeEntry.objects.filter(status="approved").count() == 4


def test_nothing_to_approve(world: World, plan: Plan, week: list[Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.week_approve(
            actor=world.manager,
            project=world.project,
            user_id=world.member.pk,
            week=WEEK,
            entries=[],
        )
    assert exc.value.code == "nothing_to_review"
    with pytest.raises(ValidationFailed) as exc:
        services.week_approve(
            actor=world.manager,
            project=world.project,
            user_id=world.outsider.pk,
            week=WEEK,
            entries=[],
        )
    assert "user_id" in exc.value.fields


def test_reject_needs_a_comment_and_sends_the_week_back(
    world: World, plan: Plan, week: list[Any]
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    kwargs: dict[str, Any] = {
        "actor": world.manager,
        "project": world.project,
        "user_id": world.member.pk,
        "week": WEEK,
    }
    with pytest.raises(ValidationFailed) as exc:
        services.week_reject(**kwargs, entries=refs(week), comment="  ")
    assert exc.value.fields["comment"] == [str(services.MSG_COMMENT)]
    with pytest.raises(ValidationFailed) as exc:
        services.week_reject(**kwargs, entries=refs(week), comment="x" * 501)
    assert "500" in exc.value.fields["comment"][0]
    services.week_reject(**kwargs, entries=refs(week[:1]), comment="Split by task, please")
    e = TimeEntry.objects.get(pk=week[0].pk)
    assert (e.status, e.review_comment, e.reviewer) == (
        "rejected",
        "Split by task, please",
        world.manager,
    )
    # The person corrects it (it stays rejected, with the comment) and submits it again.
    e = services.entry_update(
        actor=world.member, entry=e, version=e.version, changes={"hours": "5"}
    )
    assert e.status == "rejected"
    services.week_submit(actor=world.member, week=WEEK)
    e.refresh_from_db()
    assert (e.status, e.review_comment, e.reviewer) == ("submitted", "", None)


def test_approved_time_is_corrected_by_reopening_it(
    world: World, plan: Plan, week: list[Any]
) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    args: dict[str, Any] = {"project": world.project, "user_id": world.member.pk, "week": WEEK}
    services.week_approve(actor=world.manager, entries=refs(week), **args)
    assert selectors.actual_hours(world.project) == H("21.5")
    services.week_reject(actor=world.owner, entries=refs(week[2:]), comment="Wrong task", **args)
    assert selectors.actual_hours(world.project) == H("13.5")
    e = TimeEntry.objects.get(pk=week[2].pk)
    services.entry_update(
        actor=world.member, entry=e, version=e.version, changes={"task_id": plan.design.pk}
    )
    services.week_submit(actor=world.member, week=WEEK)
    services.week_approve(actor=world.manager, entries=refs([e]), **args)
    assert selectors.actual_hours_by_task(world.project) == {plan.design.pk: H("21.5")}


# ---------------------------------------------------------------- reads


def test_the_week_grid(world: World, plan: Plan, week: list[Any]) -> None:
    services.week_submit(actor=world.member, week=WEEK)
    log(world.member, plan.design, WEEK.days[3], "2")
    sheet = selectors.timesheet(world.member, world.member, WEEK)
    assert [r.task.name for r in sheet.rows] == ["Design", "Code"]
    design, code = sheet.rows
    assert [c.hours for c in design.cells] == [H("6"), H("7.5"), None, H("2"), None, None, None]
    assert design.total == H("15.5") and code.total == H("8")
    assert (design.status, code.status) == ("draft", "submitted")
    assert sheet.day_totals == [H("6"), H("7.5"), H("8"), H("2"), 0, 0, 0]
    assert sheet.total == H("23.5") and sheet.can_submit
    assert [c.editable for c in code.cells][:3] == [True, True, False]  # submitted: read-only
    assert plan.build.pk not in [t.pk for t in sheet.choices]  # no summaries in the picker
    assert plan.launch.pk not in [t.pk for t in sheet.choices]
    assert plan.design.pk not in [t.pk for t in sheet.choices]  # already a row


def test_the_row_picker_adds_a_row(world: World, plan: Plan) -> None:
    sheet = selectors.timesheet(world.member, world.member, WEEK)
    assert [r.task.pk for r in sheet.rows] == [plan.design.pk]
    assert [t.pk for t in sheet.choices] == [plan.code.pk]
    sheet = selectors.timesheet(world.member, world.member, WEEK, add_task_id=plan.code.pk)
    assert [r.task.pk for r in sheet.rows] == [plan.design.pk, plan.code.pk]
    sheet = selectors.timesheet(world.member, world.member, WEEK, add_task_id=plan.build.pk)
    assert len(sheet.rows) == 1  # a summary cannot be added
    viewer_sheet = selectors.timesheet(world.viewer, world.viewer, WEEK)
    assert viewer_sheet.rows == [] and viewer_sheet.choices == []


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("owner", None),
        ("admin", None),
        ("manager", None),
        ("member", PermissionDenied),  # shares the project, manages nothing
        ("viewer", PermissionDenied),
        ("ws_member", NotFound),
        ("outsider", NotFound),
    ],
)
def test_who_reads_someone_elses_timesheet(
    world: World, plan: Plan, week: list[Any], role: str, error: Any
) -> None:
    person = world.member if role != "member" else world.manager
    if error is None:
        sheet = selectors.timesheet_for(world.user(role), WEEK, user_id=person.pk)
        assert not sheet.editable and not sheet.can_submit and sheet.choices == []
    else:
        with pytest.raises(error):
            selectors.timesheet_for(world.user(role), WEEK, user_id=person.pk)


def test_a_manager_sees_only_the_projects_they_manage(
    world: World, plan: Plan, week: list[Any]
) -> None:
    other = ProjectFactory(workspace=world.workspace)
    ProjectMembershipFactory(project=other, user=world.member, role="member")
    ProjectMembershipFactory(project=other, user=world.manager, role="viewer")
    support = task_create(actor=world.owner, project=other, name="Support")
    log(world.member, support, MON, "1")
    sheet = selectors.timesheet_for(world.manager, WEEK, user_id=world.member.pk)
    assert support.pk not in [r.task.pk for r in sheet.rows]
    sheet = selectors.timesheet_for(world.owner, WEEK, user_id=world.member.pk)
    assert support.pk in [r.task.pk for r in sheet.rows]
    mine = selectors.entries_for(world.manager)
    assert support.pk not in [e.task_id for e in mine]
    assert {e.user_id for e in mine} == {world.member.pk}


@pytest.mark.parametrize("role", ROLES)
def test_entry_visibility(world: World, plan: Plan, week: list[Any], role: str) -> None:
    user = world.user(role)
    seen = {e.pk for e in selectors.entries_for(user)}
    manages = role in ("owner", "admin", "manager")
    assert seen == ({e.pk for e in week} if manages or role == "member" else set())
    if role in ("ws_member", "outsider"):
        with pytest.raises(NotFound):
            selectors.entry_get(user, week[0].pk)
    elif role == "viewer":
        with pytest.raises(PermissionDenied):
            selectors.entry_get(user, week[0].pk)
    else:
        assert selectors.entry_get(user, week[0].pk).pk == week[0].pk


def test_pending_approvals_are_grouped_by_person_and_week(
    world: World, plan: Plan, week: list[Any]
) -> None:
    log(world.manager, plan.code, WEEK.previous.monday, "4")
    services.week_submit(actor=world.member, week=WEEK)
    services.week_submit(actor=world.manager, week=WEEK.previous)
    weeks = selectors.person_weeks(world.manager, world.project)
    assert [(w.person, w.week, w.total) for w in weeks] == [
        (world.member, WEEK, H("21.5")),
        (world.manager, WEEK.previous, H("4")),
    ]
    for role in ("member", "viewer"):
        with pytest.raises(PermissionDenied):
            selectors.person_weeks(world.user(role), world.project)
    with pytest.raises(NotFound):
        selectors.person_weeks(world.outsider, world.project)


@pytest.mark.parametrize("role", ROLES)
def test_bulk_roles_agree_with_the_permission_module(world: World, role: str) -> None:
    user = world.user(role)
    archived = ProjectFactory(workspace=world.workspace, archived_at=timezone.now())
    ProjectMembershipFactory(project=archived, user=world.member, role="member")
    projects = [world.project, archived, ProjectFactory()]
    roles = selectors.project_roles(user, projects)
    managed = set(
        Project.objects.filter(selectors.managed_projects_q(user)).values_list("pk", flat=True)
    )
    for p in projects:
        assert roles.get(p.pk) == project_role(user, p)
        assert (p.pk in managed) == (project_role(user, p) == "manager")
        for action in ProjectAction:
            assert selectors.allows(roles, p, action) == can(user, action, p), (p, action)


def test_weeks() -> None:
    assert str(Week.parse("2027-W05")) == "2027-W05"
    assert Week.parse("2027-W05").monday == dt.date(2027, 2, 1)
    assert Week.of(dt.date(2027, 1, 1)) == Week(2026, 53)
    assert Week(2026, 53).next == Week(2027, 1) and Week(2027, 1).previous == Week(2026, 53)
    for bad in ("2027-W54", "2027-W00", "2027W05", "2027-W5", "0999-W01", "2025-W53"):
        with pytest.raises(ValueError):
            Week.parse(bad)
