"""Plan JSON and PSPLIB readers: worked examples, a round trip, the error messages, and the
PSPLIB j30 set (skipped when /work/shared/bench is absent)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from keel.engine.formats import (
    PlanFormatError,
    dump_plan_json,
    leveling_problem,
    parse_plan,
    parse_plan_json,
    parse_psplib,
    plan_to_dict,
    psplib,
)
from keel.engine.formats import plan_json as pj
from keel.engine.scheduling import schedule
from keel.engine.types import ConstraintType, LinkType

J30 = Path("/work/shared/bench/psplib/j30")
needs_j30 = pytest.mark.skipif(not J30.is_dir(), reason="PSPLIB j30 data not available")

PLAN: dict[str, Any] = {
    "name": "Website",
    "start": "2026-05-04",
    "status_date": "2026-05-06",
    "calendar": {
        "weekdays": [0, 1, 2, 3, 4],
        "hours_per_day": 7.5,
        "holidays": ["2026-05-11"],
        "working_days": ["2026-05-09"],
    },
    "resources": [{"id": "dev", "name": "Developers", "capacity": 2}],
    "tasks": [
        {"id": "P", "name": "Phase 1"},
        {
            "id": "A",
            "name": "Design",
            "duration": 3,
            "parent": "P",
            "demands": {"dev": 1},
            "optimistic": 2,
            "most_likely": 3,
            "pessimistic": 6,
            "percent_complete": 50,
        },
        {
            "id": 7,
            "name": "Build",
            "duration": 4.5,
            "parent": "P",
            "demands": {"dev": 1.5},
            "predecessors": [{"id": "A", "type": "SS", "lag": 1}],
            "priority": 800,
        },
        {
            "id": "M",
            "name": "Launch",
            "duration": 0,
            "deadline": "2026-05-20",
            "constraint": "snet",
            "constraint_date": "2026-05-12",
            "predecessors": [{"id": "P", "type": "FS", "lag": -0.5}, {"id": 7, "type": "FF"}],
        },
    ],
}


def _text(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=1)


def _with_task(**fields: Any) -> str:
    plan = json.loads(json.dumps(PLAN))
    plan["tasks"].append({"id": "X", "name": "extra", "duration": 1, **fields})
    return _text(plan)


def test_plan_json_reads_every_field() -> None:
    plan = parse_plan_json(_text(PLAN))
    assert plan.name == "Website"
    assert plan.start == date(2026, 5, 4)
    assert plan.status_date == date(2026, 5, 6)
    assert plan.calendar.minutes_per_day == 450
    assert plan.calendar.holidays == {date(2026, 5, 11)}
    assert plan.calendar.working_days == {date(2026, 5, 9)}
    assert [t.key for t in plan.tasks] == ["P", "A", "7", "M"]
    assert [t.task.id for t in plan.tasks] == [1, 2, 3, 4]
    a, build, launch = plan.tasks[1], plan.tasks[2], plan.tasks[3]
    assert a.task.parent_id == 1 and a.task.percent_complete == 50
    assert (a.optimistic, a.most_likely, a.pessimistic) == (2, 3, 6)
    assert build.demands == (("dev", 1.5),) and build.priority == 800
    assert launch.task.constraint == ConstraintType.SNET
    assert launch.task.deadline == date(2026, 5, 20)
    assert [(lk.predecessor_id, lk.successor_id, lk.type, lk.lag_days) for lk in plan.links] == [
        (2, 3, LinkType.SS, 1),
        (1, 4, LinkType.FS, -0.5),
        (3, 4, LinkType.FF, 0),
    ]
    # The engine accepts it as is.
    result = schedule(
        project_start=plan.start,
        calendar=plan.calendar,
        tasks=[t.task for t in plan.tasks],
        links=plan.links,
        status_date=plan.status_date,
    )
    assert result.tasks[1].is_summary


def test_plan_json_round_trip() -> None:
    plan = parse_plan_json(_text(PLAN))
    again = parse_plan_json(dump_plan_json(plan))
    assert again == plan
    assert plan_to_dict(again) == plan_to_dict(plan)


def test_minimal_plan_defaults() -> None:
    plan = parse_plan_json(
        '{"name": "n", "start": "2026-01-05", "tasks": [{"id": 1, "duration": 2}]}'
    )
    assert plan.calendar.weekdays == {0, 1, 2, 3, 4}
    assert plan.calendar.minutes_per_day == 480
    assert plan.tasks[0].name == "1"
    assert plan.resources == () and plan.links == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _with_task(predecessors=[{"id": "nope"}]),
            pj.UNKNOWN_PREDECESSOR.format(task='"X"', pred='"nope"'),
        ),
        (_with_task(duration=-1), pj.NEGATIVE_DURATION.format(task='"X"')),
        (
            _with_task(deadline="2026-02-30"),
            pj.BAD_DATE.format(where='task "X"', field="deadline", value='"2026-02-30"'),
        ),
        (_with_task(demands={"qa": 1}), pj.UNKNOWN_RESOURCE.format(task='"X"', resource='"qa"')),
        (
            _with_task(predecessors=[{"id": "A", "type": "XX"}]),
            pj.BAD_LINK_TYPE.format(task='"X"', value='"XX"'),
        ),
        (_with_task(parent="Z"), pj.UNKNOWN_PARENT.format(task='"X"', parent='"Z"')),
        (_with_task(id="A"), pj.DUPLICATE_TASK.format(task='"A"')),
        (
            _with_task(optimistic=3, most_likely=2, pessimistic=4),
            pj.BAD_ESTIMATES.format(task='"X"'),
        ),
        (
            _with_task(constraint="mso"),
            pj.MISSING_CONSTRAINT_DATE.format(task='"X"', value='"mso"'),
        ),
        (_with_task(percent_complete=120), pj.BAD_PERCENT.format(task='"X"')),
        (
            _text({**PLAN, "start": "04/05/2026"}),
            pj.BAD_DATE.format(where="plan", field="start", value='"04/05/2026"'),
        ),
        (
            _text({k: v for k, v in PLAN.items() if k != "tasks"}),
            pj.MISSING_FIELD.format(where="plan", field="tasks"),
        ),
        ("[1, 2]", pj.NOT_A_PLAN),
    ],
)
def test_plan_json_errors(text: str, message: str) -> None:
    with pytest.raises(PlanFormatError) as info:
        parse_plan_json(text)
    assert str(info.value) == message


def test_dependency_loop_names_the_tasks() -> None:
    plan = json.loads(_text(PLAN))
    plan["tasks"][1]["predecessors"] = [{"id": "M"}]  # A after M, M after 7, 7 after A
    with pytest.raises(PlanFormatError) as info:
        parse_plan_json(_text(plan))
    assert str(info.value) == pj.DEPENDENCY_LOOP.format(path='"M" -> "A" -> "7" -> "M"')


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(PlanFormatError) as info:
        parse_plan_json('{\n  "name": "x",\n  "start": 2026-01-01\n}')
    assert info.value.line == 3
    assert str(info.value).startswith("line 3: not valid JSON")


def test_parent_loop() -> None:
    text = _text(
        {
            "name": "n",
            "start": "2026-01-05",
            "tasks": [{"id": "a", "parent": "b"}, {"id": "b", "parent": "a"}],
        }
    )
    with pytest.raises(PlanFormatError) as info:
        parse_plan_json(text)
    assert str(info.value) == pj.PARENT_LOOP.format(path='"a", "b"')


# ---- leveling input -------------------------------------------------------------------------


def test_leveling_problem_units_and_summaries() -> None:
    problem = leveling_problem(parse_plan_json(_text(PLAN)))
    # Durations 3 and 4.5 days, a lead of half a day: the unit is half a day.
    assert problem.unit_days == 0.5
    assert problem.scale == 100  # 1.5 developers
    assert problem.capacities == {"dev": 200}
    by_id = {a.id: a for a in problem.activities}
    assert set(by_id) == {2, 3, 4}  # the summary is not an activity
    assert (by_id[2].duration, by_id[3].duration, by_id[3].demands) == (6, 9, {"dev": 150})
    # SNET Tue May 12 is working day 6 (Mon 11 is a holiday) = 12 half days.
    assert by_id[4].release == 12
    # Not started: waits for the end of the status date (Wed May 6 = 3 days = 6 half days);
    # A is half done and is not held back.
    assert (by_id[2].release, by_id[3].release) == (0, 6)
    # The link out of the summary P applies to both of its leaves.
    pairs = {(p.predecessor_id, p.successor_id, p.lag) for p in problem.precedences}
    assert {(2, 4, -1), (3, 4, -1), (2, 3, 2), (3, 4, 0)} <= pairs


# ---- PSPLIB ----------------------------------------------------------------------------------

SMALL_SM = """\
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  5
horizon                       :  12
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PROJECT INFORMATION:
pronr.  #jobs rel.date duedate tardcost  MPM-Time
    1      3      0       7        1        5
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           5
   4        1          1           5
   5        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     2       2
  3      1     4       2
  4      1     3       1
  5      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    3
************************************************************************
"""


def test_psplib_small_file() -> None:
    project = parse_psplib(SMALL_SM, name="small.sm")
    plan = project.plan
    assert (project.mpm_time, project.horizon) == (5, 12)
    assert [t.key for t in plan.tasks] == ["1", "2", "3", "4", "5"]
    assert [t.task.duration_days for t in plan.tasks] == [0, 2, 4, 3, 0]
    assert [(r.id, r.capacity) for r in plan.resources] == [("R1", 3)]
    assert plan.tasks[2].demands == (("R1", 2.0),)
    assert {(lk.predecessor_id, lk.successor_id) for lk in plan.links} == {
        (1, 2),
        (1, 3),
        (2, 4),
        (3, 5),
        (4, 5),
    }
    assert all(lk.type == LinkType.FS and lk.lag_days == 0 for lk in plan.links)
    # By extension or by content.
    assert parse_plan(SMALL_SM, filename="x.sm") == plan.__class__(
        **{**plan.__dict__, "name": "x.sm"}
    )
    assert parse_plan(SMALL_SM, filename="instance.txt").tasks == plan.tasks


def test_psplib_errors_name_the_line() -> None:
    broken = SMALL_SM.replace(
        "   2        1          1           4", "   2        1          1           9"
    )
    with pytest.raises(PlanFormatError) as info:
        parse_psplib(broken)
    assert str(info.value) == psplib.UNKNOWN_JOB.format(line=17, job=9)
    garbled = SMALL_SM.replace("  3      1     4       2", "  3      1     four    2")
    with pytest.raises(PlanFormatError) as info:
        parse_psplib(garbled)
    assert str(info.value) == psplib.BAD_LINE.format(line=27, problem="expected whole numbers")
    with pytest.raises(PlanFormatError) as info:
        parse_psplib("hello")
    assert "not a PSPLIB" in str(info.value)


@needs_j30
def test_psplib_real_files() -> None:
    project = parse_psplib((J30 / "j301_1.sm").read_text())
    assert len(project.plan.tasks) == 32
    assert project.plan.tasks[0].task.duration_days == 0
    assert project.plan.tasks[-1].task.duration_days == 0
    assert [r.capacity for r in project.plan.resources] == [12, 13, 4, 12]
    assert project.mpm_time == 38


@needs_j30
def test_psplib_mpm_time_is_the_critical_path_for_all_j30() -> None:
    files = sorted(J30.glob("*.sm"))
    assert len(files) == 480
    for path in files:
        project = parse_psplib(path.read_text())
        plan = project.plan
        # The engine's own critical path, in integer working days.
        result = schedule(
            project_start=plan.start,
            calendar=plan.calendar,
            tasks=[t.task for t in plan.tasks],
            links=plan.links,
        )
        length = max(o.early_finish_minute for o in result.tasks.values())
        assert length == project.mpm_time * plan.calendar.minutes_per_day, path.name
