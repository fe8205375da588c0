"""The money API: budget lines, planned costs, expenses (multipart, with receipts) and their
approval, the cost summary; every role's answer and every refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from keel.apps.resources.models import BudgetLine, Expense
from tests.conftest import ALL_ROLES, World
from tests.factories import TaskFactory
from tests.factories_resources import BudgetLineFactory, ExpenseFactory, PlannedCostFactory

from .helpers import API, Api, assert_error

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n"
FINANCE = {
    "owner": 200,
    "admin": 200,
    "manager": 200,
    "finance": 200,
    "member": 403,
    "viewer": 403,
    "ws_member": 404,
    "outsider": 404,
}
CLAIM = {**FINANCE, "member": 201, "owner": 201, "admin": 201, "manager": 201, "finance": 201}


@pytest.fixture(autouse=True)
def _receipts(settings: Any, tmp_path: Path) -> None:
    settings.KEEL_RECEIPTS_ROOT = tmp_path


def _api(api_client: Any, user: Any) -> Api:
    return Api(api_client(user))


def _claim(client: Any, project_id: int, **extra: Any) -> Any:
    data = {
        "category": "other",
        "date": "2026-03-05",
        "amount": "12.30",
        "description": "Taxi",
    } | extra
    return client.post(f"{API}/projects/{project_id}/expenses", data)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_costs_and_budget_lines_by_role(fin_world: World, api_client: Any, role: str) -> None:
    BudgetLineFactory(project=fin_world.project, amount=Decimal("10"))
    api = _api(api_client, fin_world.user(role))
    pid = fin_world.project.pk
    assert api.get(f"/projects/{pid}/costs").status_code == FINANCE[role]
    assert api.get(f"/projects/{pid}/budget-lines").status_code == FINANCE[role]
    r = api.post(f"/projects/{pid}/budget-lines", {"category": "labour", "amount": "5"})
    assert r.status_code == (201 if FINANCE[role] == 200 else FINANCE[role]), r.content


@pytest.mark.parametrize("role", ALL_ROLES)
def test_claiming_by_role(fin_world: World, api_client: Any, role: str) -> None:
    r = _claim(api_client(fin_world.user(role)), fin_world.project.pk)
    expected = {**CLAIM, "viewer": 403}[role]
    assert r.status_code == expected, r.content


def test_the_cost_summary(fin_world: World, api_client: Any) -> None:
    p = fin_world.project
    task = TaskFactory(project=p, wbs_code="1", start=dt.date(2026, 3, 2), percent_complete=25)
    BudgetLineFactory(project=p, category="materials", amount=Decimal("500"))
    PlannedCostFactory(project=p, task=task, amount=Decimal("400"))
    ExpenseFactory(
        project=p,
        task=task,
        category="materials",
        amount=Decimal("150"),
        status="approved",
        claimant=fin_world.member,
    )
    body = _api(api_client, fin_world.finance).get(f"/projects/{p.pk}/costs").json()
    assert body["currency"] == "USD"
    assert body["total"] == {
        "budget": "500.00",
        "planned": "400.00",
        "actual": "150.00",
        "forecast": "450.00",
        "variance": "50.00",
    }
    assert body["earned_value"] == "100.00" and body["eac_cpi"] == "750.00"
    rows = _api(api_client, fin_world.finance).get(f"/projects/{p.pk}/costs", by="wbs").json()
    assert rows["rows"][0]["task_id"] == task.pk
    bad = _api(api_client, fin_world.finance).get(f"/projects/{p.pk}/costs", by="colour")
    assert_error(bad, 422)


def test_budget_line_patch_checks_the_version_and_values(fin_world: World, api_client: Any) -> None:
    api = _api(api_client, fin_world.finance)
    line = BudgetLineFactory(project=fin_world.project)
    r = api.patch(f"/budget-lines/{line.pk}", {"amount": "7.5", "version": line.version})
    assert r.status_code == 200 and r.json()["amount"] == "7.50" and r.json()["version"] == 2
    assert_error(api.patch(f"/budget-lines/{line.pk}", {"amount": "8", "version": 1}), 409)
    assert_error(api.patch(f"/budget-lines/{line.pk}", {"amount": "-1", "version": 2}), 422)
    other = TaskFactory()
    assert_error(
        api.patch(f"/budget-lines/{line.pk}", {"task_id": other.pk, "version": 2}),
        422,
        field="task_id",
    )
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("7.50")
    assert api.delete(f"/budget-lines/{line.pk}").status_code == 204
    member = _api(api_client, fin_world.member)
    assert_error(member.patch(f"/budget-lines/{line.pk}", {"version": 1}), 404)


def test_planned_costs(fin_world: World, api_client: Any) -> None:
    api = _api(api_client, fin_world.finance)
    pid = fin_world.project.pk
    r = api.post(
        f"/projects/{pid}/planned-costs",
        {"category": "services", "description": "Survey", "amount": "900"},
    )
    assert r.status_code == 201, r.content
    cost = r.json()
    assert cost["amount"] == "900.00" and cost["currency"] == "USD"
    assert_error(
        api.post(
            f"/projects/{pid}/planned-costs", {"category": "services", "description": "Survey"}
        ),
        422,
        field="amount",
    )
    r = api.patch(f"/planned-costs/{cost['id']}", {"amount": "950", "version": cost["version"]})
    assert r.status_code == 200 and r.json()["amount"] == "950.00"
    assert api.get(f"/projects/{pid}/planned-costs").json()["count"] == 1
    assert_error(_api(api_client, fin_world.member).delete(f"/planned-costs/{cost['id']}"), 403)


def test_the_expense_workflow(fin_world: World, api_client: Any) -> None:
    member = api_client(fin_world.member)
    finance = _api(api_client, fin_world.finance)
    r = _claim(member, fin_world.project.pk, receipt=_pdf())
    assert r.status_code == 201, r.content
    e = r.json()
    assert e["status"] == "draft" and e["has_receipt"] and e["amount"] == "12.30"
    m = Api(member)
    e = m.post(f"/expenses/{e['id']}/submit", {"version": e["version"]}).json()
    assert e["status"] == "submitted"
    assert_error(
        m.patch(f"/expenses/{e['id']}", {"amount": "1", "version": e["version"]}),
        422,
        code="expense_locked",
    )
    assert_error(
        finance.post(f"/expenses/{e['id']}/reject", {"version": e["version"], "reason": ""}),
        422,
        field="reason",
    )
    e2 = finance.post(f"/expenses/{e['id']}/approve", {"version": e["version"]})
    assert e2.status_code == 200 and e2.json()["reviewer_id"] == fin_world.finance.pk  # type: ignore[union-attr]
    assert_error(finance.post(f"/expenses/{e['id']}/approve", {"version": e["version"]}), 409)
    costs = finance.get(f"/projects/{fin_world.project.pk}/costs").json()
    assert costs["total"]["actual"] == "12.30"


def test_self_approval_is_refused(fin_world: World, api_client: Any) -> None:
    finance = _api(api_client, fin_world.finance)
    e = _claim(finance.client, fin_world.project.pk).json()
    e = finance.post(f"/expenses/{e['id']}/submit", {"version": e["version"]}).json()
    body = assert_error(
        finance.post(f"/expenses/{e['id']}/approve", {"version": e["version"]}),
        403,
        code="own_expense",
    )
    assert "own expense" in body["message"]


def _pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf")


def test_bad_receipts_are_refused(fin_world: World, api_client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    member = api_client(fin_world.member)
    for upload in (SimpleUploadedFile("bill.exe", PDF), SimpleUploadedFile("bill.pdf", b"GIF89a")):
        assert_error(_claim(member, fin_world.project.pk, receipt=upload), 422, field="receipt")
    assert_error(_claim(member, fin_world.project.pk, amount="0"), 422)
    assert not Expense.objects.exists()


def test_receipt_download_is_for_the_claimant_and_finance(
    fin_world: World, api_client: Any
) -> None:
    r = _claim(api_client(fin_world.member), fin_world.project.pk, receipt=_pdf())
    url = f"{API}/expenses/{r.json()['id']}/receipt"
    for role, status in (
        ("member", 200),
        ("finance", 200),
        ("manager", 200),
        ("viewer", 403),
        ("ws_member", 404),
        ("outsider", 404),
    ):
        got = api_client(fin_world.user(role)).get(url)
        assert got.status_code == status, role
        if status == 200:
            assert b"".join(got.streaming_content) == PDF
            assert got["X-Content-Type-Options"] == "nosniff"
            assert got["Content-Type"] == "application/pdf"
            assert got["Content-Disposition"] == 'attachment; filename="bill.pdf"'
    other = ExpenseFactory(project=fin_world.project, claimant=fin_world.finance)
    assert_error(_api(api_client, fin_world.member).get(f"/expenses/{other.pk}/receipt"), 403)
    assert_error(_api(api_client, fin_world.finance).get(f"/expenses/{other.pk}/receipt"), 404)


def test_members_list_their_own_expenses_in_constant_queries(
    fin_world: World, api_client: Any
) -> None:
    p = fin_world.project
    ExpenseFactory(project=p, claimant=fin_world.member)
    ExpenseFactory(project=p, claimant=fin_world.finance)
    assert _api(api_client, fin_world.member).get(f"/projects/{p.pk}/expenses").json()["count"] == 1
    finance = _api(api_client, fin_world.finance)
    finance.get(f"/projects/{p.pk}/expenses")  # the token's first use is recorded once
    small, body = finance.queries(f"/projects/{p.pk}/expenses")
    assert body["count"] == 2
    for _i in range(10):
        ExpenseFactory(project=p, claimant=fin_world.member, task=TaskFactory(project=p))
    big, body = finance.queries(f"/projects/{p.pk}/expenses")
    assert body["count"] == 12 and big == small
    filtered = finance.get(f"/projects/{p.pk}/expenses", claimant_id=fin_world.finance.pk)
    assert filtered.json()["count"] == 1
    assert_error(finance.get(f"/projects/{p.pk}/expenses", status="lost"), 422)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_finance_settings_by_role(fin_world: World, api_client: Any, role: str) -> None:
    client = _api(api_client, fin_world.user(role))
    url = f"/projects/{fin_world.project.pk}/finance-settings"
    got = client.get(url)
    assert got.status_code == FINANCE[role]
    put = client.put(url, {"alert_percentages": [50, 90, 100], "version": 0})
    assert put.status_code == FINANCE[role], put.content
    if FINANCE[role] == 200:
        assert got.json() == {
            "alert_percentages": [80, 100],
            "alerted_actual": 0,
            "alerted_forecast": 0,
            "version": 0,
        }
        assert put.json()["alert_percentages"] == [50, 90, 100] and put.json()["version"] == 1


def test_finance_settings_refuse_stale_versions_and_bad_percentages(
    fin_world: World, api_client: Any
) -> None:
    client = _api(api_client, fin_world.finance)
    url = f"/projects/{fin_world.project.pk}/finance-settings"
    assert client.put(url, {"alert_percentages": [90], "version": 0}).status_code == 200
    assert_error(client.put(url, {"alert_percentages": [95], "version": 0}), 409)
    assert_error(client.put(url, {"alert_percentages": [0], "version": 1}), 422)
    assert_error(client.put(url, {"alert_percentages": [5000], "version": 1}), 422)
    assert client.get(url).json()["alert_percentages"] == [90]
