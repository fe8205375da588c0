"""The demo's resources and money, through the services people use: the team as resources
with skills, rates and leave, contractors without accounts, budgets and planned costs (set
before the kick-off baseline is saved, so earned value can be read in money), then
expenses, materials, purchases and equipment bookings as the work went."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from keel.apps.accounts.models import User, Workspace
from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.apps.resources.models import Assignment, Resource
from keel.apps.resources.selectors import resource_of_user
from keel.apps.resources.services_money import (
    budget_line_create,
    expense_approve,
    expense_create,
    expense_reject,
    expense_submit,
    planned_cost_create,
)
from keel.apps.resources.services_people import (
    assignment_remove,
    assignment_set,
    leave_create,
    rate_create,
    resource_create,
    resource_skill_set,
    resource_update,
)
from keel.apps.resources.services_stock import (
    booking_create,
    equipment_create,
    item_create,
    purchase_approve,
    purchase_create,
    purchase_receive,
    reorder_level_set,
    stock_receive,
    stock_use,
)

D = Decimal

# email prefix -> role, hours per day, skills (name, level), standard and overtime rate
PEOPLE: dict[str, tuple[str, str, list[tuple[str, int]], str, str, str]] = {
    "demo": ("Project manager", "8", [("Project management", 5)], "110", "165", "USD"),
    "wang.fang": ("项目经理", "8", [("项目管理", 4), ("采购", 4)], "220", "330", "CNY"),
    "li.qiang": ("室内设计师", "8", [("室内设计", 5), ("现场管理", 3)], "180", "270", "CNY"),
    "zhang.wei": ("机电工程师", "8", [("机电工程", 4), ("消防设计", 3)], "200", "300", "CNY"),
    "alice": (
        "Product manager",
        "8",
        [("Product management", 4), ("Writing", 4)],
        "85",
        "128",
        "USD",
    ),
    "bob": ("Backend engineer", "8", [("Python", 5), ("Algorithms", 4)], "95", "143", "USD"),
    "carol": ("Frontend engineer", "6", [("JavaScript", 5), ("UX design", 3)], "80", "120", "USD"),
}


def _rate_start(project: Project) -> dt.date:
    return project.start_date - dt.timedelta(days=90)


def _task(project: Project, wbs: str) -> Task:
    return Task.objects.get(project=project, wbs_code=wbs)


def _person_resource(manager: User, ws: Workspace, user: User) -> Resource:
    found = resource_of_user(ws.pk, user.pk)
    return found or resource_create(actor=manager, workspace=ws, user_id=user.pk)


def prepare_people(
    *, manager: User, ws: Workspace, people: dict[str, User], first_day: dt.date
) -> dict[str, Resource]:
    """The team as resources: role, capacity, skills, a rate from before the projects."""
    out: dict[str, Resource] = {}
    for key, (role, hours, skills, std, ot, currency) in PEOPLE.items():
        resource = _person_resource(manager, ws, people[key])
        resource = resource_update(
            actor=manager,
            resource=resource,
            version=resource.version,
            changes={"role": role, "capacity_hours": D(hours)},
        )
        for name, level in skills:
            resource_skill_set(actor=manager, resource=resource, level=level, name=name)
        rate_create(
            actor=manager,
            resource=resource,
            effective_from=first_day,
            standard_rate=D(std),
            overtime_rate=D(ot),
            currency=currency,
        )
        out[key] = resource
    # Carol works a four-day week.
    carol = Resource.objects.get(pk=out["carol"].pk)
    resource_update(
        actor=manager, resource=carol, version=carol.version, changes={"working_weekdays": "1234"}
    )
    return out


def _contractor(
    manager: User, ws: Workspace, name: str, organisation: str, role: str, rate: str, cur: str
) -> Resource:
    r = resource_create(
        actor=manager, workspace=ws, name=name, organisation=organisation, role=role
    )
    rate_create(
        actor=manager,
        resource=r,
        effective_from=dt.date(2020, 1, 1),
        standard_rate=D(rate),
        overtime_rate=D(rate) * D("1.5"),
        currency=cur,
    )
    return r


def prepare_fit(*, manager: User, project: Project, people: dict[str, User]) -> None:
    """Before the kick-off baseline: the fit-out's crews, budget and planned costs."""
    ws = project.workspace
    crew = _contractor(
        manager, ws, "华建装饰施工队", "华建装饰工程有限公司", "施工班组 6 人", "540", "CNY"
    )
    resource_skill_set(actor=manager, resource=crew, level=4, name="现场管理")
    electricians = _contractor(
        manager, ws, "恒通机电安装队", "恒通机电", "机电安装 3 人", "330", "CNY"
    )
    resource_skill_set(actor=manager, resource=electricians, level=4, name="机电工程")
    for wbs, resource, units in [
        # A crew is one resource at its crew rate: 100% is the whole crew's day.
        ("4.1", crew, "100"),
        ("4.2", crew, "100"),
        ("4.6", crew, "100"),
        ("4.3", electricians, "100"),
        ("4.4", electricians, "100"),
        ("4.5", electricians, "100"),
    ]:
        assignment_set(actor=manager, task=_task(project, wbs), resource=resource, units=D(units))
    # The manager chose the furniture but 王芳 does the work: her hours, in yuan.
    furniture = _task(project, "3.2")
    mine = Assignment.objects.filter(task=furniture, resource__user=people["demo"]).first()
    if mine is not None:
        assignment_remove(actor=manager, assignment=mine)
    wang = resource_of_user(ws.pk, people["wang.fang"].pk)
    assert wang is not None
    assignment_set(actor=manager, task=_task(project, "3.2"), resource=wang, units=D("100"))
    board = item_create(
        actor=manager,
        workspace=ws,
        code="FIT-GB",
        name="纸面石膏板 12mm",
        unit="张",
        unit_cost=D("38"),
        supplier="北新建材",
    )
    carpet = item_create(
        actor=manager,
        workspace=ws,
        code="FIT-CT",
        name="方块地毯",
        unit="平方米",
        unit_cost=D("120"),
        supplier="巨东地毯",
    )
    item_create(
        actor=manager,
        workspace=ws,
        code="FIT-PT",
        name="乳胶漆 18L",
        unit="桶",
        unit_cost=D("450"),
        supplier="立邦",
    )
    item_create(
        actor=manager,
        workspace=ws,
        code="FIT-CB",
        name="阻燃电缆 4mm²",
        unit="米",
        unit_cost=D("6.5"),
        supplier="远东电缆",
    )
    for wbs, category, text, amount, item, qty in [
        ("3.2", "materials", "办公家具 工位与会议桌椅", "280000", None, None),
        ("3.3", "equipment", "网络交换机与会议室音视频设备", "85000", None, None),
        ("4.2", "materials", "石膏板", None, board, "1800"),
        ("4.6", "materials", "方块地毯", None, carpet, "1200"),
        ("4.5", "services", "消防系统分包", "96000", None, None),
        ("5.4", "services", "保洁与空气检测", "12000", None, None),
        ("3.1", "other", "招标代理费", "8000", None, None),
    ]:
        values: dict[str, Any] = {
            "task_id": _task(project, wbs).pk,
            "category": category,
            "description": text,
        }
        if item is not None:
            values.update(item_id=item.pk, quantity=D(qty or "0"))
        else:
            values["amount"] = D(amount or "0")
        planned_cost_create(actor=manager, project=project, values=values)
    for category, amount in [
        ("labour", "260000"),
        ("materials", "620000"),
        ("equipment", "110000"),
        ("services", "120000"),
        ("other", "30000"),
    ]:
        budget_line_create(
            actor=manager, project=project, values={"category": category, "amount": D(amount)}
        )
    lift = equipment_create(
        actor=manager,
        workspace=ws,
        code="EQ-LIFT",
        name="剪叉式升降机",
        daily_rate=D("350"),
        supplier="宏信设备租赁",
    )
    ceiling = _task(project, "4.2")
    assert ceiling.start is not None and ceiling.finish is not None
    booking_create(
        actor=manager,
        project=project,
        equipment_id=lift.pk,
        start=ceiling.start,
        finish=ceiling.finish,
        task_id=ceiling.pk,
        note="吊顶施工",
    )


def prepare_rel(*, manager: User, project: Project) -> None:
    """Before the kick-off baseline: the release's contractor, budget and planned costs."""
    ws = project.workspace
    qa = _contractor(manager, ws, "Dana Smith", "Northwind QA Ltd", "Test engineer", "70", "USD")
    resource_skill_set(actor=manager, resource=qa, level=4, name="Testing")
    assignment_set(actor=manager, task=_task(project, "3.4"), resource=qa, units=D("50"))
    assignment_set(actor=manager, task=_task(project, "3.5"), resource=qa, units=D("100"))
    for wbs, category, text, amount in [
        ("3.2", "services", "Cloud load-test environment", "2400"),
        ("3.3", "services", "External penetration test", "9500"),
        ("3.4", "other", "Travel to beta customers", "3200"),
    ]:
        planned_cost_create(
            actor=manager,
            project=project,
            values={
                "task_id": _task(project, wbs).pk,
                "category": category,
                "description": text,
                "amount": D(amount),
            },
        )
    for category, amount in [
        ("labour", "95000"),
        ("services", "14000"),
        ("equipment", "3000"),
        ("other", "6000"),
    ]:
        budget_line_create(
            actor=manager, project=project, values={"category": category, "amount": D(amount)}
        )
    rig = equipment_create(
        actor=manager,
        workspace=ws,
        code="EQ-RIG",
        name="Performance test rig",
        daily_rate=D("120"),
    )
    bench = _task(project, "3.2")
    assert bench.start is not None and bench.finish is not None
    booking_create(
        actor=manager,
        project=project,
        equipment_id=rig.pk,
        start=bench.start,
        finish=bench.finish,
        task_id=bench.pk,
        note="Benchmarks on dedicated hardware",
    )


def load_spending(
    *, manager: User, fit: Project, rel: Project, people: dict[str, User], today: dt.date
) -> None:
    """After the work so far: leave, expenses in every state, stock received and used."""
    ws = fit.workspace
    li = resource_of_user(ws.pk, people["li.qiang"].pk)
    carol = resource_of_user(ws.pk, people["carol"].pk)
    assert li is not None and carol is not None
    leave_create(
        actor=people["li.qiang"],
        resource=li,
        start=today + dt.timedelta(days=7),
        finish=today + dt.timedelta(days=8),
        reason="年假",
    )
    leave_create(
        actor=manager,
        resource=carol,
        start=today + dt.timedelta(days=14),
        finish=today + dt.timedelta(days=16),
        reason="Conference",
    )
    for project, who, wbs, category, text, amount, ago, state in [
        (fit, "li.qiang", "2.1", "other", "现场勘测往返交通", "360", 30, "approved"),
        (fit, "zhang.wei", "2.4", "services", "消防设计审查费", "4500", 10, "submitted"),
        (fit, "wang.fang", "1.2", "other", "设计方案打印与装订", "820", 35, "approved"),
        (rel, "bob", "2.1", "services", "CI minutes for the new engine", "240", 12, "approved"),
        (rel, "carol", "2.3", "other", "Usability test incentives", "300", 5, "submitted"),
        (rel, "alice", "1.1", "other", "Customer visit: train tickets", "186", 20, "rejected"),
    ]:
        person = people[who]
        expense = expense_create(
            actor=person,
            project=project,
            values={
                "task_id": _task(project, wbs).pk,
                "category": category,
                "description": text,
                "amount": D(amount),
                "date": today - dt.timedelta(days=ago),
                "supplier": "",
            },
        )
        expense = expense_submit(actor=person, expense=expense, version=expense.version)
        if state == "approved":
            expense_approve(actor=manager, expense=expense, version=expense.version)
        elif state == "rejected":
            reason = "Please attach the receipt."
            expense_reject(actor=manager, expense=expense, version=expense.version, reason=reason)
    board = fit.workspace.items.get(code="FIT-GB")
    paint = fit.workspace.items.get(code="FIT-PT")
    cable = fit.workspace.items.get(code="FIT-CB")
    order = purchase_create(
        actor=people["wang.fang"],
        project=fit,
        supplier="北新建材",
        lines=[
            {"item_id": board.pk, "quantity": D("600")},
            {"item_id": paint.pk, "quantity": D("12")},
        ],
        needed_by=today + dt.timedelta(days=10),
        submit=True,
    )
    order = purchase_approve(actor=manager, order=order, version=order.version)
    lines = {line.item_id: line.pk for line in order.lines.all()}
    purchase_receive(
        actor=manager,
        order=order,
        version=order.version,
        received={lines[board.pk]: D("600"), lines[paint.pk]: D("8")},
        date=today - dt.timedelta(days=2),
    )
    purchase_create(
        actor=people["zhang.wei"],
        project=fit,
        supplier="远东电缆",
        lines=[{"item_id": cable.pk, "quantity": D("2500")}],
        needed_by=today + dt.timedelta(days=20),
        submit=True,
    )
    stock_receive(
        actor=manager,
        project=fit,
        item_id=cable.pk,
        quantity=D("300"),
        date=today - dt.timedelta(days=5),
        note="样品",
    )
    stock_use(
        actor=people["zhang.wei"],
        project=fit,
        item_id=cable.pk,
        quantity=D("40"),
        date=today - dt.timedelta(days=1),
        task_id=_task(fit, "2.3").pk,
        note="样板间",
    )
    # Paint runs low: the alert and the materials page show it.
    reorder_level_set(actor=manager, project=fit, item_id=paint.pk, level=D("10"), version=None)
