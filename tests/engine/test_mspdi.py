"""MS Project XML: a worked example, the error messages, export-then-import round trips
(hypothesis plans and every bench file), the `keel convert`/`keel schedule` commands, and
the agreement with the dates MS Project stored in the bench files (skipped when
/work/shared/bench is absent)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from keel.cli.engine import register
from keel.engine.formats import (
    Baseline,
    CalendarException,
    CalendarSpec,
    MspdiFormatError,
    Plan,
    PlanTask,
    Resource,
    dump_mspdi,
    dump_plan_json,
    engine_calendar,
    mspdi,
    parse_mspdi,
    parse_plan,
    parse_plan_json,
    plan_to_dict,
    stored_dates,
    task_moments,
)
from keel.engine.scheduling import schedule
from keel.engine.types import ConstraintType, LinkIn, LinkType, TaskIn

BENCH = Path("/work/shared/bench/projects")
BENCH_FILES = sorted(BENCH.glob("*.xml")) if BENCH.is_dir() else []
needs_bench = pytest.mark.skipif(not BENCH_FILES, reason="MS Project bench files not available")

# Measured floors: task Start/Finish values equal to the minute (see docs/scheduling.md).
AGREEMENT_FLOOR = {
    "calendar-recurring-exceptions-project2016-mspdi.xml": 0,  # no tasks, only a calendar
    "mspdiassignmentfields.xml": 2,
    "mspdirelations.xml": 9,
    "mspditimephasedsegments.xml": 39,
    "task-costs-project2016-mspdi.xml": 20,
    "task-links-project2019-mspdi.xml": 32,
}

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>Small</Name>
  <StartDate>2026-05-04T08:00:00</StartDate>
  <StatusDate>2026-05-06T17:00:00</StatusDate>
  <CalendarUID>1</CalendarUID>
  <MinutesPerDay>480</MinutesPerDay>
  <Calendars>
    <Calendar>
      <UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
      <BaseCalendarUID>-1</BaseCalendarUID>
      <WeekDays>
        <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
        <WeekDay><DayType>2</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>
          <WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>
        </WorkingTimes></WeekDay>
        <WeekDay><DayType>6</DayType><DayWorking>1</DayWorking><WorkingTimes>
          <WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>
        </WorkingTimes></WeekDay>
        <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
      </WeekDays>
      <Exceptions>
        <Exception>
          <TimePeriod><FromDate>2026-05-11T00:00:00</FromDate>
            <ToDate>2026-05-11T23:59:00</ToDate></TimePeriod>
          <Name>Holiday</Name><Type>1</Type><DayWorking>0</DayWorking>
        </Exception>
      </Exceptions>
    </Calendar>
  </Calendars>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>Small</Name><OutlineLevel>0</OutlineLevel></Task>
    <Task><UID>10</UID><ID>1</ID><Name>Phase</Name><OutlineLevel>1</OutlineLevel>
      <Duration>PT16H0M0S</Duration></Task>
    <Task><UID>11</UID><ID>2</ID><Name>Design</Name><OutlineLevel>2</OutlineLevel>
      <Duration>PT16H0M0S</Duration><PercentComplete>50</PercentComplete>
      <ActualStart>2026-05-04T08:00:00</ActualStart>
      <Baseline><Number>0</Number><Start>2026-05-04T08:00:00</Start>
        <Finish>2026-05-05T17:00:00</Finish><Duration>PT16H0M0S</Duration></Baseline>
    </Task>
    <Task><UID>12</UID><ID>3</ID><Name>Build</Name><OutlineLevel>2</OutlineLevel>
      <Duration>PT12H0M0S</Duration><ConstraintType>4</ConstraintType>
      <ConstraintDate>2026-05-05T13:00:00</ConstraintDate>
      <PredecessorLink><PredecessorUID>11</PredecessorUID><Type>3</Type>
        <LinkLag>2400</LinkLag><LagFormat>7</LagFormat></PredecessorLink>
    </Task>
    <Task><UID>20</UID><ID>4</ID><Name>Done</Name><OutlineLevel>1</OutlineLevel>
      <Duration>PT0H0M0S</Duration><Milestone>1</Milestone>
      <PredecessorLink><PredecessorUID>10</PredecessorUID></PredecessorLink>
    </Task>
  </Tasks>
  <Resources>
    <Resource><UID>0</UID><ID>0</ID></Resource>
    <Resource><UID>1</UID><ID>1</ID><Name>Dev</Name><MaxUnits>2</MaxUnits>
      <CalendarUID>1</CalendarUID></Resource>
  </Resources>
  <Assignments>
    <Assignment><UID>1</UID><TaskUID>12</TaskUID><ResourceUID>1</ResourceUID>
      <Units>0.5</Units></Assignment>
    <Assignment><UID>2</UID><TaskUID>20</TaskUID><ResourceUID>-65535</ResourceUID>
    </Assignment>
  </Assignments>
</Project>
"""


def test_reads_the_small_file() -> None:
    plan = parse_mspdi(SMALL)
    assert plan.name == "Small"
    assert plan.start == date(2026, 5, 4)
    assert plan.status_date == datetime(2026, 5, 6, 17, 0)
    assert [t.key for t in plan.tasks] == ["10", "11", "12", "20"]
    by = {t.task.id: t for t in plan.tasks}
    assert by[11].task.parent_id == 10 and by[12].task.parent_id == 10
    assert by[20].task.parent_id is None
    assert by[11].task.duration_days == 2
    assert by[12].task.duration_days == 1.5
    assert by[12].task.constraint == ConstraintType.SNET
    assert by[12].task.constraint_date == datetime(2026, 5, 5, 13, 0)
    assert by[11].task.actual_start == datetime(2026, 5, 4, 8, 0)
    assert by[11].task.percent_complete == 50
    assert by[11].baselines == (
        Baseline(0, datetime(2026, 5, 4, 8), datetime(2026, 5, 5, 17), 2.0),
    )
    assert plan.links == (
        LinkIn(11, 12, LinkType.SS, 0.5),
        LinkIn(10, 20, LinkType.FS, 0.0),
    )
    assert plan.resources == (Resource("1", "Dev", 2.0, "1"),)
    assert by[12].demands == (("1", 0.5),) and by[20].demands == ()
    # Friday works only the morning: the engine uses the most common hours (documented).
    spec = plan.calendars[0]
    assert spec.week[4] == ((480, 720),) and spec.week[0] == ((480, 720), (780, 1020))
    assert spec.week[1] is None  # not in the file: the Standard week applies
    assert spec.exceptions == (
        CalendarException(date(2026, 5, 11), date(2026, 5, 11), (), "Holiday"),
    )
    assert plan.calendar.periods == ((480, 720), (780, 1020))
    assert plan.calendar.weekdays == frozenset(range(5))
    assert plan.calendar.holidays == frozenset({date(2026, 5, 11)})


def test_schedules_the_small_file_to_the_minute() -> None:
    plan = parse_mspdi(SMALL)
    result = schedule(
        project_start=plan.start,
        calendar=plan.calendar,
        tasks=[t.task for t in plan.tasks],
        links=plan.links,
        status_date=plan.status_date,
    )
    moments = task_moments(plan, result)
    # Design: half done by the status date, the rest (1 day) after it.
    assert moments[11] == (datetime(2026, 5, 4, 8), datetime(2026, 5, 7, 17))
    # Build: SS+0.5 would allow Mon 13:00 and SNET Tue 13:00, but work not yet started
    # waits for the end of the status date (Wed 17:00): Thu 08:00 .. Fri 12:00.
    assert moments[12] == (datetime(2026, 5, 7, 8), datetime(2026, 5, 8, 12))
    assert moments[10] == (datetime(2026, 5, 4, 8), datetime(2026, 5, 8, 12))
    # The milestone sits where its predecessor ends, at noon.
    assert moments[20] == (datetime(2026, 5, 8, 12), datetime(2026, 5, 8, 12))
    # Without the status date the SNET moment rules Build.
    result = schedule(
        project_start=plan.start,
        calendar=plan.calendar,
        tasks=[t.task for t in plan.tasks],
        links=plan.links,
    )
    assert task_moments(plan, result)[12] == (datetime(2026, 5, 5, 13), datetime(2026, 5, 6, 17))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not xml", "line 1: not valid XML"),
        ("<Plan/>", "the root element is <Plan>, not an MS Project <Project>"),
        (
            SMALL.replace(
                "<PredecessorUID>10</PredecessorUID>", "<PredecessorUID>99</PredecessorUID>"
            ),
            "task UID 20: predecessor UID 99 is not in the file.",
        ),
        (
            SMALL.replace(
                "<Milestone>1</Milestone>",
                "<Milestone>1</Milestone><PredecessorLink><PredecessorUID>20</PredecessorUID>"
                "</PredecessorLink>",
            ),
            "dependency loop between task UIDs 20 -> 20.",
        ),
        (
            SMALL.replace("<LinkLag>2400</LinkLag>", "<LinkLag>soon</LinkLag>"),
            "<LinkLag> is 'soon', not a number.",
        ),
        (
            SMALL.replace("<ConstraintDate>2026-05-05T13:00:00</ConstraintDate>", ""),
            "task UID 12: constraint type 4 needs a <ConstraintDate>.",
        ),
    ],
)
def test_bad_files(text: str, message: str) -> None:
    with pytest.raises(MspdiFormatError, match=None) as info:
        parse_mspdi(text)
    assert message in str(info.value)


def test_loop_through_other_tasks_names_the_uids() -> None:
    text = SMALL.replace(
        "<Name>Design</Name>",
        "<Name>Design</Name><PredecessorLink><PredecessorUID>12</PredecessorUID></PredecessorLink>",
    )
    with pytest.raises(MspdiFormatError, match=r"task UIDs (11 -> 12 -> 11|12 -> 11 -> 12)\."):
        parse_mspdi(text)


def test_round_trip_of_the_small_file() -> None:
    plan = parse_mspdi(SMALL)
    assert parse_mspdi(dump_mspdi(plan)) == plan
    # and through plan JSON, which carries the same fields (engine ids become 1..n)
    assert plan_to_dict(parse_plan_json(dump_plan_json(plan))) == plan_to_dict(plan)


def test_recurring_exceptions_expand() -> None:
    cal = """<Project xmlns="http://schemas.microsoft.com/project"><Calendars><Calendar>
      <UID>1</UID><Name>C</Name><IsBaseCalendar>1</IsBaseCalendar><Exceptions>
      <Exception><TimePeriod><FromDate>2002-01-01T00:00:00</FromDate>
        <ToDate>2002-05-06T23:59:00</ToDate></TimePeriod><Type>5</Type><Period>2</Period>
        <MonthItem>4</MonthItem><MonthPosition>0</MonthPosition><DayWorking>0</DayWorking>
      </Exception>
      <Exception><TimePeriod><FromDate>2001-01-01T00:00:00</FromDate>
        <ToDate>2001-02-13T23:59:00</ToDate></TimePeriod><Type>6</Type><Period>2</Period>
        <DaysOfWeek>4</DaysOfWeek><DayWorking>0</DayWorking></Exception>
      <Exception><TimePeriod><FromDate>2005-01-01T00:00:00</FromDate>
        <ToDate>2007-02-01T23:59:00</ToDate></TimePeriod><Type>2</Type><Month>1</Month>
        <MonthDay>1</MonthDay><DayWorking>0</DayWorking></Exception>
      </Exceptions></Calendar></Calendars></Project>"""
    days = sorted(e.start for e in parse_mspdi(cal).calendars[0].exceptions)
    assert days == [
        date(2001, 1, 2),  # every other week on Tuesday
        date(2001, 1, 16),
        date(2001, 1, 30),
        date(2001, 2, 13),
        date(2002, 1, 7),  # first Monday every two months
        date(2002, 3, 4),
        date(2002, 5, 6),
        date(2005, 2, 1),  # every 1 February
        date(2006, 2, 1),
        date(2007, 2, 1),
    ]


# ---- hypothesis: export then import keeps the plan ------------------------------------------

_HOURS = st.sampled_from(
    [((480, 720), (780, 1020)), ((540, 1020),), ((420, 690), (720, 960)), ((0, 1440),)]
)


def _by_successor(pairs: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Links in the order readers give them: by successor, as the file lists tasks."""
    return sorted(pairs, key=lambda ij: (ij[1], ij[0]))


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    week_hours = draw(_HOURS)
    weekdays = draw(st.sets(st.integers(0, 6), min_size=1))
    week = tuple(week_hours if i in weekdays else () for i in range(7))
    start = date(2026, 1, 5) + timedelta(days=draw(st.integers(0, 30)))
    exc_days = draw(st.sets(st.integers(0, 60), max_size=4))
    exceptions = tuple(
        CalendarException(
            start + timedelta(days=d),
            start + timedelta(days=d + draw(st.integers(0, 2))),
            draw(st.sampled_from([(), week_hours])),
            draw(st.sampled_from(["", "Holiday"])),
        )
        for d in sorted(exc_days)
    )
    specs = (
        CalendarSpec("1", "Standard", week, exceptions),
        CalendarSpec("2", "Night", (None, ((1200, 1380),)) + (None,) * 5, (), "1"),
    )
    cal = engine_calendar(specs, "1")
    mpd = cal.minutes_per_day
    first = cal.periods[0][0]

    def moment() -> datetime:
        day = start + timedelta(days=draw(st.integers(0, 40)))
        return datetime.combine(day, datetime.min.time()) + timedelta(
            minutes=first + draw(st.integers(0, 4)) * 30
        )

    n = draw(st.integers(1, 8))
    uids = draw(st.lists(st.integers(1, 500), min_size=n, max_size=n, unique=True))
    # A tree in pre-order: each task's parent is an earlier task on the current path.
    parents: list[int | None] = []
    path: list[int] = []
    for i in range(n):
        depth = draw(st.integers(0, len(path)))
        path = path[:depth]
        parents.append(uids[path[-1]] if path else None)
        path.append(i)
    resources = tuple(
        Resource(
            str(r),
            f"R{r}",
            draw(st.sampled_from([1.0, 2.0, 0.5])),
            draw(st.sampled_from([None, "2"])),
        )
        for r in range(1, draw(st.integers(0, 3)) + 1)
    )
    tasks: list[PlanTask] = []
    for i, uid in enumerate(uids):
        constraint = draw(st.sampled_from(list(ConstraintType)))
        dated = constraint not in (ConstraintType.ASAP, ConstraintType.ALAP)
        actual_start = draw(st.sampled_from([None, moment()]))
        actual_finish = None
        if actual_start is not None and draw(st.booleans()):
            actual_finish = actual_start + timedelta(days=draw(st.integers(0, 5)))
        tasks.append(
            PlanTask(
                key=str(uid),
                name=draw(st.text("abc XYZ-", min_size=1, max_size=8)).strip() or "t",
                task=TaskIn(
                    id=uid,
                    duration_days=draw(st.integers(0, 5 * mpd)) / mpd,
                    parent_id=parents[i],
                    constraint=constraint,
                    constraint_date=moment() if dated else None,
                    deadline=draw(st.sampled_from([None, moment()])),
                    percent_complete=float(draw(st.integers(0, 100))),
                    actual_start=actual_start,
                    actual_finish=actual_finish,
                ),
                demands=tuple(
                    (r.id, draw(st.sampled_from([1.0, 0.5])))
                    for r in resources
                    if draw(st.booleans())
                ),
                priority=draw(st.sampled_from([0, 500, 1000])),
                calendar_id=draw(st.sampled_from([None, "1", "2"])),
                baselines=tuple(
                    Baseline(k, moment(), moment(), draw(st.integers(0, 3 * mpd)) / mpd)
                    for k in sorted(draw(st.sets(st.integers(0, 10), max_size=2)))
                ),
            )
        )
    links = tuple(
        LinkIn(
            uids[i],
            uids[j],
            draw(st.sampled_from(list(LinkType))),
            draw(st.integers(-mpd, 3 * mpd)) / mpd,
        )
        for i, j in _by_successor(
            draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=6))
        )
        if i < j
    )
    return Plan(
        name=draw(st.text("Plan xyz", min_size=1, max_size=10)).strip() or "Plan",
        start=start,
        calendar=cal,
        tasks=tuple(tasks),
        links=links,
        resources=resources,
        status_date=draw(st.sampled_from([None, moment()])),
        calendars=specs,
        calendar_id="1",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_export_then_import_keeps_the_plan(plan: Plan) -> None:
    assert parse_mspdi(dump_mspdi(plan)) == plan
    assert plan_to_dict(parse_plan_json(dump_plan_json(plan))) == plan_to_dict(plan)


def test_plan_without_named_calendars_exports_its_calendar() -> None:
    plan = parse_plan_json(
        json.dumps(
            {
                "name": "P",
                "start": "2026-05-04",
                "calendar": {"weekdays": [0, 1, 2, 3], "holidays": ["2026-05-05"]},
                "tasks": [
                    {"id": "a", "duration": 2},
                    {"id": "b", "duration": 1, "predecessors": [{"id": "a", "lag": 1}]},
                ],
            }
        )
    )
    back = parse_mspdi(dump_mspdi(plan))
    assert back.calendar == plan.calendar
    assert [t.key for t in back.tasks] == ["1", "2"]  # string ids become positions
    assert back.links == (LinkIn(1, 2, LinkType.FS, 1.0),)
    assert [t.task.duration_days for t in back.tasks] == [2, 1]


# ---- bench files --------------------------------------------------------------------------


def _agreement(path: Path) -> tuple[int, int, list[str]]:
    text = path.read_text(encoding="utf-8")
    plan = parse_plan(text, filename=path.name)
    result = schedule(
        project_start=plan.start,
        calendar=plan.calendar,
        tasks=[t.task for t in plan.tasks],
        links=plan.links,
        status_date=plan.status_date,
    )
    computed = task_moments(plan, result)
    agree, total, misses = 0, 0, []
    for uid, stored in stored_dates(text).items():
        for label, want, got in zip(("start", "finish"), stored, computed[uid], strict=True):
            total += 1
            if want == got:
                agree += 1
            else:
                misses.append(f"UID {uid} {label}: MS Project {want}, Keel {got}")
    return agree, total, misses


@needs_bench
@pytest.mark.parametrize("path", BENCH_FILES, ids=lambda p: p.name)
def test_bench_dates_agree(path: Path) -> None:
    agree, total, misses = _agreement(path)
    print(f"{path.name}: {agree} of {total} task dates agree")
    for m in misses:
        print("   ", m)
    assert agree >= AGREEMENT_FLOOR.get(path.name, 0)


@needs_bench
@pytest.mark.parametrize("path", BENCH_FILES, ids=lambda p: p.name)
def test_bench_round_trip(path: Path) -> None:
    plan = parse_mspdi(path.read_bytes())
    again = parse_mspdi(dump_mspdi(plan))
    # A file without a <Name> is named after itself; the export writes the name.
    assert replace(again, name=plan.name) == plan
    assert parse_mspdi(dump_mspdi(again)) == again


@needs_bench
def test_bench_recurrences_match_ms_projects_expansion() -> None:
    """MS Project writes each recurring exception twice: as a rule and as dated weekdays."""
    text = (BENCH / "calendar-recurring-exceptions-project2016-mspdi.xml").read_bytes()
    root, doc = mspdi._root(text)
    cal = doc.all(root, "Calendars/Calendar")[0]

    def days(excs: list[CalendarException]) -> dict[date, tuple[tuple[int, int], ...]]:
        out = {}
        for e in excs:
            d = e.start
            while d <= e.finish:
                out[d] = e.periods
                d += timedelta(days=1)
        return out

    ours = [
        x for e in doc.all(cal, "Exceptions/Exception") for x in mspdi._expand_exception(doc, e)
    ]
    theirs = []
    for wd in doc.all(cal, "WeekDays/WeekDay"):
        span = mspdi._span(doc, wd)
        if doc.integer(wd, "DayType") == 0 and span is not None:
            theirs.append(CalendarException(span[0], span[1], mspdi._day_periods(doc, wd)))
    assert len(days(theirs)) > 100
    assert days(ours) == days(theirs)


# ---- commands -----------------------------------------------------------------------------

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


APP = _app()


def test_convert_between_formats(tmp_path: Path) -> None:
    src = tmp_path / "small.xml"
    src.write_text(SMALL, encoding="utf-8")
    for name in ("out.json", "out.xml"):
        r = runner.invoke(APP, ["convert", str(src), str(tmp_path / name)])
        assert r.exit_code == 0, r.output
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert plan_to_dict(parse_plan(text, filename=name)) == plan_to_dict(parse_mspdi(SMALL))
    r = runner.invoke(APP, ["convert", str(src), str(tmp_path / "out.csv")])
    assert r.exit_code == 0
    assert (tmp_path / "out.csv").read_text().splitlines()[2] == "11,Design,2,,10,1.1"


def test_schedule_reads_mspdi_with_uids_and_times(tmp_path: Path) -> None:
    src = tmp_path / "small.xml"
    src.write_text(SMALL, encoding="utf-8")
    r = runner.invoke(APP, ["schedule", str(src), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["tasks"]
    assert set(rows) == {"10", "11", "12", "20"}
    assert rows["12"]["start_time"] == "2026-05-07T08:00"
    assert rows["12"]["finish_time"] == "2026-05-08T12:00"


@pytest.mark.parametrize("command", ["schedule", "convert"])
def test_bad_mspdi_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    src = tmp_path / "bad.xml"
    src.write_text(SMALL.replace("<PredecessorUID>10<", "<PredecessorUID>77<"), encoding="utf-8")
    args = [command, str(src)] + ([str(tmp_path / "o.json")] if command == "convert" else [])
    r = runner.invoke(APP, args)
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1
    assert "bad.xml: task UID 20: predecessor UID 77 is not in the file." in lines[0]


def test_convert_refuses_an_unknown_output(tmp_path: Path) -> None:
    src = tmp_path / "small.xml"
    src.write_text(SMALL, encoding="utf-8")
    r = runner.invoke(APP, ["convert", str(src), str(tmp_path / "out.mpp")])
    assert r.exit_code == 2
    assert "cannot tell the format" in r.output
