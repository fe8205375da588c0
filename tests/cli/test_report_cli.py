"""`keel report`: a project's report summed up, its PDF, issuing it; `keel report due` for
cron; a bad period or an unknown project is one line on stderr and exit code 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from keel.apps.reporting.models import ProgressReport, ReportDelivery, ReportSettings
from keel.cli.main import app
from tests.conftest import World
from tests.report_world import Reportable, reportable

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def plan(world: World) -> Reportable:
    return reportable(world)


def test_the_report_summed_up_and_its_pdf(world: World, plan: Reportable, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    code = world.project.code
    r = _run("report", code.lower(), "--period", "2026-W10", "--pdf", str(out))
    assert r.exit_code == 0, r.output
    assert "2026-W10" in r.output and "not prepared yet" in r.output
    assert "done this period" in r.output and "approved hours" in r.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert not ProgressReport.objects.exists()  # looking prepares nothing


def test_issue_from_the_console(
    world: World, plan: Reportable, mailoutbox: list[Any], tmp_path: Path
) -> None:
    code = world.project.code
    r = _run("report", code, "--period", "2026-W10", "--issue")
    assert r.exit_code == 0, r.output
    assert f"Issued {code} 2026-W10; e-mailed to 3 recipient(s)." in r.output
    report = ProgressReport.objects.get()
    assert report.is_issued and report.issued_by is None
    assert (
        len(mailoutbox) == 3 and ReportDelivery.objects.filter(sent_at__isnull=False).count() == 3
    )
    r = _run("report", code, "--period", "2026-W10", "--issue", "--pdf", str(tmp_path / "a.pdf"))
    assert r.exit_code == 0 and "was issued already" in r.output
    assert len(mailoutbox) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "--period", "2026-W10"], "error: no project with code NOPE"),
        (["{code}", "--period", "2026-W99"], "error: --period '2026-W99' is not a report period"),
        (["{code}", "--period", "2026-W11/12"], "the one holding its first week is 2026-W10/11"),
        (["{code}", "--period", "2999-01", "--issue"], "2999-01 has not started yet"),
    ],
)
def test_refusals_are_one_line(world: World, args: list[str], message: str) -> None:
    r = _run("report", *[a.format(code=world.project.code) for a in args])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_due_prepares_what_is_due(world: World) -> None:
    ReportSettings.objects.create(project=world.project, cadence="monthly")
    r = _run("report", "due")
    assert r.exit_code == 0, r.output
    report = ProgressReport.objects.get()
    assert report.period_kind == "monthly" and report.period_end < dt.date.today()
    assert "1 report(s) prepared, 0 issued" in r.output
    again = _run("report", "due")
    assert "0 report(s) prepared" in again.output and ProgressReport.objects.count() == 1


def test_the_demo_has_last_weeks_report_issued_and_this_weeks_draft(db: Any) -> None:
    from keel.apps.planning.selectors import project_today
    from keel.apps.projects.models import Project
    from keel.apps.reporting.models import ReportPdf
    from keel.apps.reporting.periods import PeriodKind, ReportPeriod
    from keel.cli.demo import load_demo
    from keel.cli.main import DEMO_EMAIL, DEMO_PASSWORD

    load_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, reset=False)
    projects = list(Project.objects.filter(workspace__slug="demo"))
    assert len(projects) == 2
    for project in projects:
        this_week = ReportPeriod.containing(PeriodKind.WEEKLY, project_today(project))
        reports = list(ProgressReport.objects.filter(project=project).order_by("period_start"))
        assert [(r.label, r.status) for r in reports] == [
            (this_week.previous.label, "issued"),
            (this_week.label, "draft"),
        ]
        issued = reports[0]
        assert issued.narrative and issued.snapshot["sections"][0]["data"]["baseline"]
        assert ReportPdf.objects.filter(report=issued).exists()
    assert not ReportDelivery.objects.exists()  # the demo's people are not e-mailed
