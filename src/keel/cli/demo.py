"""The demo workspace: two realistic projects, one in Chinese and one in English, built
through the same services people use, so the demo exercises the real rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from rich.console import Console

from keel.apps.accounts.models import User, Workspace, WorkspaceRole
from keel.apps.accounts.services import user_create, workspace_create, workspace_member_add
from keel.apps.audit.context import acting_as
from keel.apps.notifications.services import muted
from keel.apps.planning.services import (
    baseline_save,
    dependency_create,
    schedule_recalculate,
    task_create,
    task_update,
    wbs_renumber,
)
from keel.apps.projects.models import ProjectRole
from keel.apps.projects.services import goal_create, project_create, project_member_add

from .demo_reports import load_reports
from .demo_resources import load_spending, prepare_fit, prepare_people, prepare_rel
from .demo_time import load_timesheets

DEMO_SLUG = "demo"


@dataclass
class T:
    """One line of a demo plan: a task, summary (with children) or milestone."""

    key: str
    name: str
    days: float = 0
    children: list[T] = field(default_factory=list)
    after: list[str | tuple[str, str, float]] = field(default_factory=list)
    milestone: bool = False
    done: int = 0  # percent complete
    owner: str | None = None
    deadline: int | None = None  # working weeks after project start, for milestones
    goal: str | None = None
    status: str | None = None  # when not the one the progress implies
    blocked: str = ""  # why, for a blocked task


FIT_TEAM = [
    ("wang.fang@keel.example", "王芳", "zh-hans"),
    ("li.qiang@keel.example", "李强", "zh-hans"),
    ("zhang.wei@keel.example", "张伟", "zh-hans"),
]
REL_TEAM = [
    ("alice@keel.example", "Alice Moreau", "en"),
    ("bob@keel.example", "Bob Okafor", "en"),
    ("carol@keel.example", "Carol Jensen", "en"),
]

FIT_PLAN = [
    T(
        "1",
        "项目启动",
        children=[
            T("1.1", "确认需求与预算", 3, done=100, owner="wang.fang"),
            T("1.2", "选定设计单位", 5, after=["1.1"], done=100, owner="wang.fang"),
            T("1.3", "项目章程批准", milestone=True, after=["1.2"], deadline=2, done=100),
        ],
    ),
    T(
        "2",
        "设计",
        children=[
            T("2.1", "现场勘测", 2, after=["1.3"], done=100, owner="li.qiang"),
            T("2.2", "平面布局方案", 6, after=["2.1"], done=100, owner="li.qiang", goal="space"),
            T(
                "2.3",
                "机电设计（强电、弱电、空调）",
                8,
                after=["2.2"],
                done=80,
                owner="zhang.wei",
                status="in_review",
            ),
            T(
                "2.4",
                "消防设计与报审",
                10,
                after=[("2.2", "SS", 3)],
                done=60,
                owner="zhang.wei",
                status="blocked",
                blocked="等待消防部门的审图意见",
            ),
            T("2.5", "施工图定稿", milestone=True, after=["2.3", "2.4"], deadline=8),
        ],
    ),
    T(
        "3",
        "采购",
        children=[
            T("3.1", "施工单位招标", 10, after=["2.2"], done=50, owner="wang.fang"),
            T("3.2", "家具选型与下单", 5, after=["2.2"], owner="demo", goal="budget"),
            T("3.3", "网络与会议设备采购", 5, after=["2.3"], owner="zhang.wei"),
            T("3.4", "家具到货", 15, after=["3.2"], owner="wang.fang"),
        ],
    ),
    T(
        "4",
        "施工",
        children=[
            T("4.1", "拆除与清场", 4, after=["2.5", "3.1"], owner="li.qiang"),
            T("4.2", "隔墙与吊顶", 10, after=["4.1"], owner="li.qiang"),
            T("4.3", "强电与弱电布线", 8, after=[("4.2", "SS", 4)], owner="zhang.wei"),
            T("4.4", "空调与通风安装", 7, after=[("4.2", "SS", 5)], owner="zhang.wei"),
            T("4.5", "消防系统安装", 6, after=["4.3"], owner="zhang.wei", goal="safety"),
            T("4.6", "地面与墙面装饰", 8, after=["4.3", "4.4"], owner="li.qiang"),
            T("4.7", "主体完工", milestone=True, after=["4.5", "4.6"], deadline=18),
        ],
    ),
    T(
        "5",
        "验收与搬迁",
        children=[
            T("5.1", "消防验收", 3, after=["4.7"], owner="zhang.wei", goal="safety"),
            T("5.2", "家具安装", 4, after=["4.7", "3.4"], owner="wang.fang"),
            T("5.3", "网络与会议室调试", 3, after=["5.2", "3.3"], owner="zhang.wei"),
            T("5.4", "保洁与空气检测", 5, after=[("5.2", "FF", 1)], owner="li.qiang", goal="air"),
            T("5.5", "员工搬迁", 2, after=["5.1", "5.3", "5.4"], owner="wang.fang"),
            T("5.6", "新办公室启用", milestone=True, after=["5.5"], deadline=22, goal="space"),
        ],
    ),
    T(
        "6",
        "收尾",
        children=[
            T("6.1", "竣工结算", 5, after=["5.6"], owner="wang.fang", goal="budget"),
            T("6.2", "经验教训总结", 2, after=["5.6"], owner="wang.fang"),
            T("6.3", "项目归档", milestone=True, after=["6.1", "6.2"], deadline=24),
        ],
    ),
]

REL_PLAN = [
    T(
        "1",
        "Scope and design",
        children=[
            T("1.1", "Collect feedback from 2.x users", 4, done=100, owner="alice"),
            T("1.2", "Write the release PRD", 5, after=["1.1"], done=100, owner="alice"),
            T("1.3", "Architecture review", 3, after=["1.2"], done=100, owner="bob"),
            T("1.4", "Scope frozen", milestone=True, after=["1.3"], deadline=3, done=100),
        ],
    ),
    T(
        "2",
        "Build",
        children=[
            T(
                "2.1",
                "Scheduling engine: critical path",
                10,
                after=["1.4"],
                done=70,
                owner="bob",
                goal="perf",
            ),
            T("2.2", "Resource leveling", 8, after=["2.1"], owner="bob"),
            T("2.3", "New Gantt chart", 12, after=["1.4"], done=45, owner="carol", goal="nps"),
            T(
                "2.4",
                "API v1 and tokens",
                6,
                after=["1.4"],
                done=90,
                owner="alice",
                status="in_review",
            ),
            T(
                "2.5",
                "Chinese translation",
                5,
                after=[("2.3", "SS", 5)],
                done=10,
                owner="carol",
                goal="nps",
                status="blocked",
                blocked="Waiting for the glossary review by the Shanghai office",
            ),
            T(
                "2.6",
                "Feature complete",
                milestone=True,
                after=["2.2", "2.3", "2.4", "2.5"],
                deadline=10,
            ),
        ],
    ),
    T(
        "3",
        "Quality",
        children=[
            T("3.1", "Test plan", 2, after=["1.4"], done=100, owner="alice"),
            T("3.2", "Performance benchmarks", 4, after=["2.1"], owner="bob", goal="perf"),
            T("3.3", "Security review", 5, after=["2.4"], owner="demo", goal="quality"),
            T("3.4", "Beta with five customers", 10, after=["2.6"], owner="carol", goal="nps"),
            T("3.5", "Fix beta defects", 8, after=[("3.4", "SS", 3)], owner="bob", goal="quality"),
            T("3.6", "Release candidate", milestone=True, after=["3.5", "3.2", "3.3"], deadline=14),
        ],
    ),
    T(
        "4",
        "Launch",
        children=[
            T("4.1", "Documentation and upgrade guide", 6, after=["2.6"], owner="alice"),
            T("4.2", "Release notes and blog post", 2, after=["3.6"], owner="carol"),
            T("4.3", "Support team training", 2, after=[("4.1", "FS", -1)], owner="alice"),
            T(
                "4.4",
                "General availability",
                milestone=True,
                after=["4.2", "4.3"],
                deadline=16,
                goal="quality",
            ),
            T("4.5", "Post-launch review", 1, after=[("4.4", "FS", 5)], owner="alice"),
        ],
    ),
]

FIT_GOALS = {
    "space": dict(
        title="新办公室按期启用，容纳 120 个工位",
        kind="primary",
        metric="可用工位",
        unit="个",
        baseline_value=Decimal(0),
        target_value=Decimal(120),
        current_value=Decimal(0),
        weeks=22,
    ),
    "budget": dict(
        title="总成本控制在预算内",
        kind="primary",
        metric="预算执行率",
        unit="%",
        direction="down",
        baseline_value=Decimal(100),
        target_value=Decimal(95),
        current_value=Decimal(98),
        weeks=24,
    ),
    "safety": dict(
        title="一次通过消防验收",
        kind="secondary",
        metric="验收不合格项",
        unit="项",
        direction="down",
        baseline_value=Decimal(10),
        target_value=Decimal(0),
        current_value=None,
        weeks=21,
    ),
    "air": dict(
        title="室内空气质量达标（甲醛 ≤ 0.08 mg/m³）",
        kind="secondary",
        metric="甲醛浓度",
        unit="mg/m³",
        direction="down",
        baseline_value=Decimal("0.20"),
        target_value=Decimal("0.08"),
        current_value=None,
        weeks=22,
    ),
}
REL_GOALS = {
    "perf": dict(
        title="Schedule 10,000 tasks in under a second",
        kind="primary",
        metric="Scheduling time, 10k tasks",
        unit="s",
        direction="down",
        baseline_value=Decimal("4.2"),
        target_value=Decimal("1.0"),
        current_value=Decimal("1.8"),
        weeks=10,
    ),
    "nps": dict(
        title="Beta customers rate the release highly",
        kind="primary",
        metric="Net promoter score",
        unit="pts",
        baseline_value=Decimal(21),
        target_value=Decimal(40),
        current_value=Decimal(27),
        weeks=14,
    ),
    "quality": dict(
        title="Ship with no open critical defects",
        kind="secondary",
        metric="Open critical defects",
        unit="",
        direction="down",
        baseline_value=Decimal(12),
        target_value=Decimal(0),
        current_value=Decimal(5),
        weeks=16,
    ),
    "adoption": dict(
        title="Grow active workspaces after launch",
        kind="secondary",
        metric="Active workspaces",
        unit="",
        baseline_value=Decimal(340),
        target_value=None,
        current_value=Decimal(352),
        weeks=None,
    ),
}


def _monday_before(day: dt.date, weeks: int) -> dt.date:
    start = day - dt.timedelta(weeks=weeks)
    return start - dt.timedelta(days=start.weekday())


def _build_plan(
    actor: User,
    project: Any,
    plan: list[T],
    people: dict[str, User],
    goals: dict[str, Any],
    prepare: Callable[[], None] | None = None,
) -> int:
    ids: dict[str, int] = {}
    count = 0

    def add(node: T, parent_id: int | None) -> None:
        nonlocal count
        owner = people.get(node.owner) if node.owner else None
        fields: dict[str, Any] = {
            "is_milestone": node.milestone,
            "duration_days": Decimal(str(node.days)),
            "owner_id": owner.pk if owner else None,
        }
        if owner:
            fields["assignee_ids"] = [owner.pk]
        if node.milestone and node.deadline is not None:
            fields["deadline"] = project.start_date + dt.timedelta(weeks=node.deadline)
        if node.goal and node.goal in goals:
            fields["goal_ids"] = [goals[node.goal].pk]
        task = task_create(
            actor=actor,
            project=project,
            name=node.name,
            parent_id=parent_id,
            recalculate=False,
            **fields,
        )
        ids[node.key] = task.pk
        count += 1
        for child in node.children:
            add(child, task.pk)

    for node in plan:
        add(node, None)
    wbs_renumber(project)

    def links(node: T) -> None:
        for spec in node.after:
            pred, kind, lag = (spec, "FS", 0.0) if isinstance(spec, str) else spec
            dependency_create(
                actor=actor,
                project=project,
                predecessor_id=ids[pred],
                successor_id=ids[node.key],
                type=kind,
                lag_days=Decimal(str(lag)),
            )
        for child in node.children:
            links(child)

    for node in plan:
        links(node)
    # The plan as agreed at kick-off (scheduled from the project start, before any progress
    # was reported): slippage and earned value are measured against it. Progress is then
    # entered as it happened, against that plan, and only then is the status date set, so
    # finished work keeps the dates it ran on instead of all starting today.
    status_date = project.status_date
    type(project).objects.filter(pk=project.pk).update(status_date=None)
    schedule_recalculate(project)
    if prepare is not None:
        prepare()  # people, costs and bookings the kick-off plan already had
    name = "启动时的计划" if project.holiday_country == "CN" else "Kick-off plan"
    baseline_save(actor=actor, project=project, name=name)

    def progress(node: T) -> None:
        if node.done and not node.children:
            from keel.apps.planning.models import Task

            task = Task.objects.select_related("project").get(pk=ids[node.key])
            status = node.status or ("done" if node.done >= 100 else "in_progress")
            changes: dict[str, Any] = {"percent_complete": node.done, "status": status}
            if node.blocked:
                changes["blocked_reason"] = node.blocked
            task_update(actor=actor, task=task, version=task.version, changes=changes)
        for child in node.children:
            progress(child)

    for node in plan:
        progress(node)
    type(project).objects.filter(pk=project.pk).update(status_date=status_date)
    project.refresh_from_db()
    schedule_recalculate(project)
    return count


def _change_requests(manager: User, fit: Any, rel: Any, people: dict[str, User]) -> None:
    """One change request waiting for a decision in each project, with its engine impact."""
    from keel.apps.planning.models import Task
    from keel.apps.planning.services import change_request_create, change_request_submit

    for project, who, task_name, days, title, reason in [
        (
            fit,
            people["zhang.wei"],
            "消防设计与报审",
            14,
            "消防审图延期",
            "消防部门要求补充排烟计算书，审图预计延长四个工作日。",
        ),
        (
            rel,
            people["carol"],
            "New Gantt chart",
            15,
            "Three more days for the Gantt chart",
            "Beta customers asked for baseline bars and quarter zoom; both are in the spec now.",
        ),
    ]:
        task = Task.objects.get(project=project, name=task_name)
        cr = change_request_create(
            actor=who,
            project=project,
            title=title,
            reason=reason,
            changes=[{"op": "update", "task_id": task.pk, "fields": {"duration_days": days}}],
        )
        change_request_submit(actor=who, cr=cr, version=cr.version)


def _make_goals(
    actor: User, project: Any, specs: dict[str, dict[str, Any]], owner: User
) -> dict[str, Any]:
    goals = {}
    for key, spec in specs.items():
        spec = dict(spec)
        weeks = spec.pop("weeks")
        goals[key] = goal_create(
            actor=actor,
            project=project,
            owner_id=owner.pk,
            due_date=project.start_date + dt.timedelta(weeks=weeks) if weeks else None,
            **spec,
        )
    return goals


def _person(email: str, name: str, language: str, password: str) -> User:
    user = User.objects.filter(email=email).first()
    return user or user_create(email=email, password=password, name=name, language=language)


def load_demo(
    *,
    email: str,
    password: str,
    reset: bool,
    console: Console | None = None,
    today: dt.date | None = None,
) -> bool:
    """Create the demo workspace once. Returns False when it was already there."""
    today = today or dt.date.today()  # noqa: DTZ011  (demo dates are relative to the local day)
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing and not reset:
        return False
    # The demo's own assignments and alerts would e-mail the whole demo team: not for a demo.
    with transaction.atomic(), muted():
        if existing:
            from keel.apps.projects.models import Project

            Project.objects.filter(workspace=existing).delete()
            existing.delete()
        demo_user = _person(email, "Demo Manager", "en", password)
        with acting_as(demo_user):
            ws = workspace_create(actor=demo_user, name="Keel Demo", slug=DEMO_SLUG)
            people: dict[str, User] = {"demo": demo_user}  # the manager does some work too
            for mail, name, lang in FIT_TEAM + REL_TEAM:
                user = _person(mail, name, lang, password)
                people[mail.split("@")[0]] = user
                workspace_member_add(
                    actor=demo_user, workspace=ws, email=mail, role=WorkspaceRole.MEMBER
                )

            fit = project_create(
                actor=demo_user,
                workspace=ws,
                code="FIT",
                name="总部办公室装修",
                description="将总部迁入新租赁的 3 层办公区：设计、采购、施工、验收与搬迁。",
                phase="execution",
                start_date=_monday_before(today, 6),
                target_finish=_monday_before(today, 6) + dt.timedelta(weeks=26),
                timezone_name="Asia/Shanghai",
                status_date=today,
                currency="CNY",
                holiday_country="CN",
            )
            rel = project_create(
                actor=demo_user,
                workspace=ws,
                code="REL",
                name="Keel 2.0 release",
                description="Ship Keel 2.0: the new scheduling engine, Gantt chart and API, "
                "beta-tested with five customers.",
                phase="execution",
                start_date=_monday_before(today, 4),
                target_finish=_monday_before(today, 4) + dt.timedelta(weeks=18),
                timezone_name="Europe/London",
                status_date=today,
                currency="USD",
                holiday_country="GB",
            )
            total = 0
            first_day = min(fit.start_date, rel.start_date) - dt.timedelta(days=90)
            prepare_people(manager=demo_user, ws=ws, people=people, first_day=first_day)
            preparations: dict[str, Callable[[], None]] = {
                "FIT": lambda: prepare_fit(manager=demo_user, project=fit, people=people),
                "REL": lambda: prepare_rel(manager=demo_user, project=rel),
            }
            for project, plan, team, goal_specs in [
                (fit, FIT_PLAN, FIT_TEAM, FIT_GOALS),
                (rel, REL_PLAN, REL_TEAM, REL_GOALS),
            ]:
                for mail, _name, _lang in team:
                    project_member_add(
                        actor=demo_user,
                        project=project,
                        user_id=people[mail.split("@")[0]].pk,
                        role=ProjectRole.MEMBER,
                    )
                goals = _make_goals(demo_user, project, goal_specs, demo_user)
                total += _build_plan(
                    demo_user, project, plan, people, goals, preparations[project.code]
                )
            load_timesheets(manager=demo_user, projects=[fit, rel], today=today)
            load_spending(manager=demo_user, fit=fit, rel=rel, people=people, today=today)
            load_reports(manager=demo_user, projects=[fit, rel])
            _change_requests(demo_user, fit, rel, people)
    if console:
        console.print(f"Loaded the demo workspace: 2 projects, {total} tasks.")
    return True
