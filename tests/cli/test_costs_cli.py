"""`keel costs`: the budget against actual and forecast at the console; bad input is one
line on stderr and exit code 2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from keel.cli.main import app
from tests.conftest import World
from tests.factories import TaskFactory
from tests.factories_resources import BudgetLineFactory, ExpenseFactory

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def spent(fin_world: World) -> World:
    p = fin_world.project
    task = TaskFactory(project=p, wbs_code="1", name="Foundations", start=dt.date(2026, 3, 2))
    BudgetLineFactory(project=p, category="materials", amount=Decimal("1000"), task=task)
    ExpenseFactory(
        project=p,
        task=task,
        category="materials",
        amount=Decimal("1234.5"),
        status="approved",
        claimant=fin_world.member,
        date=dt.date(2026, 3, 9),
    )
    return fin_world


@pytest.mark.parametrize(
    ("by", "label"), [("category", "Materials"), ("month", "2026-03"), ("wbs", "1 Foundations")]
)
def test_the_table_by_each_grouping(spent: World, by: str, label: str) -> None:
    r = _run("costs", spent.project.code.lower(), "--by", by)
    assert r.exit_code == 0, r.output
    assert label in r.output
    assert "1,000.00" in r.output and "1,234.50" in r.output and "-234.50" in r.output
    assert "123.5% of the budget spent" in r.output


def test_reading_as_a_person_uses_their_rights(spent: World) -> None:
    r = _run("costs", spent.project.code, "--user", spent.finance.email)  # type: ignore[union-attr]
    assert r.exit_code == 0, r.output
    refused = _run("costs", spent.project.code, "--user", spent.member.email)
    assert refused.exit_code == 2
    assert "permission" in refused.output.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE"], "no project with code NOPE"),
        (["{code}", "--user", "nobody@example.com"], "no active user with e-mail"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(spent: World, args: list[str], message: str) -> None:
    r = _run("costs", *[a.format(code=spent.project.code) for a in args])
    assert r.exit_code == 2
    assert message in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_a_bad_grouping_is_refused(spent: World) -> None:
    r = _run("costs", spent.project.code, "--by", "colour")
    assert r.exit_code == 2
