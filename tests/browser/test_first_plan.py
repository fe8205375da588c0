"""A new project manager's first plan, in a real browser, in English and in Chinese: sign in
as the demo user, create a project, add a goal, two tasks and a dependency, and see them on
the project overview with the dates the engine computed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from keel.apps.planning.models import Dependency, Task
from keel.apps.projects.models import Goal, Project
from keel.cli.demo import load_demo
from keel.cli.main import DEMO_EMAIL, DEMO_PASSWORD

TEXT = {
    "en": {
        "project": "Warehouse move",
        "goal": "Move all stock",
        "a": "Pack racks",
        "b": "Ship racks",
    },
    "zh-hans": {
        "project": "仓库搬迁",
        "goal": "全部库存搬迁完毕",
        "a": "货架打包",
        "b": "货架运输",
    },
}


def _t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_first_plan_in_the_browser(page: Any, live_server: Any, language: str) -> None:
    load_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, reset=False)
    text = TEXT[language]
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", DEMO_EMAIL)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/$"))

    # The language menu saves the choice to the profile and reloads the page in it.
    with page.expect_navigation():
        page.select_option("#language-switch", language)
    assert page.locator("html").get_attribute("lang") == language
    heading = _t(language, "Projects")
    if language == "zh-hans":
        assert heading != "Projects", "the zh-hans catalogue is not compiled or not complete"
    assert page.get_by_role("heading", name=heading).first.is_visible()

    # A project.
    page.goto(f"{base}/projects/new/")
    page.fill("[name=code]", "WH")
    page.fill("[name=name]", text["project"])
    page.fill("[name=start_date]", "2026-03-02")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+/$"))
    project = Project.objects.get(code="WH")
    assert page.url.endswith(f"/projects/{project.pk}/")

    # A goal, measurable.
    page.goto(f"{base}/projects/{project.pk}/goals/new/")
    page.fill("[name=title]", text["goal"])
    page.fill("[name=metric]", "Racks moved")
    page.fill("[name=target_value]", "40")
    page.fill("[name=current_value]", "10")
    page.fill("[name=due_date]", "2026-04-30")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()
    assert Goal.objects.filter(project=project, title=text["goal"]).exists()

    # Two tasks through the task tree's quick-add form (htmx).
    page.goto(f"{base}/projects/{project.pk}/tasks/")
    for name, days in ((text["a"], "3"), (text["b"], "2")):
        form = page.locator("#add-task")
        form.locator("[name=name]").fill(name)
        form.locator("[name=duration_days]").fill(days)
        form.locator("button[type=submit]").click()
        page.locator("[data-testid=task-row]", has_text=name).wait_for()
    a = Task.objects.get(project=project, name=text["a"])
    b = Task.objects.get(project=project, name=text["b"])

    # The dependency, from the successor's page.
    page.goto(f"{base}/tasks/{b.pk}/")
    predecessors = page.locator("[data-testid=predecessors]")
    predecessors.locator("[name=task_id]").select_option(str(a.pk))
    with page.expect_navigation():
        predecessors.locator("button[type=submit]").click()
    assert Dependency.objects.filter(predecessor=a, successor=b).exists()
    assert predecessors.get_by_text(text["a"]).first.is_visible()

    # The overview: the goal, and both tasks on the critical path in order, B after A.
    page.goto(f"{base}/projects/{project.pk}/")
    assert page.locator("[data-testid=goal-row]", has_text=text["goal"]).is_visible()
    rows = page.locator("[data-testid=critical-row]")
    assert rows.count() == 2
    assert text["a"] in rows.nth(0).inner_text()
    second = rows.nth(1).inner_text()
    assert text["b"] in second and text["a"] in second  # B's predecessor is shown
    assert page.get_by_role("heading", name=_t(language, "Critical path")).is_visible()
    b.refresh_from_db()
    assert (str(b.start), str(b.finish)) == ("2026-03-05", "2026-03-06")
    project.refresh_from_db()
    assert str(project.scheduled_finish) == "2026-03-06"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
