"""The Reports tab: every page answers each role as docs/permissions.md says, managers prepare,
write and issue through the pages, the history runs a fixed number of queries however long it
is, and the PDF downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.apps.reporting import services
from keel.apps.reporting.models import ProgressReport, ReportSettings
from keel.apps.reporting.periods import ReportPeriod
from tests.conftest import World
from tests.report_world import reportable

ALL = ("owner", "admin", "manager", "member", "viewer", "ws_member", "outsider")
SEE = {"owner", "admin", "manager", "member", "viewer"}
MANAGE = {"owner", "admin", "manager"}


def expected(role: str, allowed: set[str], success: int = 200) -> int:
    if role in allowed:
        return success
    return 403 if role in SEE else 404


def _draft(world: World, label: str = "2026-W11") -> ProgressReport:
    return services.report_create(
        actor=world.manager, project=world.project, period=ReportPeriod.parse(label)
    )


Url = Callable[[World, ProgressReport], str]
PAGES: list[tuple[str, Url, set[str]]] = [
    ("history", lambda w, r: reverse("reporting:reports", args=[w.project.pk]), SEE),
    ("report", lambda w, r: reverse("reporting:report", args=[r.pk]), SEE),
    ("settings", lambda w, r: reverse("reporting:settings", args=[w.project.pk]), MANAGE),
]


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_per_role(
    world: World, login: Any, role: str, name: str, url: Url, allowed: set[str]
) -> None:
    report = _draft(world)
    response = login(world.user(role)).get(url(world, report))
    assert response.status_code == expected(role, allowed)
    anonymous = Client().get(url(world, report))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize("role", ALL)
def test_writes_per_role(world: World, login: Any, role: str) -> None:
    report = _draft(world)
    client = login(world.user(role))
    prepare = client.post(
        reverse("reporting:reports", args=[world.project.pk]), {"period": "2026-W12"}
    )
    assert prepare.status_code == expected(role, MANAGE, 302)
    save = client.post(
        reverse("reporting:report", args=[report.pk]),
        {"narrative": "Mine", "version": report.version, "action": "save"},
    )
    assert save.status_code == expected(role, MANAGE, 302)
    settings = client.post(
        reverse("reporting:settings", args=[world.project.pk]),
        {
            "cadence": "monthly",
            "enabled": "on",
            "extra_recipients": "",
            "language": "",
            "version": 0,
        },
    )
    assert settings.status_code == expected(role, MANAGE, 302)
    delete = client.post(reverse("reporting:delete", args=[report.pk]))
    assert delete.status_code == expected(role, MANAGE, 302)
    kept = ProgressReport.objects.filter(pk=report.pk).exists()
    assert kept is (role not in MANAGE)


def test_the_tab_and_the_buttons_follow_the_rights(world: World, login: Any) -> None:
    report = _draft(world)
    tree = reverse("planning:tree", args=[world.project.pk])
    assert 'data-testid="tab-reports"' in login(world.viewer).get(tree).content.decode()
    history = reverse("reporting:reports", args=[world.project.pk])
    page = reverse("reporting:report", args=[report.pk])
    as_viewer = login(world.viewer).get(history).content.decode()
    assert "Prepare the report for" not in as_viewer and "2026-W11" in as_viewer
    as_manager = login(world.manager).get(history).content.decode()
    assert "Prepare the report for" in as_manager
    viewer_page = login(world.viewer).get(page).content.decode()
    assert 'data-testid="narrative-form"' not in viewer_page
    assert 'data-testid="download-pdf"' in viewer_page
    manager_page = login(world.manager).get(page).content.decode()
    assert 'data-testid="narrative-form"' in manager_page
    assert 'data-testid="issue-report"' in manager_page


def test_a_manager_prepares_writes_and_issues(
    world: World, login: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    plan = reportable(world)
    client = login(world.manager)
    history = reverse("reporting:reports", args=[world.project.pk])
    response = client.post(history, {"period": plan.first_week.label})
    report = ProgressReport.objects.get()
    assert response["Location"] == reverse("reporting:report", args=[report.pk])
    # Preparing it again leads to the one there is.
    assert (
        client.post(history, {"period": plan.first_week.label})["Location"]
        == (response["Location"])
    )
    page = reverse("reporting:report", args=[report.pk])
    html = client.get(page).content.decode()
    assert 'data-testid="section-earned_value"' in html and "<svg" in html
    assert "Design" in html
    client.post(page, {"narrative": "Draft words", "version": report.version, "action": "save"})
    report.refresh_from_db()
    assert (report.narrative, report.version) == ("Draft words", 2)
    # A stale form is shown again with the reason, nothing saved.
    stale = client.post(page, {"narrative": "Old tab", "version": 1, "action": "save"})
    assert stale.status_code == 409 and "Someone else changed this" in stale.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        issued = client.post(page, {"narrative": "Final words", "version": 2, "action": "issue"})
    assert issued.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.narrative) == ("issued", "Final words")
    assert len(mailoutbox) == 3
    html = client.get(page).content.decode()
    assert 'data-testid="narrative-form"' not in html and "Final words" in html
    assert 'data-testid="deliveries"' in html and "member@example.com" in html
    again = client.post(page, {"narrative": "After", "version": report.version, "action": "save"})
    assert again.status_code == 409 and "can no longer be changed" in again.content.decode()
    refused = client.post(reverse("reporting:delete", args=[report.pk]))
    assert refused.status_code == 403 and ProgressReport.objects.filter(pk=report.pk).exists()
    pdf = login(world.viewer).get(reverse("reporting:pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_a_bad_period_is_refused_on_the_page(world: World, login: Any) -> None:
    history = reverse("reporting:reports", args=[world.project.pk])
    response = login(world.manager).post(history, {"period": "2999-W01"})
    assert response.status_code == 422
    assert "has not started yet" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_settings_page_saves_and_lists_the_recipients(world: World, login: Any) -> None:
    url = reverse("reporting:settings", args=[world.project.pk])
    client = login(world.manager)
    html = client.get(url).content.decode()
    assert "viewer@example.com" in html
    form = {
        "cadence": "biweekly",
        "enabled": "on",
        "extra_recipients": "board@example.org\nnot-an-address",
        "language": "zh-hans",
        "version": 0,
    }
    refused = client.post(url, form)
    assert refused.status_code == 422 and "not-an-address is not an e-mail address" in (
        refused.content.decode()
    )
    client.post(url, {**form, "extra_recipients": "board@example.org, cfo@example.org"})
    row = ReportSettings.objects.get(project=world.project)
    assert (row.cadence, row.auto_issue, row.extra_recipients, row.language) == (
        "biweekly", False, ["board@example.org", "cfo@example.org"], "zh-hans",
    )  # fmt: skip


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_the_history_runs_the_same_queries_however_long(
    world: World, login: Any, role: str
) -> None:
    client = login(world.user(role))
    url = reverse("reporting:reports", args=[world.project.pk])
    _draft(world, "2026-W11")
    client.get(url)
    few = _queries(client, url)
    for week in range(12, 24):
        _draft(world, f"2026-W{week}")
    ProgressReport.objects.filter(period_start__lt="2026-05-01").update(created_by=world.owner)
    assert _queries(client, url) == few
