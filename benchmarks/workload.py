"""`python -m benchmarks workload`: the server time of the workload page and its API for a
workspace of 200 people in 20 projects (each project 60 tasks of 3-10 days over the first
quarter, each task with one or two people), against a baseline of 20 people in 2 projects
built the same way in the same run. On DATABASE_URL or a temporary SQLite file.

Each URL is fetched through Django's test client as the workspace's owner: median of 7,
with the query count (which must not grow with the workspace)."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from .gantt_load import _database

TASKS_PER_PROJECT = 60


def _workspace(people: int, projects: int, seed: int = 11) -> tuple[Any, Any]:
    from keel.apps.accounts.models import User, Workspace, WorkspaceMembership, WorkspaceRole
    from keel.apps.planning.models import Task
    from keel.apps.planning.services import schedule_recalculate
    from keel.apps.projects.models import Project
    from keel.apps.resources.models import Assignment, Resource

    rng = random.Random(seed)
    stamp = f"{people}-{time.monotonic_ns()}"
    owner = User.objects.create_user(email=f"wl-{stamp}@example.com", password=None)
    ws = Workspace.objects.create(name=f"Workload {people}", slug=f"wl-{stamp}")
    WorkspaceMembership.objects.create(workspace=ws, user=owner, role=WorkspaceRole.OWNER)
    staff = Resource.objects.bulk_create(
        [
            Resource(workspace=ws, name=f"Person {i:03d}", role=rng.choice("ABC"))
            for i in range(people)
        ]
    )
    per_project = max(1, people // projects)
    for p in range(projects):
        project = Project.objects.create(
            workspace=ws, code=f"W{p:02d}", name=f"Project {p}", start_date=dt.date(2026, 1, 5)
        )
        tasks = Task.objects.bulk_create(
            [
                Task(
                    project=project,
                    name=f"T{i}",
                    position=i,
                    wbs_code=str(i + 1),
                    duration_days=Decimal(rng.randint(3, 10)),
                    constraint_type="snet",
                    constraint_date=dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 80)),
                )
                for i in range(TASKS_PER_PROJECT)
            ]
        )
        team = staff[p * per_project : (p + 1) * per_project] or staff[:per_project]
        Assignment.objects.bulk_create(
            [
                Assignment(task=t, resource=r, units=Decimal(rng.choice([50, 100])))
                for t in tasks
                for r in rng.sample(team, min(len(team), rng.choice([1, 2])))
            ]
        )
        schedule_recalculate(project)
    return ws, owner


def _median(client: Any, url: str, repeat: int = 7) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def bench_workload() -> None:
    vendor = _database()
    from django.test import Client
    from django.urls import reverse

    rows = []
    for people, projects in ((20, 2), (200, 20)):
        ws, owner = _workspace(people, projects)
        client = Client()
        client.force_login(owner)
        page = reverse("resources:workload", args=[ws.pk]) + "?start=2026-01-05"
        api = f"/api/v1/workspaces/{ws.pk}/workload?start=2026-01-05&limit=200"
        rows.append((people, projects, _median(client, page), _median(client, api)))
    print(f"workload: people x 12 weeks on {vendor}; median of 7 through the test client")
    print(
        f"{'people':>6} {'projects':>8} {'page ms':>8} {'queries':>7} {'API ms':>7} {'queries':>7}"
    )
    for people, projects, (pt, pq), (at, aq) in rows:
        print(f"{people:>6} {projects:>8} {pt * 1000:8.0f} {pq:7d} {at * 1000:7.0f} {aq:7d}")
    (_, _, (base_p, _), (base_a, _)), (_, _, (big_p, _), (big_a, _)) = rows
    print(f"ratio 200/20 people: page {big_p / base_p:.1f}x, API {big_a / base_a:.1f}x")


if __name__ == "__main__":
    bench_workload()
