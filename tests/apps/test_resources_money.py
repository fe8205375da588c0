"""Money: the cost summary worked out by hand (rates changing mid-task, overtime, a rate in
another currency), the expense workflow and its refusals, receipts, spend alerts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from keel.apps.planning.models import Task
from keel.apps.resources import selectors_money as sel
from keel.apps.resources import services_money as svc
from keel.apps.resources.models import (
    Booking,
    CostRate,
    Expense,
    ExpenseStatus,
    FinanceSettings,
    StockMove,
)
from keel.apps.tracking.models import TimeEntry
from keel.common.errors import Conflict, PermissionDenied, ValidationFailed
from tests.conftest import World
from tests.factories import ProjectFactory, TaskFactory
from tests.factories_resources import (
    AssignmentFactory,
    BudgetLineFactory,
    CostRateFactory,
    EquipmentFactory,
    ExpenseFactory,
    ItemFactory,
    PlannedCostFactory,
    ResourceFactory,
)

D = Decimal
TODAY = dt.date(2026, 4, 10)
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def _receipts(settings: Any, tmp_path: Path, monkeypatch: Any) -> Path:
    settings.KEEL_RECEIPTS_ROOT = tmp_path / "private"
    monkeypatch.setattr(sel, "project_today", lambda project: TODAY)
    return tmp_path / "private"


def _approved(project: Any, task: Any, user: Any, day: dt.date, hours: str) -> TimeEntry:
    return TimeEntry.objects.create(
        project=project, task=task, user=user, date=day, hours=D(hours), status="approved"
    )


@pytest.fixture
def costed(fin_world: World) -> dict[str, Any]:
    """The worked example of docs/costs.md."""
    w = fin_world
    p = w.project
    task = TaskFactory(
        project=p,
        wbs_code="1",
        duration_days=D("10"),
        start=dt.date(2026, 3, 23),
        finish=dt.date(2026, 4, 3),
        percent_complete=50,
    )
    person = ResourceFactory(workspace=w.workspace, user=w.member, name="Mei")
    CostRateFactory(resource=person, standard_rate=D("50"), overtime_rate=D("75"))
    CostRateFactory(
        resource=person,
        effective_from=dt.date(2026, 4, 1),
        standard_rate=D("60"),
        overtime_rate=D("90"),
    )
    AssignmentFactory(task=task, resource=person, units=D("50"))
    euro = ResourceFactory(workspace=w.workspace, name="Jean")
    CostRateFactory(resource=euro, currency="EUR")
    AssignmentFactory(task=task, resource=euro, units=D("100"))
    # Mei's 30 March: 6 h here and 4 h in another project, 2 h over her 8: a share of 1.2 h
    # here is overtime.
    _approved(p, task, w.member, dt.date(2026, 3, 30), "6")
    other = ProjectFactory(workspace=w.workspace)
    _approved(other, TaskFactory(project=other), w.member, dt.date(2026, 3, 30), "4")
    _approved(p, task, w.member, dt.date(2026, 4, 1), "8")  # at the new rate
    ExpenseFactory(
        project=p,
        task=task,
        category="materials",
        amount=D("120"),
        claimant=w.member,
        status="approved",
        reviewer=w.finance,
        date=dt.date(2026, 3, 15),
    )
    ExpenseFactory(project=p, amount=D("999"), claimant=w.member)  # a draft: not a cost
    item = ItemFactory(workspace=w.workspace, unit_cost=D("2.50"))
    StockMove.objects.create(
        project=p,
        item=item,
        kind="usage",
        quantity=D("-4"),
        unit_cost=D("2.50"),
        date=dt.date(2026, 3, 25),
        task=task,
        created_by=w.manager,
    )
    PlannedCostFactory(project=p, task=task, amount=D("300"))
    crane = EquipmentFactory(workspace=w.workspace, daily_rate=D("400"))
    Booking.objects.create(
        equipment=crane,
        project=p,
        start=dt.date(2026, 3, 30),
        finish=dt.date(2026, 4, 2),
        booked_by=w.manager,
    )
    BudgetLineFactory(project=p, category="labour", amount=D("2500"))
    BudgetLineFactory(
        project=p, category="materials", amount=D("200"), task=task, period=dt.date(2026, 3, 1)
    )
    return {"world": w, "task": task}


def _row(rows: list[Any], key: str) -> Any:
    return next(r for r in rows if r.key == key)


def test_the_worked_example(costed: dict[str, Any]) -> None:
    s = sel.compute_costs(costed["world"].project)
    labour = _row(s.by_category, "labour").figures
    # 10 days x 8 h x 50 % = 40 h at 50 (the rate on the task's start).
    assert labour.planned == D("2000.00")
    # 4.8 h x 50 + 1.2 h x 75 (overtime) on 30 March, then 8 h x 60 on 1 April.
    assert labour.actual == D("810.00")
    assert labour.forecast == D("1810.00")  # + 2000 x (1 - 50 %)
    assert labour.budget == D("2500.00")
    materials = _row(s.by_category, "materials").figures
    assert (materials.planned, materials.actual, materials.forecast) == (
        D("300.00"),
        D("130.00"),
        D("280.00"),
    )
    equipment = _row(s.by_category, "equipment").figures
    assert (equipment.planned, equipment.actual, equipment.forecast) == (
        D("1600.00"),
        D("1600.00"),  # 4 days x 400, all held by TODAY: equipment is paid by the day
        D("1600.00"),
    )
    assert s.total.planned == D("3900.00") and s.total.actual == D("2540.00")
    assert s.total.forecast == D("3690.00") and s.total.budget == D("2700.00")
    assert s.earned_value == D("2750.00") and s.cpi == D("1.08")
    assert s.eac_bottom_up == D("3690.00")
    assert s.eac_cpi == D("2493.82")  # 2700 / (2750 / 2540)
    assert s.spent_percent == D("94.1") and s.forecast_percent == D("136.7")
    assert s.missing_rates == ["Jean"]
    march, april, unphased = s.by_month
    assert march.key == "2026-03" and april.key == "2026-04" and unphased.key == sel.NO_MONTH
    assert march.figures == sel.Figures(D("200.00"), D("2600.00"), D("1260.00"), D("2160.00"))
    assert april.figures == sel.Figures(D("0.00"), D("1300.00"), D("1280.00"), D("1530.00"))
    assert unphased.figures.budget == D("2500.00")
    task_row = _row(s.by_wbs, str(costed["task"].pk))
    assert task_row.figures.forecast == D("2090.00") and task_row.figures.budget == D("200.00")
    assert [r.task_id for r in s.over_budget] == [costed["task"].pk]


def test_a_booking_half_held_is_half_actual(fin_world: World) -> None:
    crane = EquipmentFactory(workspace=fin_world.workspace, daily_rate=D("400"))
    Booking.objects.create(
        equipment=crane,
        project=fin_world.project,
        start=TODAY - dt.timedelta(days=1),
        finish=TODAY + dt.timedelta(days=2),
        booked_by=fin_world.manager,
    )
    s = sel.compute_costs(fin_world.project)
    equipment = _row(s.by_category, "equipment").figures
    assert (equipment.planned, equipment.actual, equipment.forecast) == (
        D("1600.00"),
        D("800.00"),  # yesterday and today
        D("1600.00"),
    )
    rows = sel.actual_cost_rows(fin_world.project, TODAY)
    assert sorted(d for _t, d, _a in rows) == [TODAY - dt.timedelta(days=1), TODAY]


def test_baselines_and_earned_value_use_these_costs(costed: dict[str, Any]) -> None:
    """The provider registered at start-up prices the baseline's tasks and feeds earned
    value in money."""
    from keel.apps.planning.models import BaselineTask
    from keel.apps.planning.services import baseline_save
    from keel.apps.tracking.selectors import earned_value_for

    w, task = costed["world"], costed["task"]
    baseline = baseline_save(actor=w.manager, project=w.project)
    row = BaselineTask.objects.get(baseline=baseline, task=task)
    assert row.cost == D("2300.00")  # 2,000 of labour + 300 planned on the task
    assert baseline.cost == D("2300.00")  # the crane, on no task, is in no task's budget
    w.project.status_date = TODAY
    w.project.save(update_fields=["status_date"])
    report = earned_value_for(w.finance, w.project, unit="cost")
    assert report is not None
    assert report.value.ac == pytest.approx(2540.0)  # everything spent, the crane included


def test_summaries_roll_up_and_hours_without_a_resource_are_warned(fin_world: World) -> None:
    p = fin_world.project
    phase = TaskFactory(project=p, wbs_code="1", is_summary=True)
    leaf = TaskFactory(project=p, parent=phase, wbs_code="1.1", start=dt.date(2026, 3, 2))
    PlannedCostFactory(project=p, task=leaf, amount=D("40"))
    BudgetLineFactory(project=p, task=phase, category="materials", amount=D("30"))
    _approved(p, leaf, fin_world.viewer, dt.date(2026, 3, 3), "2")  # no resource at all
    s = sel.compute_costs(p)
    rows = {r.key: r for r in s.by_wbs}
    assert rows[str(phase.pk)].figures.planned == D("40.00")
    assert rows[str(leaf.pk)].depth == 1
    assert [r.task_id for r in s.over_budget] == [phase.pk]  # 40 forecast over 30
    assert s.missing_rates == ["Viewer"] and s.missing_hours == D("2")


def test_summary_queries_do_not_grow(
    costed: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    p = costed["world"].project
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        sel.compute_costs(p)
    for i in range(5):
        t = TaskFactory(project=p, wbs_code=f"{i + 2}", start=dt.date(2026, 5, 4))
        AssignmentFactory(task=t, resource=ResourceFactory(workspace=p.workspace))
        PlannedCostFactory(project=p, task=t)
        ExpenseFactory(project=p, task=t, status="approved", claimant=costed["world"].member)
    with django_assert_max_num_queries(len(small.captured_queries)):
        sel.compute_costs(p)


# ---------------------------------------------------------------- expenses


def _claim(w: World, who: Any = None, **values: Any) -> Expense:
    data = {
        "category": "other",
        "date": dt.date(2026, 3, 5),
        "amount": "42.50",
        "description": "Taxi",
    } | values
    return svc.expense_create(actor=who or w.member, project=w.project, values=data)


def test_expense_flow_and_refusals(fin_world: World) -> None:
    w = fin_world
    e = _claim(w)
    assert e.status == ExpenseStatus.DRAFT and e.amount == D("42.50")
    e = svc.expense_submit(actor=w.member, expense=e, version=e.version)
    with pytest.raises(ValidationFailed) as locked:
        svc.expense_update(actor=w.member, expense=e, version=e.version, changes={"amount": "1"})
    assert locked.value.code == "expense_locked"
    with pytest.raises(PermissionDenied):
        svc.expense_approve(actor=w.member, expense=e, version=e.version)  # a member
    with pytest.raises(ValidationFailed) as no_reason:
        svc.expense_reject(actor=w.finance, expense=e, version=e.version, reason="  ")
    assert "reason" in no_reason.value.fields
    with pytest.raises(Conflict):
        svc.expense_approve(actor=w.finance, expense=e, version=e.version - 1)
    e = svc.expense_reject(actor=w.finance, expense=e, version=e.version, reason="No receipt")
    assert e.status == ExpenseStatus.REJECTED and e.review_comment == "No receipt"
    e = svc.expense_update(actor=w.member, expense=e, version=e.version, changes={"amount": "40"})
    e = svc.expense_submit(actor=w.member, expense=e, version=e.version)
    assert e.review_comment == ""
    e = svc.expense_approve(actor=w.finance, expense=e, version=e.version)
    assert e.reviewer == w.finance
    assert sel.compute_costs(w.project).total.actual == D("40.00")
    with pytest.raises(ValidationFailed):
        svc.expense_delete(actor=w.member, expense=e, version=e.version)


def test_nobody_approves_their_own_expense(fin_world: World) -> None:
    w = fin_world
    e = _claim(w, who=w.finance)
    e = svc.expense_submit(actor=w.finance, expense=e, version=e.version)
    with pytest.raises(PermissionDenied) as refused:
        svc.expense_approve(actor=w.finance, expense=e, version=e.version)
    assert refused.value.code == "own_expense"
    assert str(refused.value.message) == str(svc.MSG_OWN_EXPENSE)
    assert Expense.objects.get(pk=e.pk).status == ExpenseStatus.SUBMITTED


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"category": "food"}, "category"),
        ({"task_id": 10**9}, "task_id"),
    ],
)
def test_bad_expenses_change_nothing(fin_world: World, values: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _claim(fin_world, **values)
    assert field in exc.value.fields
    assert not Expense.objects.exists()


def test_an_expense_on_another_projects_task_is_refused(fin_world: World) -> None:
    other_task = TaskFactory(project=ProjectFactory(workspace=fin_world.workspace))
    with pytest.raises(ValidationFailed) as exc:
        _claim(fin_world, task_id=other_task.pk)
    assert exc.value.fields["task_id"] == [str(svc.MSG_NO_TASK)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("receipt.exe", PDF, svc.MSG_RECEIPT_TYPE),
        ("receipt.pdf", b"MZ\x90\x00 not a pdf at all", svc.MSG_RECEIPT_CONTENT),
        ("receipt.png", PDF, svc.MSG_RECEIPT_CONTENT),  # a PDF named .png
        ("receipt.webp", b"RIFF\0\0\0\0WAVEfmt ", svc.MSG_RECEIPT_CONTENT),
        ("receipt.pdf", b"", svc.MSG_RECEIPT_EMPTY),
    ],
)
def test_bad_receipts_are_refused_and_nothing_is_saved(
    fin_world: World, _receipts: Path, name: str, content: bytes, message: Any
) -> None:
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationFailed) as exc:
        svc.expense_create(
            actor=fin_world.member,
            project=fin_world.project,
            values={
                "category": "other",
                "date": dt.date(2026, 3, 5),
                "amount": "5",
                "description": "x",
            },
            receipt=upload,
        )
    assert exc.value.fields["receipt"] == [str(message)]
    assert not Expense.objects.exists()
    assert not _receipts.exists() or not any(_receipts.rglob("*.*"))


def test_a_receipt_too_big_is_refused(fin_world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(svc, "RECEIPT_MAX_BYTES", 64)
    with pytest.raises(ValidationFailed) as exc:
        svc.check_receipt(SimpleUploadedFile("r.pdf", PDF + b"x" * 64))
    assert exc.value.fields["receipt"] == [str(svc.MSG_RECEIPT_SIZE % {"mb": 0})]


def test_a_receipt_is_stored_privately_under_a_random_name(
    fin_world: World, _receipts: Path
) -> None:
    e = svc.expense_create(
        actor=fin_world.member,
        project=fin_world.project,
        values={
            "category": "other",
            "date": dt.date(2026, 3, 5),
            "amount": "5",
            "description": "x",
        },
        receipt=SimpleUploadedFile("My Taxi.PNG", PNG),
    )
    assert e.receipt_name == "My Taxi.PNG" and e.receipt_type == "image/png"
    assert "Taxi" not in e.receipt.name and e.receipt.name.endswith(".png")
    assert (_receipts / e.receipt.name).read_bytes() == PNG
    response = sel.receipt_download(fin_world.finance, e.pk)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    with pytest.raises(PermissionDenied):
        sel.receipt_download(_other_member(fin_world), e.pk)


def _other_member(w: World) -> Any:
    from tests.factories import ProjectMembershipFactory, UserFactory, WorkspaceMembershipFactory

    user = UserFactory()
    WorkspaceMembershipFactory(workspace=w.workspace, user=user, role="member")
    ProjectMembershipFactory(project=w.project, user=user, role="member")
    return user


# ---------------------------------------------------------------- budget and planned costs


def test_planned_cost_from_an_item_and_a_quantity(fin_world: World) -> None:
    item = ItemFactory(workspace=fin_world.workspace, unit_cost=D("2.50"))
    cost = svc.planned_cost_create(
        actor=fin_world.finance,
        project=fin_world.project,
        values={
            "category": "materials",
            "description": "Cement",
            "item_id": item.pk,
            "quantity": D("12.5"),
        },
    )
    assert cost.amount == D("31.25")
    with pytest.raises(ValidationFailed) as exc:
        svc.planned_cost_create(
            actor=fin_world.finance,
            project=fin_world.project,
            values={"category": "materials", "description": "Cement", "item_id": item.pk},
        )
    assert "quantity" in exc.value.fields
    with pytest.raises(Conflict):
        svc.planned_cost_update(actor=fin_world.finance, cost=cost, version=99, changes={})


def test_budget_lines_are_for_the_budget_editors(fin_world: World) -> None:
    w = fin_world
    line = svc.budget_line_create(
        actor=w.finance,
        project=w.project,
        values={"category": "labour", "amount": "10", "period": dt.date(2026, 5, 17)},
    )
    assert line.period == dt.date(2026, 5, 1)
    for who in (w.member, w.viewer):
        with pytest.raises(PermissionDenied):
            svc.budget_line_create(
                actor=who, project=w.project, values={"category": "labour", "amount": "1"}
            )
    with pytest.raises(ValidationFailed):
        svc.budget_line_update(
            actor=w.finance, line=line, version=line.version, changes={"amount": "-1"}
        )
    line.refresh_from_db()
    assert line.amount == D("10.00")


# ---------------------------------------------------------------- spend alerts


def test_spend_crossings_are_announced_once(fin_world: World) -> None:
    w = fin_world
    p = w.project
    BudgetLineFactory(project=p, amount=D("1000"))
    assert sel.spend_crossings(p) == []
    ExpenseFactory(project=p, amount=D("850"), status="approved", claimant=w.member)
    assert sel.spend_crossings(p) == [("actual", 80), ("forecast", 80)]
    svc.spend_alerts_mark(p, sel.spend_crossings(p))
    assert sel.spend_crossings(p) == []
    ExpenseFactory(project=p, amount=D("200"), status="approved", claimant=w.member)
    assert sel.spend_crossings(p) == [("actual", 100), ("forecast", 100)]
    svc.spend_alerts_mark(p, [("actual", 100)])
    assert FinanceSettings.objects.get(project=p).alerted_actual == 100
    assert sel.spend_crossings(p) == [("forecast", 100)]
    row = FinanceSettings.objects.get(project=p)
    svc.finance_settings_set(
        actor=w.finance, project=p, version=row.version, alert_percentages="50, 90"
    )
    assert sel.spend_crossings(p) == [("forecast", 90)]  # actual was reported at 100 >= 90


def test_alert_percentages_must_be_numbers(fin_world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        svc.finance_settings_set(
            actor=fin_world.finance,
            project=fin_world.project,
            version=None,
            alert_percentages="80, lots",
        )
    assert "alert_percentages" in exc.value.fields
    assert not FinanceSettings.objects.exists()


# ---------------------------------------------------------------- a property


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "submit", "approve", "reject", "delete", "edit"]),
        st.integers(min_value=0, max_value=4),
        st.decimals(min_value=D("0.01"), max_value=D("9999"), places=2),
    ),
    max_size=25,
)


@hyp_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_actual_cost_is_the_sum_of_approved_expenses(fin_world: World, ops: list[Any]) -> None:
    w = fin_world
    Expense.objects.all().delete()
    for op, index, amount in ops:
        mine = list(Expense.objects.filter(project=w.project).order_by("pk"))
        target = mine[index % len(mine)] if mine else None
        try:
            if op == "create" or target is None:
                _claim(w, amount=str(amount))
            elif op == "submit":
                svc.expense_submit(actor=w.member, expense=target, version=target.version)
            elif op == "approve":
                svc.expense_approve(actor=w.finance, expense=target, version=target.version)
            elif op == "reject":
                svc.expense_reject(
                    actor=w.finance, expense=target, version=target.version, reason="no"
                )
            elif op == "delete":
                svc.expense_delete(actor=w.member, expense=target, version=target.version)
            else:
                svc.expense_update(
                    actor=w.member,
                    expense=target,
                    version=target.version,
                    changes={"amount": str(amount)},
                )
        except (ValidationFailed, PermissionDenied):
            pass
    approved = sum((e.amount for e in Expense.objects.filter(status="approved")), D("0"))
    assert sel.compute_costs(w.project).total.actual == approved
    assert Task.objects.count() == 0
    assert not CostRate.objects.exists()


def test_a_cost_on_no_task_is_earned_only_as_it_is_spent(fin_world: World) -> None:
    """Planned on no task and with no date: not counted as spent (or earned) until money is
    spent on no task in its category."""
    PlannedCostFactory(project=fin_world.project, task=None, category="services", amount=D("1000"))
    s = sel.compute_costs(fin_world.project)
    services = _row(s.by_category, "services").figures
    assert (services.planned, services.actual, services.forecast) == (
        D("1000.00"),
        D("0.00"),
        D("1000.00"),
    )
    assert s.earned_value == D("0.00")
    ExpenseFactory(
        project=fin_world.project,
        category="services",
        amount=D("300"),
        claimant=fin_world.member,
        status="approved",
        reviewer=fin_world.finance,
        date=TODAY,
    )
    s = sel.compute_costs(fin_world.project)
    services = _row(s.by_category, "services").figures
    assert (services.actual, services.forecast) == (D("300.00"), D("1000.00"))
    assert s.earned_value == D("300.00")
