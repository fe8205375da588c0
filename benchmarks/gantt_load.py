"""`python -m benchmarks gantt-load` (or `python -m benchmarks.gantt_load [TASKS]`): the Gantt
chart of a 2,000-task plan in a real browser.

A project of 2,000 tasks (40 summaries of 49, a milestone in ten, ~1.5 links per task: a
finish-to-start chain in each summary plus links back to earlier tasks, China's holidays) is
stored with bulk inserts and scheduled by `schedule_recalculate`, on DATABASE_URL or a
temporary SQLite file. Then:

* server: the data endpoint (GET /api/v1/projects/{id}/gantt) and the page, best of 5 through
  Django's test client (middleware included, no network), with their query counts;
* browser: the page opened in the system Chromium against a live server, 3 times (a fresh
  browser context each time, so nothing is cached but the server's own state); "first full
  render" is the `keel-gantt:rendered` mark gantt.js sets once the chart's first frame is
  painted, in ms since the navigation started. Also shown: the page's HTML, the data fetch
  (request start to response end) and the script's own drawing (`keel-gantt:draw`).
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

CHROMIUM = os.environ.get("KEEL_CHROMIUM", "/usr/bin/chromium")
GROUP = 50  # a summary, then its 49 tasks


def _database() -> str:
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="keel-gantt-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keel.config.settings.test")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop is idle
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    return str(connection.vendor)


def _plan(n: int, seed: int = 5) -> tuple[Any, Any]:
    """A project of `n` tasks owned by a new workspace owner; returns (project, owner)."""
    import datetime as dt
    from decimal import Decimal

    from keel.apps.accounts.models import User, Workspace, WorkspaceMembership, WorkspaceRole
    from keel.apps.planning.models import Dependency, Task
    from keel.apps.planning.services import schedule_recalculate, wbs_renumber
    from keel.apps.projects.models import Project

    rng = random.Random(seed)
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    owner = User.objects.create_user(email=f"gantt-{stamp}@example.com", password=None)
    workspace = Workspace.objects.create(name="Gantt bench", slug=f"gantt-{stamp}")
    WorkspaceMembership.objects.create(workspace=workspace, user=owner, role=WorkspaceRole.OWNER)
    project = Project.objects.create(
        workspace=workspace,
        code=f"G{n}",
        name=f"Gantt {n}",
        start_date=dt.date(2026, 1, 5),
        holiday_country="CN",
    )
    summaries = Task.objects.bulk_create(
        [
            Task(project=project, name=f"Phase {i // GROUP + 1}", position=i // GROUP)
            for i in range(0, n, GROUP)
        ]
    )
    leaves: list[Task] = []
    for i in range(n):
        if i % GROUP == 0:
            continue
        milestone = i % 10 == 5
        leaves.append(
            Task(
                project=project,
                parent=summaries[i // GROUP],
                name=f"Task {i}",
                position=i % GROUP,
                is_milestone=milestone,
                duration_days=Decimal(0 if milestone else rng.choice([1, 1, 2, 3, 5, 8])),
                percent_complete=rng.choice([0, 0, 0, 25, 50, 100]) if i < n // 4 else 0,
            )
        )
    leaves = Task.objects.bulk_create(leaves, batch_size=1000)
    links: set[tuple[int, int]] = set()
    for a, b in itertools.pairwise(leaves):
        if a.parent_id == b.parent_id:
            links.add((a.pk, b.pk))
    while len(links) < int(n * 1.5):
        j = rng.randrange(1, len(leaves))
        i = rng.randrange(max(0, j - 300), j)
        links.add((leaves[i].pk, leaves[j].pk))
    Dependency.objects.bulk_create(
        [Dependency(project=project, predecessor_id=a, successor_id=b) for a, b in links],
        batch_size=1000,
    )
    wbs_renumber(project)
    schedule_recalculate(project)
    return Project.objects.get(pk=project.pk), owner


def _best(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _server(project: Any, owner: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(owner)
    data_url = f"/api/v1/projects/{project.pk}/gantt"
    page_url = f"/projects/{project.pk}/gantt/"
    sizes = {}
    for url in (data_url, page_url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        sizes[url] = len(response.content)
    queries = {}
    for url in (data_url, page_url):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries[url] = len(ctx.captured_queries)
    return {
        "data_ms": _best(lambda: client.get(data_url)) * 1000,
        "page_ms": _best(lambda: client.get(page_url)) * 1000,
        "data_kb": sizes[data_url] / 1024,
        "data_queries": queries[data_url],
        "page_queries": queries[page_url],
        "client": client,
    }


def _browser(base: str, project: Any, session: str, runs: int) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023
            page.goto(f"{base}/projects/{project.pk}/gantt/")
            page.wait_for_selector("#keel-gantt[data-state=ready]", timeout=60_000)
            timings = page.evaluate(
                """() => {
                  const mark = (n) => performance.getEntriesByName(n)[0];
                  const nav = performance.getEntriesByType("navigation")[0];
                  const data = performance.getEntriesByType("resource")
                    .find((r) => r.name.includes("/gantt") && r.name.includes("/api/"));
                  return {
                    rendered: mark("keel-gantt:rendered").startTime,
                    draw: mark("keel-gantt:draw").duration,
                    html: nav.responseEnd - nav.requestStart,
                    fetch: data.responseEnd - data.requestStart,
                    bars: document.querySelectorAll(".kg-bar").length,
                    fetches: performance.getEntriesByType("resource")
                      .filter((r) => r.name.includes("/api/")).length,
                  };
                }"""
            )
            assert not errors, errors
            out.append(timings)
            context.close()
        browser.close()
    return out


def bench_gantt_load(n: int = 2_000, runs: int = 3) -> None:
    vendor = _database()
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    from keel.apps.planning.models import Dependency, Task

    t0 = time.perf_counter()
    project, owner = _plan(n)
    built = time.perf_counter() - t0
    tasks = Task.objects.filter(project=project).count()
    links = Dependency.objects.filter(project=project).count()
    server = _server(project, owner)
    session = server.pop("client").cookies[settings.SESSION_COOKIE_NAME].value
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        runs_out = _browser(f"http://127.0.0.1:{thread.port}", project, session, runs)
    finally:
        thread.terminate()
    rendered = [r["rendered"] for r in runs_out]
    print(
        f"gantt-load {vendor} {tasks:,} tasks / {links:,} links (built and scheduled in "
        f"{built:.1f} s): browser first full render median {statistics.median(rendered):.0f} ms "
        f"(runs: {', '.join(f'{r:.0f}' for r in rendered)}; medians: page HTML "
        f"{statistics.median(r['html'] for r in runs_out):.0f} ms, data fetch "
        f"{statistics.median(r['fetch'] for r in runs_out):.0f} ms, drawing "
        f"{statistics.median(r['draw'] for r in runs_out):.0f} ms, "
        f"{int(runs_out[0]['bars'])} bars drawn); server best of 5: data endpoint "
        f"{server['data_ms']:.0f} ms ({server['data_kb']:.0f} KB, {server['data_queries']} "
        f"queries), page {server['page_ms']:.0f} ms ({server['page_queries']} queries)"
    )


if __name__ == "__main__":
    import sys

    bench_gantt_load(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
