"""The money pages: Costs (tables, chart, warnings, Excel), Budget, Expenses; who may open
them, what a refused form shows, and query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from keel.apps.resources.models import BudgetLine, Expense, PlannedCost
from tests.conftest import ALL_ROLES, World
from tests.factories import TaskFactory
from tests.factories_resources import (
    AssignmentFactory,
    BudgetLineFactory,
    CostRateFactory,
    ExpenseFactory,
    PlannedCostFactory,
    ResourceFactory,
)

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
EXPENSES = {**FINANCE, "member": 200}


@pytest.fixture(autouse=True)
def _receipts(settings: Any, tmp_path: Path) -> None:
    settings.KEEL_RECEIPTS_ROOT = tmp_path


def _money(world: World) -> Any:
    p = world.project
    task = TaskFactory(
        project=p,
        wbs_code="1",
        name="Walls",
        start=dt.date(2026, 3, 2),
        finish=dt.date(2026, 3, 6),
        duration_days=Decimal("5"),
    )
    euro = ResourceFactory(workspace=world.workspace, name="Jean Dupont")
    CostRateFactory(resource=euro, currency="EUR")
    AssignmentFactory(task=task, resource=euro)
    BudgetLineFactory(project=p, category="materials", amount=Decimal("1500"), task=task)
    PlannedCostFactory(project=p, task=task, amount=Decimal("1000"))
    ExpenseFactory(
        project=p,
        task=task,
        category="materials",
        amount=Decimal("1750.25"),
        status="approved",
        claimant=world.member,
        date=dt.date(2026, 3, 4),
    )
    return task


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_opens_the_pages(fin_world: World, login: Any, role: str) -> None:
    client = login(fin_world.user(role))
    pk = fin_world.project.pk
    assert client.get(reverse("resources:costs", args=[pk])).status_code == FINANCE[role]
    assert client.get(reverse("resources:costs_xlsx", args=[pk])).status_code == FINANCE[role]
    assert client.get(reverse("resources:budget", args=[pk])).status_code == FINANCE[role]
    assert client.get(reverse("resources:expenses", args=[pk])).status_code == EXPENSES[role]


def test_the_costs_page_shows_figures_and_warnings(fin_world: World, login: Any) -> None:
    _money(fin_world)
    page = login(fin_world.finance).get(reverse("resources:costs", args=[fin_world.project.pk]))
    html = page.content.decode()
    assert "1,750.25" in html and "1,500.00" in html
    assert 'data-testid="missing-rates"' in html and "Jean Dupont" in html
    assert 'data-testid="over-budget"' in html and "1 Walls" in html
    assert "116.7% of the budget spent" in html
    assert "<svg" in html and 'style="' not in html and "<script>" not in html


def test_the_excel_export_holds_the_figures(fin_world: World, login: Any) -> None:
    _money(fin_world)
    r = login(fin_world.finance).get(reverse("resources:costs_xlsx", args=[fin_world.project.pk]))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["By category"]
    rows = {row[0]: row[1:] for row in ws.iter_rows(min_row=2, values_only=True)}
    # Numbers, not text: a spreadsheet sums them.
    assert rows["Materials"][0] == 1500 and rows["Materials"][2] == 1750.25
    assert rows["Total"][2] == 1750.25
    assert '"USD"' in ws["D2"].number_format
    assert {"By month", "By WBS element", "Forecast"} <= set(wb.sheetnames)


def test_the_costs_page_queries_do_not_grow(fin_world: World, login: Any) -> None:
    _money(fin_world)
    client = login(fin_world.finance)
    url = reverse("resources:costs", args=[fin_world.project.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(8):
        t = TaskFactory(project=fin_world.project, wbs_code=f"{i + 2}", start=dt.date(2026, 4, 1))
        PlannedCostFactory(project=fin_world.project, task=t)
        BudgetLineFactory(project=fin_world.project, task=t)
        ExpenseFactory(
            project=fin_world.project, task=t, status="approved", claimant=fin_world.member
        )
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)


def test_the_expenses_list_queries_do_not_grow(fin_world: World, login: Any) -> None:
    client = login(fin_world.finance)
    url = reverse("resources:expenses", args=[fin_world.project.pk])
    ExpenseFactory(project=fin_world.project, claimant=fin_world.member)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _i in range(10):
        ExpenseFactory(
            project=fin_world.project,
            claimant=fin_world.member,
            task=TaskFactory(project=fin_world.project),
        )
    with CaptureQueriesContext(connection) as big:
        page = client.get(url)
    assert page.content.decode().count('data-testid="expense-row"') == 11
    assert len(big.captured_queries) == len(small.captured_queries)


def test_budget_forms_add_and_refuse(fin_world: World, login: Any) -> None:
    client = login(fin_world.finance)
    pk = fin_world.project.pk
    r = client.post(
        reverse("resources:budget_line_new", args=[pk]),
        {"category": "labour", "amount": "2500", "period": "2026-05"},
    )
    assert r.status_code == 302
    line = BudgetLine.objects.get()
    assert line.period == dt.date(2026, 5, 1) and line.amount == Decimal("2500.00")
    r = client.post(
        reverse("resources:budget_line_new", args=[pk]),
        {"category": "labour", "amount": "-1", "period": "May"},
    )
    assert r.status_code == 422 and BudgetLine.objects.count() == 1
    assert "YYYY-MM" in r.content.decode()
    r = client.post(
        reverse("resources:budget_line_edit", args=[line.pk]),
        {"category": "labour", "amount": "3000", "version": line.version + 5},
    )
    assert r.status_code == 409
    r = client.post(
        reverse("resources:planned_cost_new", args=[pk]),
        {"category": "services", "description": "Survey"},
    )
    assert r.status_code == 422 and not PlannedCost.objects.exists()
    r = client.post(
        reverse("resources:budget_alerts", args=[pk]),
        {"alert_percentages": "75, 95", "version": "0"},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("resources:budget_alerts", args=[pk]), {"alert_percentages": "lots", "version": "1"}
    )
    assert r.status_code == 422


def test_expense_pages_claim_submit_and_refuse_self_approval(fin_world: World, login: Any) -> None:
    finance = login(fin_world.finance)
    pk = fin_world.project.pk
    r = finance.post(
        reverse("resources:expenses", args=[pk]),
        {
            "category": "other",
            "date": "2026-03-05",
            "amount": "20",
            "description": "Train",
            "receipt": SimpleUploadedFile("t.pdf", b"%PDF-1.7 ticket"),
        },
    )
    assert r.status_code == 302
    e = Expense.objects.get()
    assert e.receipt_type == "application/pdf"
    r = finance.post(
        reverse("resources:expense_action", args=[e.pk, "submit"]), {"version": e.version}
    )
    assert r.status_code == 302
    e.refresh_from_db()
    r = finance.post(
        reverse("resources:expense_action", args=[e.pk, "approve"]), {"version": e.version}
    )
    assert r.status_code == 403
    assert "Nobody approves their own expense" in r.content.decode()
    manager = login(fin_world.manager)
    r = manager.post(
        reverse("resources:expense_action", args=[e.pk, "reject"]),
        {"version": e.version, "reason": ""},
    )
    assert r.status_code == 422
    r = manager.post(
        reverse("resources:expense_action", args=[e.pk, "approve"]), {"version": e.version}
    )
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "approved"
    assert (
        login(fin_world.member).get(reverse("resources:expense_receipt", args=[e.pk])).status_code
        == 403
    )
    assert (
        manager.get(reverse("resources:expense_receipt", args=[e.pk]))["X-Content-Type-Options"]
        == "nosniff"
    )


def test_a_bad_receipt_shows_on_the_form(fin_world: World, login: Any) -> None:
    r = login(fin_world.member).post(
        reverse("resources:expenses", args=[fin_world.project.pk]),
        {
            "category": "other",
            "date": "2026-03-05",
            "amount": "20",
            "description": "Train",
            "receipt": SimpleUploadedFile("t.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert r.status_code == 422 and not Expense.objects.exists()
    assert "whatever its name" in r.content.decode()
