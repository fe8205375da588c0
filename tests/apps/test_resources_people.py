"""People services: the directory, skills, rates, leave, and assignments kept in step with
Task.assigned_units and Task.assignees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.apps.planning import services as planning
from keel.apps.planning.adapters import planned_work_hours
from keel.apps.planning.models import Task
from keel.apps.resources import selectors_people as sel
from keel.apps.resources import services_people as svc
from keel.apps.resources.models import Assignment, CostRate, Leave, Resource
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import World
from tests.factories import TaskFactory, WorkspaceFactory
from tests.factories_resources import AssignmentFactory, ResourceFactory


def _units(task: Task) -> Decimal | None:
    return Task.objects.values_list("assigned_units", flat=True).get(pk=task.pk)


def _assignee_ids(task: Task) -> set[int]:
    return set(task.assignees.values_list("id", flat=True))


@pytest.fixture
def task(world: World) -> Task:
    # 5 days at the project's hours per day
    return TaskFactory(project=world.project, duration_days=Decimal("5"))


# ---------------------------------------------------------------- the directory


def test_resource_for_a_user_takes_their_name_and_only_once(world: World) -> None:
    r = svc.resource_create(actor=world.admin, workspace=world.workspace, user_id=world.member.pk)
    assert r.name == world.member.display_name
    with pytest.raises(ValidationFailed) as exc:
        svc.resource_create(actor=world.owner, workspace=world.workspace, user_id=world.member.pk)
    assert str(svc.MSG_USER_TAKEN) in exc.value.fields["user_id"]


def test_resource_user_must_belong_to_the_workspace(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        svc.resource_create(actor=world.admin, workspace=world.workspace, user_id=world.outsider.pk)
    assert str(svc.MSG_USER_NOT_IN_WS) in exc.value.fields["user_id"]
    assert not Resource.objects.exists()


def test_named_resource_needs_a_name_and_valid_weekdays(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        svc.resource_create(actor=world.admin, workspace=world.workspace, name="  ")
    assert "name" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        svc.resource_create(
            actor=world.admin, workspace=world.workspace, name="Ann", working_weekdays="189"
        )
    assert "working_weekdays" in exc.value.fields


@pytest.mark.parametrize(
    ("role", "error"),
    [("member", PermissionDenied), ("viewer", PermissionDenied), ("outsider", NotFound)],
)
def test_only_owners_and_admins_manage_the_directory(world: World, role: str, error: type) -> None:
    with pytest.raises(error):
        svc.resource_create(actor=world.user(role), workspace=world.workspace, name="Ann")


def test_resource_update_checks_the_version(world: World) -> None:
    r = ResourceFactory(workspace=world.workspace, name="Ann")
    svc.resource_update(actor=world.admin, resource=r, version=1, changes={"role": "Welder"})
    with pytest.raises(Conflict):
        svc.resource_update(actor=world.admin, resource=r, version=1, changes={"role": "Fitter"})
    r.refresh_from_db()
    assert (r.role, r.version) == ("Welder", 2)


def test_resource_with_assignments_is_deactivated_not_deleted(world: World, task: Task) -> None:
    a = AssignmentFactory(task=task, resource__workspace=world.workspace)
    with pytest.raises(ValidationFailed) as exc:
        svc.resource_delete(actor=world.admin, resource=a.resource)
    assert exc.value.code == "resource_in_use"
    svc.resource_deactivate(actor=world.admin, resource=a.resource, version=1)
    a.resource.refresh_from_db()
    assert a.resource.is_active is False
    free = ResourceFactory(workspace=world.workspace)
    svc.resource_delete(actor=world.admin, resource=free)
    assert not Resource.objects.filter(pk=free.pk).exists()


def test_skills_created_on_the_fly_and_levels_checked(world: World) -> None:
    r = ResourceFactory(workspace=world.workspace)
    row = svc.resource_skill_set(actor=world.admin, resource=r, name="Welding", level=4)
    again = svc.resource_skill_set(actor=world.admin, resource=r, name="welding", level=2)
    assert again.pk == row.pk and again.level == 2
    with pytest.raises(ValidationFailed):
        svc.resource_skill_set(actor=world.admin, resource=r, name="Welding", level=6)
    svc.resource_skill_remove(actor=world.admin, resource=r, skill_id=row.skill_id)
    assert not r.skills.exists()


def test_directory_filters_by_skill_and_role(world: World) -> None:
    a = ResourceFactory(workspace=world.workspace, name="Ann", role="Welder")
    ResourceFactory(workspace=world.workspace, name="Bob", role="Fitter")
    skill = svc.resource_skill_set(actor=world.admin, resource=a, name="TIG", level=3).skill
    ws = world.workspace
    assert [r.name for r in sel.resources_for(world.member, ws, skill_id=skill.pk)] == ["Ann"]
    assert [r.name for r in sel.resources_for(world.member, ws, role="fitter")] == ["Bob"]
    assert [r.name for r in sel.resources_for(world.member, ws, search="an")] == ["Ann"]
    with pytest.raises(PermissionDenied):
        sel.resources_for(world.viewer, ws)  # a workspace guest


# ---------------------------------------------------------------- rates and leave


def test_rates_are_for_resource_managers_only(world: World) -> None:
    r = ResourceFactory(workspace=world.workspace)
    rate = svc.rate_create(
        actor=world.admin,
        resource=r,
        effective_from=dt.date(2026, 1, 1),
        standard_rate="50",
        overtime_rate="75.5",
        currency="cny",
    )
    assert (rate.currency, rate.overtime_rate) == ("CNY", Decimal("75.5"))
    for role in ("member", "manager", "ws_member"):
        with pytest.raises(PermissionDenied):
            sel.rates_for(world.user(role), r)
        with pytest.raises(PermissionDenied):
            svc.rate_delete(actor=world.user(role), rate=rate)


def test_rate_refuses_bad_currency_negative_and_a_second_one_per_day(world: World) -> None:
    r = ResourceFactory(workspace=world.workspace)
    day = dt.date(2026, 1, 1)
    args = {"actor": world.admin, "resource": r, "effective_from": day}
    with pytest.raises(ValidationFailed) as exc:
        svc.rate_create(**args, standard_rate="1", overtime_rate="1", currency="US")
    assert "currency" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        svc.rate_create(**args, standard_rate="-1", overtime_rate="1", currency="USD")
    assert "standard_rate" in exc.value.fields
    svc.rate_create(**args, standard_rate="1", overtime_rate="1", currency="USD")
    with pytest.raises(ValidationFailed) as exc:
        svc.rate_create(**args, standard_rate="2", overtime_rate="2", currency="USD")
    assert str(svc.MSG_RATE_DATE_TAKEN) in exc.value.fields["effective_from"]
    assert CostRate.objects.count() == 1


def test_rate_update_checks_the_version(world: World) -> None:
    r = ResourceFactory(workspace=world.workspace)
    rate = svc.rate_create(
        actor=world.admin,
        resource=r,
        effective_from=dt.date(2026, 1, 1),
        standard_rate="50",
        overtime_rate="60",
        currency="USD",
    )
    svc.rate_update(actor=world.admin, rate=rate, version=1, changes={"standard_rate": "55"})
    with pytest.raises(Conflict):
        svc.rate_update(actor=world.admin, rate=rate, version=1, changes={"standard_rate": "9"})
    rate.refresh_from_db()
    assert rate.standard_rate == Decimal("55.00")


def test_leave_by_self_or_managers_and_no_overlap(world: World) -> None:
    own = ResourceFactory(workspace=world.workspace, user=world.member)
    other = ResourceFactory(workspace=world.workspace)
    leave = svc.leave_create(
        actor=world.member, resource=own, start=dt.date(2026, 3, 2), finish=dt.date(2026, 3, 6)
    )
    with pytest.raises(ValidationFailed) as exc:
        svc.leave_create(
            actor=world.admin, resource=own, start=dt.date(2026, 3, 6), finish=dt.date(2026, 3, 9)
        )
    assert "start" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        svc.leave_create(
            actor=world.admin, resource=own, start=dt.date(2026, 4, 6), finish=dt.date(2026, 4, 1)
        )
    assert "finish" in exc.value.fields
    with pytest.raises(PermissionDenied):
        svc.leave_create(
            actor=world.member,
            resource=other,
            start=dt.date(2026, 3, 2),
            finish=dt.date(2026, 3, 2),
        )
    with pytest.raises(NotFound):
        svc.leave_delete(actor=world.outsider, leave=leave)
    svc.leave_delete(actor=world.member, leave=leave, version=1)
    assert not Leave.objects.exists()


# ---------------------------------------------------------------- assignments


def test_units_and_work_agree_with_duration(world: World, task: Task) -> None:
    hours = world.project.hours_per_day
    r = ResourceFactory(workspace=world.workspace)
    a = svc.assignment_set(actor=world.manager, task=task, resource=r, units="50")
    assert sel.work_hours(task, hours, a.units) == (Decimal("2.5") * hours).quantize(
        Decimal("0.01")
    )
    a = svc.assignment_set(
        actor=world.manager, task=task, resource=r, work_hours=5 * hours, version=a.version
    )
    assert a.units == Decimal("100.00")
    assert _units(task) == Decimal("1.0000")
    task.refresh_from_db()
    assert planned_work_hours(task, hours, 0) == 5 * hours


def test_assigned_units_sum_over_assignments_and_clear(world: World, task: Task) -> None:
    r1 = ResourceFactory(workspace=world.workspace)
    r2 = ResourceFactory(workspace=world.workspace)
    a1 = svc.assignment_set(actor=world.manager, task=task, resource=r1, units="50")
    a2 = svc.assignment_set(actor=world.manager, task=task, resource=r2, units="200")
    assert _units(task) == Decimal("2.5000")
    svc.assignment_remove(actor=world.manager, assignment=a1, version=a1.version)
    assert _units(task) == Decimal("2.0000")
    svc.assignment_remove(actor=world.manager, assignment=a2, version=a2.version)
    assert _units(task) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"units": "0"}, "units"),
        ({"units": "-5"}, "units"),
        ({"units": "1000.01"}, "units"),
        ({"units": "abc"}, "units"),
        ({"units": "50", "work_hours": "8"}, "units"),
        ({"work_hours": "0"}, "work_hours"),
    ],
)
def test_assignment_refuses_bad_units_or_work(
    world: World, task: Task, kwargs: dict[str, str], field: str
) -> None:
    r = ResourceFactory(workspace=world.workspace)
    with pytest.raises(ValidationFailed) as exc:
        svc.assignment_set(actor=world.manager, task=task, resource=r, **kwargs)  # type: ignore[arg-type]
    assert field in exc.value.fields
    assert not Assignment.objects.exists()
    assert _units(task) is None


def test_work_refused_on_milestones_and_zero_duration(world: World) -> None:
    r = ResourceFactory(workspace=world.workspace)
    for t in (
        TaskFactory(project=world.project, is_milestone=True, duration_days=0),
        TaskFactory(project=world.project, duration_days=0),
    ):
        with pytest.raises(ValidationFailed) as exc:
            svc.assignment_set(actor=world.manager, task=t, resource=r, work_hours="8")
        assert str(svc.MSG_WORK_NO_DURATION) in exc.value.fields["work_hours"]


def test_assignment_refuses_other_workspace_inactive_and_non_members(
    world: World, task: Task
) -> None:
    cases = [
        (ResourceFactory(workspace=WorkspaceFactory()), svc.MSG_OTHER_WORKSPACE),
        (ResourceFactory(workspace=world.workspace, is_active=False), svc.MSG_INACTIVE),
    ]
    for resource, message in cases:
        with pytest.raises(ValidationFailed) as exc:
            svc.assignment_set(actor=world.manager, task=task, resource=resource)
        assert str(message) in exc.value.fields["resource_id"]
    outside = ResourceFactory(workspace=world.workspace, user=world.ws_member, name="Wes")
    with pytest.raises(ValidationFailed) as exc:
        svc.assignment_set(actor=world.manager, task=task, resource=outside)
    assert "Wes" in exc.value.fields["resource_id"][0]
    assert not task.assignees.exists()


@pytest.mark.parametrize(
    ("role", "error"),
    [("member", PermissionDenied), ("viewer", PermissionDenied), ("ws_member", NotFound)],
)
def test_only_managers_assign(world: World, task: Task, role: str, error: type) -> None:
    r = ResourceFactory(workspace=world.workspace)
    with pytest.raises(error):
        svc.assignment_set(actor=world.user(role), task=task, resource=r)


def test_assignment_set_twice_needs_the_version(world: World, task: Task) -> None:
    r = ResourceFactory(workspace=world.workspace)
    a = svc.assignment_set(actor=world.manager, task=task, resource=r, units="50")
    with pytest.raises(ValidationFailed):
        svc.assignment_set(actor=world.manager, task=task, resource=r, units="60")
    svc.assignment_set(actor=world.manager, task=task, resource=r, units="60", version=a.version)
    with pytest.raises(Conflict):
        svc.assignment_set(
            actor=world.manager, task=task, resource=r, units="70", version=a.version
        )
    assert Assignment.objects.get().units == Decimal("60.00")
    assert _units(task) == Decimal("0.6000")


# ---------------------------------------------------------------- sync with Task.assignees


def test_assigning_a_user_resource_adds_the_assignee_and_removing_drops_it(
    world: World, task: Task
) -> None:
    r = ResourceFactory(workspace=world.workspace, user=world.member)
    a = svc.assignment_set(actor=world.manager, task=task, resource=r, units="50")
    assert _assignee_ids(task) == {world.member.pk}
    # the receiver did not add a second, 100% assignment
    assert list(Assignment.objects.values_list("units", flat=True)) == [Decimal("50.00")]
    svc.assignment_remove(actor=world.manager, assignment=a, version=a.version)
    assert _assignee_ids(task) == set()
    assert _units(task) is None


def test_assignees_set_by_planning_create_assignments_and_resources(world: World) -> None:
    t = planning.task_create(
        actor=world.manager,
        project=world.project,
        name="Weld",
        duration_days=Decimal("3"),
        assignee_ids=[world.member.pk, world.manager.pk],
    )
    rows = Assignment.objects.filter(task=t).select_related("resource")
    assert {a.resource.user_id for a in rows} == {world.member.pk, world.manager.pk}
    assert all(a.units == Decimal("100") for a in rows)
    assert Resource.objects.get(user=world.member).name == world.member.display_name
    assert _units(t) == Decimal("2.0000")
    t.refresh_from_db()
    planning.task_update(
        actor=world.manager, task=t, version=t.version, changes={"assignee_ids": [world.member.pk]}
    )
    assert [a.resource.user_id for a in Assignment.objects.filter(task=t)] == [world.member.pk]
    assert _units(t) == Decimal("1.0000")


def test_assignees_cleared_removes_user_assignments_only(world: World, task: Task) -> None:
    contractor = ResourceFactory(workspace=world.workspace)
    svc.assignment_set(actor=world.manager, task=task, resource=contractor, units="50")
    task.assignees.add(world.member)
    assert Assignment.objects.filter(task=task).count() == 2
    task.assignees.clear()
    assert list(Assignment.objects.filter(task=task)) == [
        Assignment.objects.get(resource=contractor)
    ]
    assert _units(task) == Decimal("0.5000")


def test_assignees_changed_from_the_user_side_follow_too(world: World, task: Task) -> None:
    world.member.assigned_tasks.add(task)
    assert Assignment.objects.filter(task=task, resource__user=world.member).exists()
    world.member.assigned_tasks.remove(task)
    assert not Assignment.objects.filter(task=task).exists()
    assert _units(task) is None


def test_project_people_lists_each_person_with_their_work(world: World, task: Task) -> None:
    r = ResourceFactory(workspace=world.workspace, name="Ann")
    svc.assignment_set(actor=world.manager, task=task, resource=r, units="50")
    other = TaskFactory(project=world.project, duration_days=Decimal("2"))
    svc.assignment_set(actor=world.manager, task=other, resource=r, units="100")
    [person] = sel.project_people(world.viewer, world.project)
    hours = world.project.hours_per_day
    assert person.resource.name == "Ann" and len(person.assignments) == 2
    assert person.work_hours == (Decimal("2.5") * hours + 2 * hours).quantize(Decimal("0.01"))
    with pytest.raises(NotFound):
        sel.project_people(world.ws_member, world.project)
