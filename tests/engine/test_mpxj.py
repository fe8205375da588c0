"""Files read through MPXJ (the mpxj extra): which files go there, the messages where the
extra, Java or the file is at fault, small hand-written Primavera XER, Planner and
GanttProject files, plans MPXJ writes as MPX and PMXML read back, and the agreement with
the dates stored in the bench files (skipped when /work/shared/bench is absent). Tests that
run MPXJ are skipped where the extra or Java is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from keel.engine.formats import (
    MpxjFormatError,
    Plan,
    dump_mspdi,
    parse_plan,
    parse_plan_json,
    plan_format,
    reads_bytes,
    stored_dates,
    task_moments,
)
from keel.engine.formats import mpxj as reader
from keel.engine.scheduling import schedule
from keel.engine.types import ConstraintType, LinkIn, LinkType


def _can_run_mpxj() -> bool:
    try:
        import jpype
        import mpxj  # noqa: F401  # only whether it is installed

        jpype.getDefaultJVMPath()
    except (ImportError, ValueError):  # no extra; JVMNotFoundException is a ValueError
        return False
    return True


needs_java = pytest.mark.skipif(not _can_run_mpxj(), reason="needs the mpxj extra and Java")

BENCH = Path("/work/shared/bench/projects")
BENCH_FILES = (
    sorted(p for p in BENCH.iterdir() if p.suffix in (".xer", ".pmxml", ".planner", ".mpx"))
    if BENCH.is_dir()
    else []
)
needs_bench = pytest.mark.skipif(not BENCH_FILES, reason="MPXJ bench files not available")

# Measured floors (docs/scheduling.md, "Importing other formats"): task dates equal to the
# minute, and equal as working time (the same working minute, written another way).
AGREEMENT_FLOOR = {
    "percent-complete-8.4.pmxml": (23, 24),
    "percent-complete-8.4.xer": (24, 26),
    "planner-resource.planner": (5, 6),
    "project1.planner": (57, 58),
    "task-links-project98.mpx": (32, 32),  # the file has dates, not times: compared by day
}


def _xer(tables: dict[str, list[dict[str, str]]]) -> bytes:
    """A Primavera XER file: tab-separated tables, each a %T name, %F fields, %R rows."""
    lines = ["ERMHDR\t8.4\t2026-05-05\tProject\tadmin\tadmin\tdb\tProject Management\tUSD"]
    for name, rows in tables.items():
        fields = list(rows[0])
        lines += [f"%T\t{name}", "%F\t" + "\t".join(fields)]
        lines += ["%R\t" + "\t".join(row[f] for f in fields) for row in rows]
    return ("\r\n".join([*lines, "%E"]) + "\r\n").encode("utf-8")


_WEEK = "".join(
    f"(0||{day}()((0||0(f|12:00|s|08:00)())(0||1(f|17:00|s|13:00)())))" for day in range(2, 7)
)
# Monday to Friday 08:00-12:00 and 13:00-17:00; one holiday, 46153 = 2026-05-11 as P6
# counts days (from 1899-12-30).
_CALENDAR = f"(0||CalendarData()((0||DaysOfWeek()((0||1()()){_WEEK}(0||7()())))"
_CALENDAR += "(0||Exceptions()((0||0(d|46153)())))))"


def _activity(
    tid: str, wbs: str, code: str, name: str, hours: int, early: tuple[str, str], **more: str
) -> dict[str, str]:
    row = {
        "task_id": tid,
        "proj_id": "1",
        "wbs_id": wbs,
        "clndr_id": "1",
        "complete_pct_type": "CP_Drtn",
        "task_type": "TT_Task",
        "duration_type": "DT_FixedDUR2",
        "status_code": "TK_NotStart",
        "task_code": code,
        "task_name": name,
        "remain_drtn_hr_cnt": str(hours),
        "target_drtn_hr_cnt": str(hours),
        "act_start_date": "",
        "early_start_date": early[0],
        "early_end_date": early[1],
        "restart_date": early[0],
        "reend_date": early[1],
        "cstr_type": "",
        "cstr_date": "",
    }
    return row | more


def _link(lid: str, succ: str, pred: str, kind: str, lag_hours: int) -> dict[str, str]:
    return {
        "task_pred_id": lid,
        "task_id": succ,
        "pred_task_id": pred,
        "proj_id": "1",
        "pred_proj_id": "1",
        "pred_type": kind,
        "lag_hr_cnt": str(lag_hours),
    }


# An office move in Primavera P6: data date Tuesday 08:00 with Pack half done (8 of 16
# hours left), a holiday on the Monday after, lags in hours, and a WBS "PREP" under the
# project's WBS node.
XER = _xer(
    {
        "PROJECT": [
            {
                "proj_id": "1",
                "proj_short_name": "MOVE",
                "clndr_id": "1",
                "plan_start_date": "2026-05-04 08:00",
                "last_recalc_date": "2026-05-05 08:00",
            }
        ],
        "CALENDAR": [
            {
                "clndr_id": "1",
                "default_flag": "Y",
                "clndr_name": "Standard",
                "clndr_type": "CA_Base",
                "day_hr_cnt": "8",
                "week_hr_cnt": "40",
                "clndr_data": _CALENDAR,
            }
        ],
        "PROJWBS": [
            {
                "wbs_id": "10",
                "proj_id": "1",
                "seq_num": "0",
                "proj_node_flag": "Y",
                "wbs_short_name": "MOVE",
                "wbs_name": "Office move",
                "parent_wbs_id": "",
            },
            {
                "wbs_id": "11",
                "proj_id": "1",
                "seq_num": "10",
                "proj_node_flag": "N",
                "wbs_short_name": "PREP",
                "wbs_name": "Preparation",
                "parent_wbs_id": "10",
            },
        ],
        "TASK": [
            _activity(
                "100",
                "11",
                "A1000",
                "Pack",
                16,
                ("2026-05-05 08:00", "2026-05-05 17:00"),
                status_code="TK_Active",
                remain_drtn_hr_cnt="8",
                act_start_date="2026-05-04 08:00",
            ),
            _activity("101", "11", "A1010", "Clean", 12, ("2026-05-05 08:00", "2026-05-06 12:00")),
            _activity("102", "10", "A1020", "Move", 8, ("2026-05-07 08:00", "2026-05-07 17:00")),
            _activity(
                "103",
                "10",
                "A1030",
                "Open",
                0,
                ("2026-05-12 08:00", "2026-05-12 08:00"),
                task_type="TT_Mile",
                cstr_type="CS_MSOA",  # start on or after
                cstr_date="2026-05-12 08:00",
            ),
        ],
        "TASKPRED": [
            _link("1", "102", "100", "PR_FS", 8),
            _link("2", "102", "101", "PR_SS", 4),
            _link("3", "103", "102", "PR_FS", 0),
        ],
    }
)

PLANNER = """<?xml version="1.0"?>
<project name="Office move" company="" manager="" phase="" project-start="20260504T000000Z"
    mrproject-version="2" calendar="1">
  <properties/>
  <phases/>
  <calendars>
    <day-types>
      <day-type id="0" name="Working" description="A default working day"/>
      <day-type id="1" name="Nonworking" description="A default non working day"/>
      <day-type id="2" name="Use base" description="Use day from base calendar"/>
    </day-types>
    <calendar id="1" name="Default">
      <default-week mon="0" tue="0" wed="0" thu="0" fri="0" sat="1" sun="1"/>
      <overridden-day-types>
        <overridden-day-type id="0">
          <interval start="0800" end="1200"/>
          <interval start="1300" end="1700"/>
        </overridden-day-type>
      </overridden-day-types>
      <days><day date="20260511" type="day-type" id="1"/></days>
    </calendar>
  </calendars>
  <tasks>
    <task id="1" name="Preparation" work="100800" start="20260504T000000Z"
        end="20260505T170000Z" work-start="20260504T080000Z" percent-complete="0"
        type="normal" scheduling="fixed-work">
      <task id="2" name="Pack" work="57600" start="20260504T000000Z" end="20260505T170000Z"
          work-start="20260504T080000Z" percent-complete="0" type="normal"
          scheduling="fixed-work"/>
      <task id="3" name="Clean" work="43200" start="20260504T000000Z" end="20260505T120000Z"
          work-start="20260504T080000Z" percent-complete="0" type="normal"
          scheduling="fixed-work"/>
    </task>
    <task id="4" name="Move" work="28800" start="20260506T170000Z" end="20260507T170000Z"
        work-start="20260507T080000Z" percent-complete="0" type="normal"
        scheduling="fixed-work">
      <predecessors>
        <predecessor id="1" predecessor-id="2" type="FS" lag="86400"/>
        <predecessor id="2" predecessor-id="3" type="SS"/>
      </predecessors>
    </task>
    <task id="5" name="Open" work="0" start="20260512T000000Z" end="20260512T000000Z"
        work-start="20260512T080000Z" percent-complete="0" type="milestone"
        scheduling="fixed-work">
      <constraint type="start-no-earlier-than" time="20260512T000000Z"/>
      <predecessors><predecessor id="1" predecessor-id="4" type="FS"/></predecessors>
    </task>
  </tasks>
  <resource-groups/>
  <resources>
    <resource id="1" name="Movers" short-name="MV" type="1" units="0" std-rate="0"/>
  </resources>
  <allocations><allocation task-id="2" resource-id="1" units="100"/></allocations>
</project>
"""

# GanttProject keeps a task on its start date unless a link pushes it; links sit on the
# predecessor (<depend id="successor">), type 2 = finish-to-start, difference = lag in days.
GAN = """<?xml version="1.0" encoding="UTF-8"?>
<project name="Office move" company="" webLink="http://" view-date="2026-05-04"
    view-index="0" version="3.2.3240" locale="en_GB">
  <description/>
  <calendars>
    <day-types>
      <day-type id="0"/>
      <day-type id="1"/>
      <default-week id="1" name="default" sun="1" mon="0" tue="0" wed="0" thu="0" fri="0"
          sat="1"/>
      <only-show-weekends value="false"/>
      <overriden-day-types/>
      <days/>
    </day-types>
    <date year="2026" month="5" date="11" type="HOLIDAY"/>
  </calendars>
  <tasks empty-milestones="true">
    <taskproperties/>
    <task id="0" name="Preparation" meeting="false" start="2026-05-04" duration="6"
        complete="0" expand="true">
      <task id="1" name="Pack" meeting="false" start="2026-05-04" duration="2" complete="0">
        <depend id="2" type="2" difference="1" hardness="Strong"/>
      </task>
      <task id="2" name="Move" meeting="false" start="2026-05-07" duration="3" complete="0">
        <depend id="3" type="2" difference="0" hardness="Strong"/>
      </task>
    </task>
    <task id="3" name="Open" meeting="true" start="2026-05-13" duration="0" complete="0"/>
    <task id="4" name="Party" meeting="false" start="2026-05-14" duration="1" complete="0"/>
  </tasks>
  <resources>
    <resource id="0" name="Movers" function="Default:0" contacts="" phone=""/>
  </resources>
  <allocations>
    <allocation task-id="1" resource-id="0" function="Default:0" responsible="true"
        load="100.0"/>
  </allocations>
  <vacations/>
  <previous/>
  <roles roleset-name="Default"/>
</project>
"""

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _schedule(plan: Plan) -> dict[str, tuple[datetime, datetime]]:
    result = schedule(
        project_start=plan.start,
        calendar=plan.calendar,
        tasks=[t.task for t in plan.tasks],
        links=plan.links,
        status_date=plan.status_date,
    )
    return {plan.key_of(tid): m for tid, m in task_moments(plan, result).items()}


def _agreement(data: bytes, filename: str) -> tuple[int, int, int, list[str]]:
    """Task Start/Finish values the file stored that Keel's schedule gives: equal to the
    minute, equal as working time, the total, and what differs."""
    plan = parse_plan(data, filename=filename)
    result = schedule(
        project_start=plan.start,
        calendar=plan.calendar,
        tasks=[t.task for t in plan.tasks],
        links=plan.links,
        status_date=plan.status_date,
    )
    computed = task_moments(plan, result)
    stored = stored_dates(reader.mpxj_to_mspdi(data))
    dates_only = all(m.time() == time() for pair in stored.values() for m in pair)
    cal = plan.calendar
    exact = same = total = 0
    misses: list[str] = []
    for uid, pair in stored.items():
        for label, want, got in zip(("start", "finish"), pair, computed[uid], strict=True):
            total += 1
            if dates_only:
                equal = working = want.date() == got.date()
            else:
                equal = want == got
                working = cal.to_offset(want, plan.start) == cal.to_offset(got, plan.start)
            exact += equal
            same += working
            if not equal:
                misses.append(f"{plan.key_of(uid)} {label}: stored {want}, Keel {got}")
    return exact, same, total, misses


# ---- which files go to MPXJ (no Java needed) ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("plan.mpp", OLE2, "mpxj"),
        ("PLAN.MPT", OLE2, "mpxj"),
        ("plan.mpx", "MPX,Microsoft Project,4.0,ANSI", "mpxj"),
        ("plan.xer", "ERMHDR\t8.4", "mpxj"),
        ("plan.pmxml", "<APIBusinessObjects/>", "mpxj"),
        ("plan.planner", PLANNER, "mpxj"),
        ("plan.gan", GAN, "mpxj"),
        ("p6.xml", '<?xml version="1.0"?>\n<APIBusinessObjects xmlns="x">', "mpxj"),
        ("planner.xml", PLANNER, "mpxj"),
        ("gantt.xml", GAN, "mpxj"),
        ("download", OLE2 + b"\x00" * 10, "mpxj"),
        ("download", "ERMHDR\t8.4\t2026-05-05", "mpxj"),
        ("download", "MPX,Microsoft Project for Windows,4.0,ANSI\n", "mpxj"),
        ("project.xml", '<Project xmlns="http://schemas.microsoft.com/project">', "mspdi"),
        ("tasks.csv", "MPX,name,duration\n1,a,2\n", "csv"),  # the extension wins
        ("plan.json", '{"name": "MPX,"}', "json"),
    ],
)
def test_plan_format_sends_mpxj_files_to_mpxj(name: str, content: str | bytes, fmt: str) -> None:
    assert plan_format(content, name) == fmt


def test_reads_bytes_by_extension() -> None:
    assert all(reads_bytes(f"a{ext}") for ext in reader.MPXJ_EXTENSIONS)
    assert reads_bytes("A.XER")
    assert not any(reads_bytes(n) for n in ("a.xml", "a.json", "a.csv", "a.sm", "a"))


def test_bytes_of_other_formats_are_decoded() -> None:
    text = json.dumps({"name": "P", "start": "2026-05-04", "tasks": [{"id": "a", "duration": 1}]})
    assert parse_plan(text.encode(), filename="p.json") == parse_plan(text, filename="p.json")
    with pytest.raises(MpxjFormatError.__mro__[1], match="not UTF-8 text"):
        parse_plan(b'{"name": "\xff"}', filename="p.json")


def test_importing_the_engine_does_not_load_java() -> None:
    code = (
        "import sys, keel.engine, keel.engine.formats, keel.cli.engine\n"
        "print(sorted(m for m in ('jpype', 'mpxj', '_jpype') if m in sys.modules))"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run(  # noqa: S603  (our own interpreter, fixed code)
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"


# ---- the messages --------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["jpype", "mpxj"])
def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import <missing>` fail
    with pytest.raises(MpxjFormatError) as info:
        parse_plan(XER, filename="move.xer")
    assert str(info.value) == reader.NEEDS_EXTRA
    assert "pip install 'keel[mpxj]'" in reader.NEEDS_EXTRA
    assert "\n" not in reader.NEEDS_EXTRA


@pytest.fixture
def fresh_java(monkeypatch: pytest.MonkeyPatch) -> Any:
    """JPype as if Java had not been started in this process yet."""
    jpype = pytest.importorskip("jpype")
    pytest.importorskip("mpxj")
    monkeypatch.setattr(jpype, "isJVMStarted", lambda: False)
    monkeypatch.setattr(reader, "_unusable", [])
    return jpype


def test_no_java_found_is_one_line(fresh_java: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def not_found() -> str:
        raise fresh_java.JVMNotFoundException("Sorry no JVM could be found.")

    monkeypatch.setattr(fresh_java, "getDefaultJVMPath", not_found)
    with pytest.raises(MpxjFormatError) as info:
        parse_plan(XER, filename="move.xer")
    assert str(info.value) == reader.NEEDS_JAVA
    assert "Java 11 or later" in reader.NEEDS_JAVA and "JAVA_HOME" in reader.NEEDS_JAVA


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="JPype's Linux JVM search")
def test_no_java_by_jpypes_own_search(
    fresh_java: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """JAVA_HOME at an empty folder, no `java` on the usual path, no JVM folders."""
    from jpype import _jvmfinder

    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setattr(_jvmfinder.LinuxJVMFinder, "_java", str(tmp_path / "bin" / "java"))
    monkeypatch.setattr(_jvmfinder.LinuxJVMFinder, "_locations", ())
    with pytest.raises(MpxjFormatError, match="needs Java 11 or later"):
        parse_plan(PLANNER, filename="move.planner")


def test_java_that_does_not_start(fresh_java: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("libjvm.so: wrong ELF class\nsecond line")

    monkeypatch.setattr(fresh_java, "getDefaultJVMPath", lambda: "/opt/java/lib/libjvm.so")
    monkeypatch.setattr(fresh_java, "startJVM", broken)
    with pytest.raises(MpxjFormatError) as info:
        parse_plan(XER, filename="move.xer")
    assert str(info.value) == reader.JAVA_FAILED.format(
        reason="libjvm.so: wrong ELF class second line"
    )


def test_java_too_old(fresh_java: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class System:
        @staticmethod
        def getProperty(name: str) -> str:
            return "1.8"

    monkeypatch.setattr(fresh_java, "getDefaultJVMPath", lambda: "/opt/java8/lib/libjvm.so")
    monkeypatch.setattr(fresh_java, "startJVM", lambda *a, **k: None)
    monkeypatch.setattr(fresh_java, "JClass", lambda name: System)
    for _ in range(2):  # the answer stays: Java cannot be started again in this process
        with pytest.raises(MpxjFormatError) as info:
            parse_plan(XER, filename="move.xer")
        assert str(info.value) == reader.OLD_JAVA.format(version="1.8")


@needs_java
def test_java_started_without_mpxj(monkeypatch: pytest.MonkeyPatch) -> None:
    """Java already running in the process without MPXJ's jars (started by something else)."""
    reader._java()
    monkeypatch.setattr(reader, "_classes", {})
    monkeypatch.setattr(reader, "_PACKAGES", ("org.example.nompxj",))
    with pytest.raises(MpxjFormatError) as info:
        parse_plan(XER, filename="move.xer")
    assert str(info.value).startswith("Java is running without MPXJ's classes")
    assert "\n" not in str(info.value)


@needs_java
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("junk.xer", b"this is not a schedule", reader.NOT_A_PROJECT),
        ("junk.mpp", OLE2 + b"\x00" * 600, reader.NOT_A_PROJECT),
        ("empty.gan", b"", reader.EMPTY_FILE),
        (
            "cut.planner",
            PLANNER[: len(PLANNER) // 2].encode(),
            reader.CANNOT_READ.format(reason="Failed to parse file"),
        ),
    ],
)
def test_unreadable_files(name: str, data: bytes, message: str) -> None:
    with pytest.raises(MpxjFormatError) as info:
        parse_plan(data, filename=name)
    assert str(info.value).startswith(message.removesuffix(").").removesuffix("."))
    assert "\n" not in str(info.value)


# ---- small files -------------------------------------------------------------------------


@needs_java
def test_reads_a_primavera_xer() -> None:
    plan = parse_plan(XER, filename="move.xer")
    assert plan.name == "Office move"  # the name of the project's WBS node
    assert plan.start == date(2026, 5, 4)
    assert plan.status_date == datetime(2026, 5, 5, 8, 0)  # the data date
    # Activity IDs are the ids; WBS nodes become summaries named by their WBS code.
    assert [t.key for t in plan.tasks] == ["MOVE", "A1020", "A1030", "MOVE.PREP", "A1000", "A1010"]
    by = {t.key: t for t in plan.tasks}
    assert by["A1000"].task.parent_id == by["MOVE.PREP"].task.id
    assert by["A1000"].task.duration_days == 2 and by["A1000"].task.percent_complete == 50
    assert by["A1000"].task.actual_start == datetime(2026, 5, 4, 8, 0)
    assert by["A1030"].task.constraint == ConstraintType.SNET
    assert by["A1030"].task.constraint_date == datetime(2026, 5, 12, 8, 0)
    ids = {t.key: t.task.id for t in plan.tasks}
    assert plan.links == (
        LinkIn(ids["A1000"], ids["A1020"], LinkType.FS, 1.0),
        LinkIn(ids["A1010"], ids["A1020"], LinkType.SS, 0.5),
        LinkIn(ids["A1020"], ids["A1030"], LinkType.FS, 0.0),
    )
    assert plan.calendar.periods == ((480, 720), (780, 1020))
    assert plan.calendar.holidays == frozenset({date(2026, 5, 11)})
    moments = _schedule(plan)
    assert moments["A1000"] == (datetime(2026, 5, 4, 8), datetime(2026, 5, 5, 17))
    assert moments["A1020"] == (datetime(2026, 5, 7, 8), datetime(2026, 5, 7, 17))
    assert moments["A1030"][0] == datetime(2026, 5, 12, 8)  # after the holiday
    # Every date P6 stored: 11 of 12 to the minute; the project's finish is the milestone's
    # Tuesday 08:00, which Keel writes as the end of the Friday before (the same minute).
    exact, same, total, _ = _agreement(XER, "move.xer")
    assert (exact, same, total) == (11, 12, 12)


@needs_java
def test_reads_a_planner_file() -> None:
    plan = parse_plan(PLANNER.encode(), filename="move.planner")
    assert plan.name == "Office move"
    assert [(t.key, t.name, t.task.parent_id) for t in plan.tasks] == [
        ("1", "Preparation", None),
        ("2", "Pack", 1),
        ("3", "Clean", 1),
        ("4", "Move", None),
        ("5", "Open", None),
    ]
    assert [t.task.duration_days for t in plan.tasks[1:]] == [2, 1.5, 1, 0]
    # Planner's lag of 86,400 seconds is an elapsed day: one working day here.
    assert plan.links == (
        LinkIn(2, 4, LinkType.FS, 1.0),
        LinkIn(3, 4, LinkType.SS, 0.0),
        LinkIn(4, 5, LinkType.FS, 0.0),
    )
    assert [r.name for r in plan.resources] == ["Movers"]
    assert plan.tasks[1].demands == (("1", 1.0),)
    assert plan.calendar.holidays == frozenset({date(2026, 5, 11)})
    assert _schedule(plan)["4"] == (datetime(2026, 5, 7, 8), datetime(2026, 5, 7, 17))
    exact, same, total, misses = _agreement(PLANNER.encode(), "move.planner")
    # Planner writes a milestone's finish at midnight: the same working minute.
    assert (exact, same, total) == (9, 10, 10), misses


@needs_java
def test_reads_a_ganttproject_file() -> None:
    plan = parse_plan(GAN.encode(), filename="move.gan")
    assert plan.name == "Office move"
    by = {t.name: t.task for t in plan.tasks}
    assert by["Pack"].parent_id == by["Move"].parent_id == by["Preparation"].id
    # Links of tasks inside a summary (which MPXJ leaves out) are read from the XML.
    assert plan.links == (
        LinkIn(by["Pack"].id, by["Move"].id, LinkType.FS, 1.0),
        LinkIn(by["Move"].id, by["Open"].id, LinkType.FS, 0.0),
    )
    # A task without predecessors stays on its start date, as in GanttProject.
    assert (by["Party"].constraint, by["Party"].constraint_date) == (
        ConstraintType.SNET,
        date(2026, 5, 14),
    )
    assert by["Move"].constraint == ConstraintType.ASAP
    moments = _schedule(plan)
    assert moments["5"] == (datetime(2026, 5, 14, 8), datetime(2026, 5, 14, 17))
    assert moments["3"] == (datetime(2026, 5, 7, 8), datetime(2026, 5, 12, 17))
    exact, same, total, misses = _agreement(GAN.encode(), "move.gan")
    # GanttProject stores days, so its starts are at 00:00: the same working minute as 08:00.
    assert (exact, same, total) == (4, 10, 10), misses


@needs_java
def test_a_loop_made_of_ganttproject_links_is_refused() -> None:
    open_task = '<task id="3" name="Open" meeting="true" start="2026-05-13" duration="0"'
    looped = GAN.replace(f'{open_task} complete="0"/>', f'{open_task}><depend id="1"/></task>')
    assert looped != GAN
    with pytest.raises(MpxjFormatError, match="dependency loop between task UIDs"):
        parse_plan(looped.encode(), filename="loop.gan")


# ---- plans MPXJ writes, read back ---------------------------------------------------------

OFFICE_MOVE = {
    "name": "Office move",
    "start": "2026-05-04",
    "calendar": {"hours": ["08:00-12:00", "13:00-17:00"], "holidays": ["2026-05-11"]},
    "resources": [{"id": "1", "name": "Movers", "capacity": 2}],
    "tasks": [
        {"id": "1", "name": "Preparation"},
        {"id": "2", "name": "Pack", "parent": "1", "duration": 2, "demands": {"1": 2}},
        {"id": "3", "name": "Clean", "parent": "1", "duration": 1.5},
        {
            "id": "4",
            "name": "Move",
            "duration": 1,
            "predecessors": [
                {"id": "2", "type": "FS", "lag": 1},
                {"id": "3", "type": "SS", "lag": 0.5},
            ],
        },
        {
            "id": "5",
            "name": "Unpack",
            "duration": 3,
            "predecessors": [{"id": "4", "type": "FF", "lag": 2}],
        },
        {
            "id": "6",
            "name": "Open",
            "duration": 0,
            "constraint": "snet",
            "constraint_date": "2026-05-18",
            "predecessors": [{"id": "5", "type": "SF"}],
        },
    ],
}


def _written_by_mpxj(plan: Plan, file_format: str) -> bytes:
    """The plan as MPXJ writes it in `file_format` (MPX, PMXML, PLANNER...)."""
    java = reader._java()
    jpype = java["jpype"]
    package = java["MSPDIWriter"].__name__.rsplit(".", 2)[0]  # org.mpxj or net.sf.mpxj
    writer = jpype.JClass(f"{package}.writer.UniversalProjectWriter")
    formats = jpype.JClass(f"{package}.writer.FileFormat")
    project = java["UniversalProjectReader"]().read(
        java["ByteArrayInputStream"](dump_mspdi(plan).encode("utf-8"))
    )
    out = java["ByteArrayOutputStream"]()
    writer(formats.valueOf(file_format)).write(project, out)
    return bytes(out.toByteArray())


def _by_name(plan: Plan) -> dict[str, Any]:
    """What a plan says, by task name (ids change between formats); summaries' own
    durations left out."""
    names: dict[int | None, str] = {t.task.id: t.name for t in plan.tasks}
    by_key = {t.key: t.name for t in plan.tasks}
    parents = {t.task.parent_id for t in plan.tasks}
    return {
        "tasks": {
            t.name: (names.get(t.task.parent_id), t.task.duration_days)
            for t in plan.tasks
            if t.task.id not in parents
        },
        "links": sorted(
            (names[link.predecessor_id], names[link.successor_id], link.type, link.lag_days)
            for link in plan.links
        ),
        "schedule": {by_key[key]: m for key, m in _schedule(plan).items()},
    }


@needs_java
@pytest.mark.parametrize(("file_format", "name"), [("MPX", "move.mpx"), ("PMXML", "move.xml")])
def test_what_mpxj_writes_reads_back(file_format: str, name: str) -> None:
    plan = parse_plan_json(json.dumps(OFFICE_MOVE))
    data = _written_by_mpxj(plan, file_format)
    # PMXML saved as .xml is recognised by its content.
    back = parse_plan(data.decode("utf-8") if name.endswith(".xml") else data, filename=name)
    assert _by_name(back) == _by_name(plan)
    assert back.calendar.holidays == plan.calendar.holidays
    assert back.calendar.periods == plan.calendar.periods


@needs_java
def test_planner_written_by_mpxj_keeps_the_tasks() -> None:
    """Planner counts lags in elapsed seconds: the tasks, outline and link types come back,
    the lags as elapsed time (docs/scheduling.md)."""
    plan = parse_plan_json(json.dumps(OFFICE_MOVE))
    back = parse_plan(_written_by_mpxj(plan, "PLANNER"), filename="move.planner")
    assert _by_name(back)["tasks"] == _by_name(plan)["tasks"]
    assert [link.type for link in back.links] == [link.type for link in plan.links]


@needs_java
def test_java_starts_once() -> None:
    import jpype

    parse_plan(PLANNER.encode(), filename="a.planner")
    assert jpype.isJVMStarted()
    assert reader._java() == reader._java()


# ---- bench files --------------------------------------------------------------------------


@needs_java
@needs_bench
@pytest.mark.parametrize("path", BENCH_FILES, ids=lambda p: p.name)
def test_bench_dates_agree(path: Path) -> None:
    exact, same, total, misses = _agreement(path.read_bytes(), path.name)
    print(f"{path.name}: {exact} of {total} task dates agree, {same} as working time")
    for m in misses:
        print("   ", m)
    floor_exact, floor_same = AGREEMENT_FLOOR[path.name]
    assert exact >= floor_exact and same >= floor_same


@needs_java
@needs_bench
def test_bench_pmxml_and_xer_give_the_same_activities() -> None:
    xer = parse_plan((BENCH / "percent-complete-8.4.xer").read_bytes(), filename="a.xer")
    pmxml = parse_plan((BENCH / "percent-complete-8.4.pmxml").read_bytes(), filename="a.pmxml")
    leaves = {t.key: t.task.duration_days for t in pmxml.tasks}
    assert leaves == {t.key: t.task.duration_days for t in xer.tasks if t.key in leaves}
    assert len(leaves) == 12 and all(k.startswith("A1") for k in leaves)
