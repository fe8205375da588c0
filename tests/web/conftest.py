"""Fixtures for the page tests: a small plan in the world's project, built through services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from keel.apps.planning.models import Task
from keel.apps.planning.services import dependency_create, task_create
from keel.apps.projects.models import Goal
from tests.conftest import World
from tests.factories import GoalFactory


@dataclass
class Plan:
    summary: Task  # 1 Build (summary of design and code)
    design: Task  # 1.1
    code: Task  # 1.2, after design
    launch: Task  # 2, a milestone after the build
    goal: Goal


@pytest.fixture
def plan(world: World) -> Plan:
    actor = world.owner
    project = world.project
    summary = task_create(actor=actor, project=project, name="Build")
    design = task_create(
        actor=actor,
        project=project,
        name="Design",
        parent_id=summary.pk,
        duration_days=Decimal("3"),
    )
    code = task_create(
        actor=actor, project=project, name="Code", parent_id=summary.pk, duration_days=Decimal("5")
    )
    launch = task_create(actor=actor, project=project, name="Launch", is_milestone=True)
    dependency_create(actor=actor, project=project, predecessor_id=design.pk, successor_id=code.pk)
    dependency_create(actor=actor, project=project, predecessor_id=code.pk, successor_id=launch.pk)
    goal = GoalFactory(project=project, owner=world.manager)
    # The member is responsible for the plan's tasks: members change only their own tasks.
    Task.objects.filter(project=project).update(owner=world.member)
    return Plan(
        summary=Task.objects.get(pk=summary.pk),
        design=Task.objects.get(pk=design.pk),
        code=Task.objects.get(pk=code.pk),
        launch=Task.objects.get(pk=launch.pk),
        goal=goal,
    )


def content(response: Any) -> str:
    return response.content.decode()
