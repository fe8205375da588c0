"""CSV plans: reading a table, writing one, the round trip and the error messages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.engine.calendars import WorkCalendar
from keel.engine.formats import Plan, PlanFormatError, PlanTask, parse_plan
from keel.engine.formats.csv_plan import dump_csv_plan, parse_csv_plan
from keel.engine.types import LinkIn, LinkType, TaskIn

START = date(2026, 5, 4)

TABLE = """id,name,duration,predecessors,parent
P,Phase,,,
A,Design,3,,P
B,Build,2.5,"AFS+2;A SS-0.5",P
3,Test,1,BFF;A,
"""


def test_reads_a_table() -> None:
    plan = parse_csv_plan(TABLE, name="t", start=START)
    assert [t.key for t in plan.tasks] == ["P", "A", "B", "3"]
    assert [t.task.parent_id for t in plan.tasks] == [None, 1, 1, None]
    assert plan.tasks[2].task.duration_days == 2.5
    assert plan.links == (
        LinkIn(2, 3, LinkType.FS, 2.0),
        LinkIn(2, 3, LinkType.SS, -0.5),
        LinkIn(3, 4, LinkType.FF, 0.0),
        LinkIn(2, 4, LinkType.FS, 0.0),
    )


def test_wbs_column_gives_parents() -> None:
    text = "ID,Name,Duration,WBS\n1,Phase,,1\n2,Work,2,1.1\n3,More,1,1.2\n4,Alone,1,2\n"
    plan = parse_csv_plan(text, name="t", start=START)
    assert [t.task.parent_id for t in plan.tasks] == [None, 1, 1, None]


def test_round_trip_and_writing() -> None:
    plan = parse_csv_plan(TABLE, name="t", start=START)
    text = dump_csv_plan(plan)
    assert text.splitlines()[0] == "id,name,duration,predecessors,parent,wbs"
    assert text.splitlines()[3] == "B,Build,2.5,AFS+2;ASS-0.5,P,1.2"
    assert parse_csv_plan(text, name="t", start=START) == plan


def test_parse_plan_picks_csv_by_name() -> None:
    plan = parse_plan(TABLE, filename="plan.csv", start=START)
    assert plan.start == START and plan.name == "plan"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,duration\nx,1\n", 'a CSV plan needs a header row with an "id" column'),
        ("id,duration\na,1\na,2\n", "line 3: task a appears more than once."),
        ("id,duration\na,-1\n", "line 2: \"duration\" is '-1'"),
        ("id,duration\na,\n", 'line 2: task a needs a "duration".'),
        ("id,duration,predecessors\na,1,zz\n", "line 2: predecessor 'zz' is not a task"),
        ("id,duration,predecessors\na,1,b\nb,1,a\n", "dependency loop: a -> b -> a."),
        ("id,duration,parent\na,1,q\n", "line 2: parent 'q' is not a task"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(PlanFormatError) as info:
        parse_csv_plan(text, name="t", start=START)
    assert message in str(info.value)


def _by_successor(pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Links in the order readers give them: by successor, as the file lists tasks."""
    return sorted(pairs, key=lambda ij: (ij[1], ij[0]))


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n = draw(st.integers(1, 8))
    keys = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9]{0,3}", fullmatch=True),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    parents: list[int | None] = []
    path: list[int] = []
    for i in range(n):
        depth = draw(st.integers(0, len(path)))
        path = path[:depth]
        parents.append(path[-1] + 1 if path else None)
        path.append(i)
    tasks = tuple(
        PlanTask(
            key=k,
            name=draw(st.text("ab cd", min_size=1, max_size=5)).strip() or k,
            task=TaskIn(id=i + 1, duration_days=draw(st.integers(0, 20)) / 2, parent_id=parents[i]),
        )
        for i, k in enumerate(keys)
    )
    links = tuple(
        LinkIn(i + 1, j + 1, draw(st.sampled_from(list(LinkType))), draw(st.integers(-4, 8)) / 2)
        for i, j in _by_successor(
            draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=5))
        )
        if i < j
    )
    return Plan(name="t", start=START, calendar=WorkCalendar(), tasks=tasks, links=links)


@settings(max_examples=60, deadline=None)
@given(plans())
def test_write_then_read_keeps_the_plan(plan: Plan) -> None:
    assert parse_csv_plan(dump_csv_plan(plan), name="t", start=START) == plan
