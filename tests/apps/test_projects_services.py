"""Project and goal services: validation, permissions, versions, members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keel.apps.projects.models import Goal, Project, ProjectMembership, ProjectRole
from keel.apps.projects.services import (
    MSG_CODE_TAKEN,
    MSG_LAST_MANAGER,
    goal_create,
    goal_update,
    project_create,
    project_member_add,
    project_member_remove,
    project_update,
)
from keel.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..conftest import World


def create(world: World, actor: object, **kw: object) -> Project:
    args: dict[str, object] = {
        "workspace": world.workspace,
        "code": "new",
        "name": "New office",
        "start_date": dt.date(2026, 1, 5),
    }
    args.update(kw)
    return project_create(actor=actor, **args)  # type: ignore[arg-type]


def test_create_makes_the_creator_manager_and_normalises(world: World) -> None:
    p = create(world, world.ws_member, working_weekdays="54321", currency="cny")
    assert (p.code, p.working_weekdays, p.currency) == ("NEW", "12345", "CNY")
    assert ProjectMembership.objects.get(project=p).role == ProjectRole.MANAGER


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("working_weekdays", "189"),
        ("working_weekdays", ""),
        ("currency", "dollars"),
        ("timezone_name", "Mars/Olympus"),
        ("holiday_country", "XX"),
        ("target_finish", dt.date(2025, 1, 1)),
        ("hours_per_day", Decimal("30")),
        ("name", ""),
    ],
)
def test_bad_project_fields_are_refused(world: World, field: str, value: object) -> None:
    with pytest.raises(ValidationFailed) as exc:
        create(world, world.owner, **{field: value})
    assert exc.value.fields
    assert not Project.objects.filter(code="NEW").exists()


def test_duplicate_code_in_workspace(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        create(world, world.owner, code=world.project.code)
    assert exc.value.fields["code"] == [str(MSG_CODE_TAKEN)]


def test_guest_cannot_create_and_outsider_gets_not_found(world: World) -> None:
    with pytest.raises(PermissionDenied):
        create(world, world.viewer)
    with pytest.raises(NotFound):
        create(world, world.outsider)


def test_update_checks_version(world: World) -> None:
    p = world.project
    p2 = project_update(
        actor=world.manager, project=p, version=p.version, changes={"name": "Renamed"}
    )
    assert p2.version == p.version + 1
    with pytest.raises(Conflict):
        project_update(actor=world.owner, project=p, version=p.version, changes={"name": "Lost"})
    p.refresh_from_db()
    assert p.name == "Renamed"


def test_member_cannot_edit_project(world: World) -> None:
    with pytest.raises(PermissionDenied):
        project_update(
            actor=world.member, project=world.project, version=None, changes={"name": "x"}
        )


def test_unknown_field_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        project_update(
            actor=world.manager, project=world.project, version=None, changes={"workspace_id": 9}
        )
    assert "workspace_id" in exc.value.fields


def test_members_need_workspace_membership_and_one_manager_stays(world: World) -> None:
    with pytest.raises(ValidationFailed):
        project_member_add(
            actor=world.manager, project=world.project, user_id=world.outsider.pk, role="member"
        )
    m = project_member_add(
        actor=world.manager, project=world.project, user_id=world.ws_member.pk, role="viewer"
    )
    assert m.role == "viewer"
    manager = ProjectMembership.objects.get(project=world.project, user=world.manager)
    with pytest.raises(ValidationFailed) as exc:
        project_member_remove(actor=world.owner, membership=manager)
    assert str(MSG_LAST_MANAGER) in exc.value.fields["role"]


def test_goal_progress_and_measurability(world: World) -> None:
    g = goal_create(
        actor=world.manager,
        project=world.project,
        title="Cut defects",
        metric="Open defects",
        direction="down",
        baseline_value=Decimal(40),
        target_value=Decimal(10),
        current_value=Decimal(25),
        due_date=dt.date(2026, 6, 1),
    )
    assert g.is_measurable and g.progress == pytest.approx(0.5)
    vague = goal_create(actor=world.manager, project=world.project, title="Be better")
    assert not vague.is_measurable and vague.progress is None


def test_goal_direction_must_match_target(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        goal_create(
            actor=world.manager,
            project=world.project,
            title="More users",
            direction="up",
            baseline_value=Decimal(100),
            target_value=Decimal(50),
        )
    assert "target_value" in exc.value.fields
    assert not Goal.objects.exists()


def test_goal_edit_is_for_managers(world: World) -> None:
    g = goal_create(actor=world.manager, project=world.project, title="G")
    with pytest.raises(PermissionDenied):
        goal_update(actor=world.member, goal=g, version=g.version, changes={"title": "x"})
    g = goal_update(
        actor=world.admin, goal=g, version=g.version, changes={"current_value": Decimal(3)}
    )
    assert g.version == 2
