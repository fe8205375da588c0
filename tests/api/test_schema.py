"""Property tests of the whole API against its own OpenAPI document (schemathesis).

Every operation gets examples generated from the document: its own examples, the boundary and
just-out-of-bounds values of each field (the coverage phase) and a few random ones (fuzzing).
Each operation is a separate test on fresh data: a workspace owner with a token, a colleague,
and a project with a few tasks, a dependency, a milestone and a goal. Path ids are pinned to
those objects so the generated queries and bodies reach the selectors and services instead of
stopping at a 404. Checks: no 5xx, and every response has a status code, content type and
shape the document declares.

`schemathesis.pytest.from_fixture` would build the schema per test too, but with pytest 9 it
fails (it writes `Node._nodeid`, which pytest 9 no longer has); loading the schema once at
import needs no database, and the ids are filled in per test instead.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from keel.apps.accounts.models import WorkspaceRole
from keel.apps.accounts.services import token_create, workspace_create, workspace_member_add
from keel.apps.planning.services import dependency_create, goal_set_tasks, task_create
from keel.apps.projects.services import goal_create, project_create, project_member_add

from ..factories import UserFactory

pytestmark = pytest.mark.schema

# Small enough for the whole file to finish in well under 90 s on two cores; raise it for a
# deeper hunt: KEEL_SCHEMA_EXAMPLES=200 pytest -m schema
MAX_EXAMPLES = int(os.environ.get("KEEL_SCHEMA_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def no_connection_recycling() -> Iterator[None]:
    """Serve requests on the test's own connection (and transaction), as Django's test client
    does: a bare WSGI handler would otherwise close it at the end of every request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _plan(owner: Any, workspace: Any) -> dict[str, Any]:
    project = project_create(
        actor=owner,
        workspace=workspace,
        code="MAIN",
        name="Main plan",
        start_date=dt.date(2026, 3, 2),
    )
    a = task_create(actor=owner, project=project, name="Design", duration_days=Decimal("3"))
    b = task_create(actor=owner, project=project, name="Build", duration_days=Decimal("5"))
    m = task_create(
        actor=owner,
        project=project,
        name="Launch",
        is_milestone=True,
        deadline=dt.date(2026, 6, 1),
    )
    dep = dependency_create(actor=owner, project=project, predecessor_id=a.pk, successor_id=b.pk)
    goal = goal_create(
        actor=owner,
        project=project,
        title="Ship",
        metric="Users",
        target_value=Decimal("100"),
        due_date=dt.date(2026, 6, 30),
    )
    goal_set_tasks(actor=owner, goal=goal, task_ids=[a.pk, m.pk])
    return {"project": project, "task": b, "dependency": dep, "goal": goal}


@pytest.fixture
def known(db: Any, no_connection_recycling: None) -> dict[str, Any]:
    """A workspace owner with a token, a colleague, a project with a few tasks, a dependency,
    a milestone and a goal; the ids to pin path parameters to; the auth header."""
    owner = UserFactory(email="owner@example.com")
    colleague = UserFactory(email="colleague@example.com")
    ws = workspace_create(actor=owner, name="Schema workspace")
    ws_member = workspace_member_add(
        actor=owner, workspace=ws, email=colleague.email, role=WorkspaceRole.MEMBER
    )
    plan = _plan(owner, ws)
    p_member = project_member_add(
        actor=owner, project=plan["project"], user_id=colleague.pk, role="member"
    )
    _token, secret = token_create(actor=owner, name="schemathesis")
    spare_token, _ = token_create(actor=owner, name="to revoke")  # never the one in use
    return {
        "headers": {"Authorization": f"Bearer {secret}"},
        "ids": {
            "workspace_id": ws.pk,
            "project_id": plan["project"].pk,
            "task_id": plan["task"].pk,
            "dependency_id": plan["dependency"].pk,
            "goal_id": plan["goal"].pk,
            "token_id": spare_token.pk,
        },
        "membership_ids": {"workspaces": ws_member.pk, "projects": p_member.pk},
    }


schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    get_wsgi_application(),
    config=SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case: Any, known: dict[str, Any]) -> None:
    # Each operation is its own test with its own fresh data, so a DELETE or an archive
    # cannot take the objects away from the others.
    params = case.path_parameters or {}
    for name in params:
        if name in known["ids"]:
            params[name] = known["ids"][name]
        elif name == "membership_id":
            area = "workspaces" if "/workspaces/" in case.operation.path else "projects"
            params[name] = known["membership_ids"][area]
    case.call_and_validate(headers=known["headers"], checks=CHECKS)
