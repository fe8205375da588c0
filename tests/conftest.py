"""Shared fixtures: a workspace with one person in every role, and a project in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from keel.apps.accounts.models import User, Workspace, WorkspaceRole
from keel.apps.accounts.services import token_create
from keel.apps.projects.models import Project, ProjectRole

from .factories import (
    PASSWORD,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMembershipFactory,
)


@dataclass
class World:
    """One workspace and one project with a person in each role, plus an outsider."""

    workspace: Workspace
    project: Project
    owner: User  # workspace owner
    admin: User  # workspace admin
    manager: User  # project manager (workspace member)
    member: User  # project member (workspace member)
    viewer: User  # project viewer (workspace guest)
    ws_member: User  # workspace member, not in the project
    outsider: User  # in another workspace only
    finance: User | None = None  # project finance controller: only in the `fin_world` fixture

    def user(self, role: str) -> User:
        return getattr(self, role)  # type: ignore[no-any-return]


ROLES = ("owner", "admin", "manager", "member", "viewer", "ws_member", "outsider")
# With the project's finance controller (a workspace member): tests of the areas that
# involve money prove this role too, on the `fin_world` fixture.
ALL_ROLES = (*ROLES, "finance")


@pytest.fixture
def world(db: Any) -> World:
    ws = WorkspaceFactory()
    other = WorkspaceFactory()
    people = {r: UserFactory(email=f"{r}@example.com", name=r.title()) for r in ROLES}
    for role, ws_role in [
        ("owner", WorkspaceRole.OWNER),
        ("admin", WorkspaceRole.ADMIN),
        ("manager", WorkspaceRole.MEMBER),
        ("member", WorkspaceRole.MEMBER),
        ("viewer", WorkspaceRole.GUEST),
        ("ws_member", WorkspaceRole.MEMBER),
    ]:
        WorkspaceMembershipFactory(workspace=ws, user=people[role], role=ws_role)
    WorkspaceMembershipFactory(workspace=other, user=people["outsider"], role=WorkspaceRole.OWNER)
    project = ProjectFactory(workspace=ws)
    for role, p_role in [
        ("manager", ProjectRole.MANAGER),
        ("member", ProjectRole.MEMBER),
        ("viewer", ProjectRole.VIEWER),
    ]:
        ProjectMembershipFactory(project=project, user=people[role], role=p_role)
    return World(workspace=ws, project=project, **people)


@pytest.fixture
def fin_world(world: World) -> World:
    """The world plus a finance controller of the project."""
    user = UserFactory(email="finance@example.com", name="Finance")
    WorkspaceMembershipFactory(workspace=world.workspace, user=user, role=WorkspaceRole.MEMBER)
    ProjectMembershipFactory(project=world.project, user=user, role=ProjectRole.FINANCE)
    world.finance = user
    return world


@pytest.fixture
def login(client: Client) -> Any:
    """login(user) -> a Django test client signed in as that user (through allauth)."""

    def _login(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def api_client(db: Any) -> Any:
    """api_client(user) -> a client whose requests carry that user's bearer token."""

    def _make(user: User | None) -> Client:
        if user is None:
            return Client()
        _token, secret = token_create(actor=user, name="tests")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return _make


__all__ = ["ALL_ROLES", "PASSWORD", "ROLES", "World"]
