"""The demo's progress reports: in each project a primary baseline (when it has none), last
week's report issued by the manager with a narrative, and this week's as a draft, through the
same services people use. Demo reports are not e-mailed: the demo's people are not real."""

from __future__ import annotations

from collections.abc import Sequence

from keel.apps.accounts.models import User
from keel.apps.planning.selectors import primary_baseline, project_today
from keel.apps.planning.services import baseline_save
from keel.apps.projects.models import Project
from keel.apps.reporting.periods import PeriodKind, ReportPeriod
from keel.apps.reporting.services import report_create, report_issue

BASELINE_NAME = {"CNY": "批准的计划", "default": "Agreed plan"}
NARRATIVE = {
    "CNY": (
        "设计阶段基本按计划推进：平面布局方案已定稿，机电设计进入评审。\n\n"  # noqa: RUF001  (Chinese punctuation)
        "主要问题：消防设计仍在等待消防部门的审图意见，可能影响施工图定稿的里程碑。"  # noqa: RUF001
        "下周将与设计单位一起跟进审图进度，并提前启动施工单位招标的评标工作。"  # noqa: RUF001
    ),
    "default": (
        "The scheduling engine is ahead of plan and the API is in review. The Chinese "
        "translation waits for the glossary review by the Shanghai office, which puts the "
        "beta milestone at risk.\n\nNext week: close the API review, and agree a date for the "
        "glossary review."
    ),
}


def _pick(table: dict[str, str], project: Project) -> str:
    return table.get(project.currency, table["default"])


def load_reports(*, manager: User, projects: Sequence[Project]) -> int:
    """Issue last week's report and prepare this week's in each project; returns how many
    reports were made."""
    made = 0
    for project in projects:
        if primary_baseline(project) is None:
            baseline_save(actor=manager, project=project, name=_pick(BASELINE_NAME, project))
        this_week = ReportPeriod.containing(PeriodKind.WEEKLY, project_today(project))
        last_week = this_week.previous
        if last_week.end >= project.start_date:
            report = report_create(actor=manager, project=project, period=last_week)
            report_issue(
                actor=manager,
                report=report,
                version=report.version,
                narrative=_pick(NARRATIVE, project),
                language="zh-hans" if project.currency == "CNY" else "en",
                email=False,
            )
            made += 1
        report_create(actor=manager, project=project, period=this_week)
        made += 1
    return made
