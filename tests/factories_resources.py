"""factory-boy factories for resource allocation (people, money, materials). Shared by the
tests of every area: add to it, do not fork it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from keel.apps.resources.models import (
    Assignment,
    BudgetLine,
    CostRate,
    Equipment,
    Expense,
    Item,
    Leave,
    PlannedCost,
    Resource,
    ResourceSkill,
    Skill,
)

from .factories import ProjectFactory, TaskFactory, UserFactory, WorkspaceFactory


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Skill {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    capacity_hours = Decimal("8")


class ResourceSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceSkill

    resource = factory.SubFactory(ResourceFactory)
    skill = factory.SubFactory(
        SkillFactory, workspace=factory.SelfAttribute("..resource.workspace")
    )
    level = 3


class CostRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostRate

    resource = factory.SubFactory(ResourceFactory)
    effective_from = dt.date(2020, 1, 1)
    standard_rate = Decimal("50.00")
    overtime_rate = Decimal("75.00")
    currency = "USD"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    resource = factory.SubFactory(
        ResourceFactory, workspace=factory.SelfAttribute("..task.project.workspace")
    )
    units = Decimal("100")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    workspace = factory.SubFactory(WorkspaceFactory)
    code = factory.Sequence(lambda n: f"M-{n:04d}")
    name = factory.Sequence(lambda n: f"Material {n}")
    unit = "kg"
    unit_cost = Decimal("2.50")


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    workspace = factory.SubFactory(WorkspaceFactory)
    code = factory.Sequence(lambda n: f"EQ-{n:03d}")
    name = factory.Sequence(lambda n: f"Crane {n}")
    daily_rate = Decimal("400.00")


class LeaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leave

    resource = factory.SubFactory(ResourceFactory)
    start = dt.date(2026, 3, 9)
    finish = dt.date(2026, 3, 13)
    reason = "Holiday"


# ---------------------------------------------------------------- money


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    category = "labour"
    amount = Decimal("1000.00")


class PlannedCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedCost

    project = factory.SubFactory(ProjectFactory)
    category = "materials"
    description = factory.Sequence(lambda n: f"Planned cost {n}")
    amount = Decimal("100.00")


class ExpenseFactory(factory.django.DjangoModelFactory):
    """A draft expense; pass status="approved" (and a reviewer) for actual cost."""

    class Meta:
        model = Expense

    project = factory.SubFactory(ProjectFactory)
    category = "other"
    date = dt.date(2026, 3, 10)
    amount = Decimal("50.00")
    description = factory.Sequence(lambda n: f"Expense {n}")
    claimant = factory.SubFactory(UserFactory)
