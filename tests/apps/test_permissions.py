"""Every cell of docs/permissions.md, checked through the same functions pages and API use."""

from __future__ import annotations

import pytest

from keel.apps.accounts.permissions import WorkspaceAction, can_workspace
from keel.apps.projects.permissions import ProjectAction, can, require
from keel.apps.projects.selectors import project_get, projects_for
from keel.common.errors import NotFound, PermissionDenied

from ..conftest import ALL_ROLES, World

P = ProjectAction
W = WorkspaceAction

# role -> actions allowed on the world's project (docs/permissions.md, project table)
PROJECT_ALLOWED = {
    "owner": set(P),
    "admin": set(P),
    "manager": set(P),
    "member": {
        P.VIEW,
        P.EDIT_TASKS,
        P.LOG_TIME,
        P.SUBMIT_EXPENSE,
        P.USE_STOCK,
        P.REQUEST_PURCHASE,
        P.BOOK_EQUIPMENT,
    },
    "viewer": {P.VIEW},
    "ws_member": set(),
    "outsider": set(),
    "finance": {
        P.VIEW,
        P.VIEW_FINANCE,
        P.EDIT_BUDGET,
        P.SUBMIT_EXPENSE,
        P.APPROVE_EXPENSE,
        P.APPROVE_PURCHASE,
    },
}
WORKSPACE_ALLOWED = {
    "owner": set(W),
    "admin": {
        W.VIEW,
        W.VIEW_MEMBERS,
        W.MANAGE_MEMBERS,
        W.CREATE_PROJECT,
        W.VIEW_RESOURCES,
        W.MANAGE_RESOURCES,
    },
    "manager": {W.VIEW, W.VIEW_MEMBERS, W.CREATE_PROJECT, W.VIEW_RESOURCES},
    "member": {W.VIEW, W.VIEW_MEMBERS, W.CREATE_PROJECT, W.VIEW_RESOURCES},
    "viewer": {W.VIEW},
    "ws_member": {W.VIEW, W.VIEW_MEMBERS, W.CREATE_PROJECT, W.VIEW_RESOURCES},
    "outsider": set(),
    "finance": {W.VIEW, W.VIEW_MEMBERS, W.CREATE_PROJECT, W.VIEW_RESOURCES},
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", list(P))
def test_project_matrix(fin_world: World, role: str, action: ProjectAction) -> None:
    world = fin_world
    user = world.user(role)
    allowed = action in PROJECT_ALLOWED[role]
    assert can(user, action, world.project) is allowed
    if allowed:
        require(user, action, world.project)
    elif P.VIEW in PROJECT_ALLOWED[role]:
        with pytest.raises(PermissionDenied):
            require(user, action, world.project)
    else:
        with pytest.raises(NotFound):
            require(user, action, world.project)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("action", list(W))
def test_workspace_matrix(fin_world: World, role: str, action: WorkspaceAction) -> None:
    world = fin_world
    assert can_workspace(world.user(role), action, world.workspace) is (
        action in WORKSPACE_ALLOWED[role]
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_project_visibility_in_lists(fin_world: World, role: str) -> None:
    world = fin_world
    visible = list(projects_for(world.user(role)))
    assert (world.project in visible) is (P.VIEW in PROJECT_ALLOWED[role])


def test_invisible_project_is_not_found_not_forbidden(world: World) -> None:
    with pytest.raises(NotFound):
        project_get(world.ws_member, world.project.pk)
    with pytest.raises(NotFound):
        project_get(world.outsider, world.project.pk)


def test_archived_project_is_read_only(world: World) -> None:
    from keel.apps.projects.services import project_archive

    project_archive(actor=world.manager, project=world.project, version=world.project.version)
    world.project.refresh_from_db()
    for role in ("owner", "manager", "member"):
        user = world.user(role)
        user.__dict__.pop("_keel_project_roles", None)
        assert can(user, P.VIEW, world.project)
        assert not can(user, P.EDIT_TASKS, world.project)
        assert not can(user, P.EDIT, world.project)
    assert can(world.manager, P.ARCHIVE, world.project)  # so it can be restored


def test_inactive_user_has_no_rights(world: World) -> None:
    world.manager.is_active = False
    assert not can(world.manager, P.VIEW, world.project)


def test_leaving_the_workspace_takes_project_access_with_it(world: World) -> None:
    from keel.apps.accounts.models import WorkspaceMembership
    from keel.apps.accounts.services import workspace_member_remove
    from keel.apps.projects.models import ProjectMembership

    m = WorkspaceMembership.objects.get(workspace=world.workspace, user=world.manager)
    workspace_member_remove(actor=world.owner, membership=m)
    for attr in ("_keel_workspace_roles", "_keel_project_roles"):
        world.manager.__dict__.pop(attr, None)
    assert not can(world.manager, P.VIEW, world.project)
    assert world.project not in list(projects_for(world.manager))
    assert not ProjectMembership.objects.filter(user=world.manager).exists()


def test_a_lingering_project_membership_without_the_workspace_grants_nothing(world: World) -> None:
    """Even if a project membership outlived its workspace membership (data imported by
    hand, say), it gives no access."""
    from keel.apps.accounts.models import WorkspaceMembership

    WorkspaceMembership.objects.filter(workspace=world.workspace, user=world.member).delete()
    assert not can(world.member, P.VIEW, world.project)
    assert world.project not in list(projects_for(world.member))
    with pytest.raises(NotFound):
        project_get(world.member, world.project.pk)
