"""/api/v1 progress reports: the role matrix of every endpoint, the refusals (each a
documented 4xx in the error shape), paging, the PDF and the report settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from keel.apps.reporting import services
from keel.apps.reporting.models import ProgressReport
from keel.apps.reporting.periods import ReportPeriod
from tests.conftest import ROLES, World
from tests.report_world import Reportable, reportable

from .helpers import API, PROJECT_MANAGE, PROJECT_VIEW, Api, assert_error, expect

WEEK = "2026-W11"
Role = Callable[[str], Api]


def _draft(world: World, label: str = WEEK) -> ProgressReport:
    return services.report_create(
        actor=world.manager, project=world.project, period=ReportPeriod.parse(label)
    )


@pytest.fixture
def plan(world: World) -> Reportable:
    return reportable(world)


@pytest.fixture
def issued(world: World, plan: Reportable) -> ProgressReport:
    report = services.report_create(
        actor=world.manager, project=world.project, period=plan.first_week
    )
    return services.report_issue(actor=world.manager, report=report, version=report.version)


@pytest.mark.parametrize("role", ROLES)
def test_list_and_read_per_role(world: World, as_role: Role, role: str) -> None:
    report = _draft(world)
    api = as_role(role)
    r = api.get(f"/projects/{world.project.pk}/reports")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 200:
        body = r.json()
        assert body["count"] == 1
        assert body["items"][0]["period"] == WEEK and body["items"][0]["status"] == "draft"
        assert "sections" not in body["items"][0]
    else:
        assert_error(r, 404, "not_found")
    r = api.get(f"/reports/{report.pk}")
    assert r.status_code == PROJECT_VIEW[role]
    if r.status_code == 200:
        body = r.json()
        assert body["live"] is True and body["version"] == report.version
        assert [s["key"] for s in body["sections"]][:2] == ["summary", "goals"]


@pytest.mark.parametrize("role", ROLES)
def test_create_per_role(world: World, as_role: Role, role: str) -> None:
    r = as_role(role).post(f"/projects/{world.project.pk}/reports", {"period": WEEK})
    assert r.status_code == expect(PROJECT_MANAGE, role, 201)
    if r.status_code == 201:
        body = r.json()
        assert (body["period"], body["period_kind"], body["status"]) == (WEEK, "weekly", "draft")
        assert (body["period_start"], body["period_end"]) == ("2026-03-09", "2026-03-15")
    else:
        assert_error(r, r.status_code)
        assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_narrative_issue_and_delete_per_role(world: World, as_role: Role, role: str) -> None:
    report = _draft(world)
    api = as_role(role)
    r = api.patch(f"/reports/{report.pk}", {"narrative": "On track.", "version": report.version})
    assert r.status_code == expect(PROJECT_MANAGE, role, 200)
    r = api.delete(f"/reports/{report.pk}")
    assert r.status_code == expect(PROJECT_MANAGE, role, 204)
    if r.status_code == 204:
        assert not ProgressReport.objects.exists()
    else:
        assert_error(r, r.status_code)


def test_the_refusals(world: World, as_role: Role) -> None:
    api = as_role("manager")
    url = f"/projects/{world.project.pk}/reports"
    for period in ("2026-13", "W11", "2026-W11/13", "x" * 31):
        assert_error(api.post(url, {"period": period}), 422, "validation_error", "period")
    body = assert_error(api.post(url, {"period": "2026-W11/12"}), 422, field="period")
    assert body["fields"]["period"] == [
        "2026-W11/12 is not a two-week period; the one holding its first week is 2026-W10/11."
    ]
    assert_error(api.post(url, {"period": "2026-02"}), 422, field="period")  # before the start
    assert_error(api.post(url, {"period": "2999-01"}), 422, field="period")  # not started
    report_id = api.post(url, {"period": WEEK}).json()["id"]
    assert_error(api.post(url, {"period": WEEK}), 409, "report_exists")
    stale = {"narrative": "x", "version": 99}
    assert_error(api.patch(f"/reports/{report_id}", stale), 409, "version_conflict")
    assert_error(api.patch(f"/reports/{report_id}", {"narrative": "x"}), 422, field="version")
    assert_error(api.get("/reports/999999"), 404, "not_found")
    assert_error(as_role("outsider").get(f"/reports/{report_id}"), 404, "not_found")
    not_json = api.client.generic("POST", API + url, "{", content_type="application/json")
    assert_error(not_json, 400)


def test_an_issued_report_never_changes(world: World, as_role: Role, plan: Reportable) -> None:
    api = as_role("manager")
    created = api.post(
        f"/projects/{world.project.pk}/reports", {"period": plan.first_week.label}
    ).json()
    r = api.post(
        f"/reports/{created['id']}/issue",
        {"version": created["version"], "narrative": "Design is done."},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["live"], body["narrative"]) == ("issued", False, "Design is done.")
    assert body["issued_by_id"] == world.manager.pk
    assert body["charts"]["s_curve_svg"].startswith("<svg")
    version = body["version"]
    assert_error(
        api.patch(f"/reports/{body['id']}", {"narrative": "x", "version": version}),
        409,
        "report_issued",
    )
    assert_error(
        api.post(f"/reports/{body['id']}/issue", {"version": version}), 409, "report_issued"
    )
    assert_error(api.delete(f"/reports/{body['id']}"), 409, "report_issued")
    assert api.get(f"/reports/{body['id']}").json()["sections"] == body["sections"]


def test_issue_is_for_managers(world: World, as_role: Role) -> None:
    report = _draft(world)
    for role in ("member", "viewer"):
        r = as_role(role).post(f"/reports/{report.pk}/issue", {"version": report.version})
        assert_error(r, 403, "permission_denied")
    r = as_role("ws_member").post(f"/reports/{report.pk}/issue", {"version": report.version})
    assert_error(r, 404)
    assert_error(
        as_role("manager").post(f"/reports/{report.pk}/issue", {"version": 99}),
        409,
        "version_conflict",
    )


def test_the_pdf_per_role(world: World, as_role: Role, issued: ProgressReport) -> None:
    for role in ROLES:
        r = as_role(role).get(f"/reports/{issued.pk}/pdf")
        assert r.status_code == PROJECT_VIEW[role], role
        if r.status_code == 200:
            assert r["Content-Type"] == "application/pdf"
            assert r.content.startswith(b"%PDF-")
            assert f'filename="{world.project.code}-2026-W10.pdf"' in r["Content-Disposition"]
        else:
            assert_error(r, 404)


def test_the_list_is_paged_and_filtered(world: World, as_role: Role) -> None:
    for label in ("2026-W11", "2026-W12", "2026-W13"):
        _draft(world, label)
    api = as_role("viewer")
    url = f"/projects/{world.project.pk}/reports"
    body = api.get(url, limit=2).json()
    assert body["count"] == 3 and [i["period"] for i in body["items"]] == ["2026-W13", "2026-W12"]
    assert [i["period"] for i in api.get(url, limit=2, offset=2).json()["items"]] == ["2026-W11"]
    assert api.get(url, status="issued").json()["count"] == 0
    few, _ = api.queries(url)
    for label in ("2026-W14", "2026-W15", "2026-W16"):
        _draft(world, label)
    many, body = api.queries(url)
    assert body["count"] == 6 and many == few


@pytest.mark.parametrize("role", ROLES)
def test_settings_per_role(world: World, as_role: Role, role: str) -> None:
    api = as_role(role)
    url = f"/projects/{world.project.pk}/report-settings"
    r = api.get(url)
    assert r.status_code == PROJECT_MANAGE[role]
    if r.status_code == 200:
        body = r.json()
        assert (body["cadence"], body["enabled"], body["auto_issue"], body["version"]) == (
            "weekly", True, False, 0,
        )  # fmt: skip
        assert [p["email"] for p in body["recipients"]] == [
            "manager@example.com", "member@example.com", "viewer@example.com",
        ]  # fmt: skip
    new = {
        "cadence": "biweekly",
        "enabled": True,
        "auto_issue": True,
        "extra_recipients": ["board@example.org"],
        "language": "zh-hans",
        "version": 0,
    }
    r = api.put(url, new)
    assert r.status_code == PROJECT_MANAGE[role]
    if r.status_code == 200:
        body = r.json()
        assert (body["cadence"], body["version"], body["extra_recipients"]) == (
            "biweekly", 1, ["board@example.org"],
        )  # fmt: skip
        assert body["recipients"][-1] == {
            "email": "board@example.org", "name": "", "language": "zh-hans", "user_id": None,
        }  # fmt: skip
        assert_error(api.put(url, new), 409, "version_conflict")
        bad = {**new, "version": 1, "extra_recipients": ["nope"]}
        assert_error(api.put(url, bad), 422, "validation_error", "extra_recipients")
        assert_error(api.put(url, {**new, "version": 1, "cadence": "daily"}), 422, field="cadence")
    else:
        assert_error(r, r.status_code)
