"""`python -m benchmarks pages-2000`: the server time of Keel's main pages and API reads for a
project of 2,000 tasks (the plan `gantt_load` builds: 40 summaries of 49, milestones, ~1.5
links per task, China's holidays), with a saved baseline, progress on a third of the tasks,
a week of approved time and a change request, on DATABASE_URL or a temporary SQLite file.

Each URL is fetched through Django's test client (middleware included, no network) as the
project's owner: best of 5, with the query count. No figure is asserted anywhere."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from .gantt_load import _database, _plan


def _setup(project: Any, owner: Any) -> None:
    from keel.apps.planning.models import Task
    from keel.apps.planning.services import (
        baseline_save,
        change_request_create,
        schedule_recalculate,
    )
    from keel.apps.tracking.models import EntryStatus, TimeEntry

    baseline_save(actor=owner, project=project, name="Bench")
    leaves = list(Task.objects.filter(project=project, is_summary=False, is_milestone=False))
    started = leaves[: len(leaves) // 3]
    for i, t in enumerate(started):
        t.percent_complete = 100 if i % 2 else 40
        t.status = "done" if i % 2 else "in_progress"
        t.actual_start = t.start
        t.actual_finish = t.finish if i % 2 else None
    Task.objects.bulk_update(
        started, ["percent_complete", "status", "actual_start", "actual_finish"], batch_size=500
    )
    project.status_date = dt.date(2026, 4, 1)
    project.save(update_fields=["status_date"])
    schedule_recalculate(project)
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(
                project=project,
                task=t,
                user=owner,
                date=dt.date(2026, 3, 2) + dt.timedelta(days=i % 20),
                hours=Decimal("0.5"),
                status=EntryStatus.APPROVED,
            )
            for i, t in enumerate(started[:40])
        ]
    )
    change_request_create(
        actor=owner,
        project=project,
        title="Bench",
        reason="r",
        changes=[{"op": "update", "task_id": leaves[-1].pk, "fields": {"duration_days": 9}}],
    )


def bench_pages(n: int = 2_000) -> None:
    vendor = _database()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    project, owner = _plan(n)
    _setup(project, owner)
    client = Client()
    client.force_login(owner)
    pk = project.pk
    urls = [
        ("overview", reverse("web:project_overview", args=[pk])),
        ("task tree", reverse("planning:tree", args=[pk])),
        ("task list", reverse("planning:list", args=[pk])),
        ("board", reverse("planning:board", args=[pk])),
        ("Gantt page", reverse("planning:gantt", args=[pk])),
        ("Gantt data (API)", f"/api/v1/projects/{pk}/gantt"),
        ("calendar", reverse("planning:calendar", args=[pk]) + "?month=2026-03"),
        ("milestones", reverse("planning:milestones", args=[pk])),
        ("baselines", reverse("planning:baselines", args=[pk])),
        ("earned value", reverse("tracking:earned_value", args=[pk])),
        ("burndown", reverse("planning:burndown", args=[pk])),
        ("change requests", reverse("planning:change_requests", args=[pk])),
        ("my work", reverse("planning:my_work")),
        ("board (API)", f"/api/v1/projects/{pk}/board"),
        ("earned value (API)", f"/api/v1/projects/{pk}/earned-value"),
    ]
    print(f"pages-2000: {n} tasks on {vendor}; best of 5 through the test client")
    print(f"{'page':<22} {'ms':>8} {'queries':>8} {'KB':>8}")
    for name, url in urls:
        best = float("inf")
        queries = 0
        size = 0
        for _ in range(5):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - t0
            assert response.status_code in (200, 204), (url, response.status_code)
            best = min(best, elapsed)
            queries = len(ctx.captured_queries)
            size = len(response.content)
        print(f"{name:<22} {best * 1000:8.0f} {queries:8d} {size / 1024:8.0f}")


if __name__ == "__main__":
    bench_pages()
