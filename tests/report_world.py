"""A project worth reporting on, for the progress report tests (apps, api, web, cli,
browser): a small plan built through the services, with a primary baseline, a Chinese task
name, progress, and approved time in the week the project starts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keel.apps.planning.models import Task
from keel.apps.planning.services import (
    baseline_save,
    dependency_create,
    task_create,
    task_update,
)
from keel.apps.reporting.periods import PeriodKind, ReportPeriod
from keel.apps.tracking.services import entry_create, week_approve, week_submit
from keel.apps.tracking.weeks import Week
from tests.conftest import World
from tests.factories import GoalFactory

CHINESE = "机电设计评审"  # a task name the PDF must draw with the CJK font


@dataclass
class Reportable:
    design: Task
    review: Task  # the Chinese-named task, planned for the second week
    build: Task
    launch: Task  # a milestone
    first_week: ReportPeriod  # the project's first week: design finished, time approved


def reportable(world: World) -> Reportable:
    actor = world.owner
    project = world.project
    member = world.member.pk
    design = task_create(
        actor=actor,
        project=project,
        name="Design",
        duration_days=Decimal("3"),
        owner_id=member,
        assignee_ids=[member],
    )
    review = task_create(
        actor=actor,
        project=project,
        name=CHINESE,
        duration_days=Decimal("4"),  # into the second week: planned for the next period
        owner_id=member,
        assignee_ids=[member],
    )
    build = task_create(
        actor=actor, project=project, name="Build", duration_days=Decimal("5"), owner_id=member
    )
    launch = task_create(
        actor=actor,
        project=project,
        name="Launch",
        is_milestone=True,
        deadline=project.start_date + dt.timedelta(days=30),
    )
    dependency_create(
        actor=actor, project=project, predecessor_id=design.pk, successor_id=review.pk
    )
    dependency_create(actor=actor, project=project, predecessor_id=review.pk, successor_id=build.pk)
    dependency_create(actor=actor, project=project, predecessor_id=build.pk, successor_id=launch.pk)
    GoalFactory(project=project, owner=world.manager, title="Coverage")
    baseline_save(actor=actor, project=project, name="Agreed plan")
    design.refresh_from_db()
    first = ReportPeriod.containing(PeriodKind.WEEKLY, project.start_date)
    design = task_update(
        actor=actor,
        task=design,
        version=design.version,
        changes={
            "status": "done",
            "actual_start": first.start,
            "actual_finish": first.start + dt.timedelta(days=2),
        },
    )
    for day in (first.start, first.start + dt.timedelta(days=1)):
        entry_create(actor=world.member, task_id=design.pk, date=day, hours=Decimal("7.5"))
    week = Week.of(first.start)
    entries = week_submit(actor=world.member, week=week)
    week_approve(
        actor=world.manager,
        project=project,
        user_id=world.member.pk,
        week=week,
        entries=[(e.pk, e.version) for e in entries],
    )
    return Reportable(
        design=Task.objects.get(pk=design.pk),
        review=Task.objects.get(pk=review.pk),
        build=Task.objects.get(pk=build.pk),
        launch=Task.objects.get(pk=launch.pk),
        first_week=first,
    )


def pdf_streams(pdf: bytes) -> bytes:
    """The PDF's compressed streams, inflated: where its font names and the ToUnicode maps
    (which characters each glyph draws) can be read without a PDF library."""
    import re
    import zlib

    out = []
    for m in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", m.end())
        try:
            out.append(zlib.decompress(pdf[m.end() : end]))
        except zlib.error:
            continue
    return b"".join(out)


def draws(pdf: bytes, text: str) -> bool:
    """Every character of `text` is drawn by some glyph of the PDF (its ToUnicode maps)."""
    streams = pdf_streams(pdf).lower()
    return all(f"<{ord(c):04x}>".encode() in streams for c in text)
