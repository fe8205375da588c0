"""factory-boy factories for Keel's models. Build objects directly (tests set up state);
behaviour under test always goes through services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress

from keel.apps.accounts.models import User, Workspace, WorkspaceMembership, WorkspaceRole
from keel.apps.planning.models import Dependency, Task
from keel.apps.projects.models import Goal, Project, ProjectMembership, ProjectRole

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"ws-{n}")


class WorkspaceMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkspaceMembership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = WorkspaceRole.MEMBER


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    workspace = factory.SubFactory(WorkspaceFactory)
    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    start_date = dt.date(2026, 3, 2)  # a Monday
    target_finish = dt.date(2026, 12, 31)


class ProjectMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = ProjectRole.MEMBER


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")
    metric = "Coverage"
    unit = "%"
    baseline_value = Decimal("0")
    target_value = Decimal("100")
    current_value = Decimal("25")
    due_date = dt.date(2026, 6, 30)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Task {n}")
    duration_days = Decimal("2")
    position = factory.Sequence(lambda n: n)
    wbs_code = factory.Sequence(lambda n: str(n + 1))


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    project = factory.SelfAttribute("predecessor.project")
    predecessor = factory.SubFactory(TaskFactory)
    successor = factory.SubFactory(
        TaskFactory, project=factory.SelfAttribute("..predecessor.project")
    )
