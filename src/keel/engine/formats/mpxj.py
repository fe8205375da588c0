"""Files in the formats people migrate from, read through MPXJ (the `mpxj` extra, which
needs Java 11 or later): MS Project `.mpp`/`.mpt` and `.mpx`, Primavera P6 `.xer` and PMXML,
GNOME Planner and GanttProject `.gan`.

MPXJ (a Java library, run in this process through JPype) reads the file and writes it as
MS Project XML in memory; `parse_mspdi` reads that into a `Plan`. One reader thus handles
calendars, constraints, links, resources, assignments, baselines and actuals for every
format, and an `.mpp` gives the plan its MS Project XML export gives. The task ids are the
file's unique ids, except in files whose every task has its own activity id (Primavera):
there the Activity IDs (and WBS codes for WBS summaries) are the ids people know.

Java is started once per process, on the first file, and stays up; importing this module
imports neither JPype nor MPXJ, so the engine never needs Java until such a file is read.
Read files in the CLI or a worker, never in a web request (starting Java takes about half a
second and some hundred megabytes). No file is written: bytes in, plan out. Every problem
is an `MpxjFormatError` whose message is one line (the caller names the file).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from ..graph import find_cycle
from ..types import ConstraintType, LinkIn, LinkType
from .mspdi import DEPENDENCY_LOOP, parse_mspdi
from .plan_json import Plan, PlanFormatError

NEEDS_EXTRA = (
    "this file needs the mpxj extra: pip install 'keel[mpxj]' (it also needs Java 11 or later)."
)
NEEDS_JAVA = (
    "this file needs Java 11 or later to be read, and no Java was found: install a Java "
    "runtime (JRE or JDK) or set JAVA_HOME to one."
)
OLD_JAVA = "this file needs Java 11 or later to be read; the Java found is version {version}."
JAVA_FAILED = "this file needs Java 11 or later to be read; starting Java failed ({reason})."
NO_MPXJ_CLASSES = (
    "Java is running without MPXJ's classes ({reason}); read the file in a new process."
)
NOT_A_PROJECT = "MPXJ does not recognise this as a project file it can read."
CANNOT_READ = "MPXJ cannot read this file ({reason})."
EMPTY_FILE = "the file is empty."

# Read through MPXJ by extension; other files by content (`looks_like_mpxj`).
MPXJ_EXTENSIONS = (".mpp", ".mpt", ".mpx", ".xer", ".pmxml", ".planner", ".gan")
MIN_JAVA = 11
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: MS Project .mpp/.mpt
_SNIFF = 4000
# MPXJ's Java packages: org.mpxj from MPXJ 14, net.sf.mpxj before.
_PACKAGES = ("org.mpxj", "net.sf.mpxj")
_JVM_OPTIONS = (
    "-Xrs",  # leave SIGINT/SIGTERM to Python: a worker or the CLI stops as it always does
    "-Djava.awt.headless=true",
    # MPXJ's libraries log through log4j, which would print a warning to stderr on each
    # run; a simple logger switched off keeps error output to the one line.
    "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
    "-Dorg.apache.logging.log4j.simplelog.level=OFF",
)
_MAX_REASON = 200

_lock = threading.Lock()
_classes: dict[str, Any] = {}  # Java classes by short name, once Java is up
_unusable: list[str] = []  # why the Java this process started cannot run MPXJ


class MpxjFormatError(PlanFormatError):
    """A file MPXJ cannot read, or a machine that cannot run MPXJ (extra or Java missing)."""

    code = "bad_mpxj_file"


def looks_like_mpxj(head: str | bytes) -> bool:
    """The start of an .mpp, MPX, XER, PMXML, Planner or GanttProject file (MPXJ's own
    fingerprints). MS Project XML is not one: `parse_mspdi` reads it directly."""
    if isinstance(head, bytes):
        if head.startswith(_OLE2):
            return True
        head = head[:_SNIFF].decode("latin-1")
    text = head[:_SNIFF].lstrip("\ufeff").lstrip()
    if text.startswith(("MPX,", "ERMHDR")):
        return True
    if "<APIBusinessObjects" in text or "<BusinessObjects" in text:  # Primavera PMXML
        return True
    root = text.find("<project ")  # Planner and GanttProject; MS Project's is <Project>
    return root >= 0 and ("mrproject-version" in text or "webLink" in text)


def parse_mpxj(data: bytes, *, name: str = "") -> Plan:
    """Read any file MPXJ reads. `name` is used when the file names no project."""
    project, mspdi = _convert(data)
    plan = parse_mspdi(mspdi, name=name)
    props = project.getProjectProperties()
    title = _text(props.getName()) or _text(props.getProjectTitle()) or name
    if _text(props.getFileType()) == "GAN":
        plan = _ganttproject(plan, data)
    return _with_activity_ids(replace(plan, name=title), project)


def mpxj_to_mspdi(data: bytes) -> bytes:
    """The file as MPXJ writes it in MS Project XML (with the dates the file stored)."""
    return _convert(data)[1]


def _convert(data: bytes) -> tuple[Any, bytes]:
    if not data:
        raise MpxjFormatError(EMPTY_FILE)
    java = _java()
    jpype = java["jpype"]
    try:
        project = java["UniversalProjectReader"]().read(java["ByteArrayInputStream"](data))
    except jpype.JException as exc:
        raise MpxjFormatError(CANNOT_READ.format(reason=_reason(exc))) from None
    if project is None:
        raise MpxjFormatError(NOT_A_PROJECT)
    out = java["ByteArrayOutputStream"]()
    writer = java["MSPDIWriter"]()
    writer.setWriteTimephasedData(False)
    try:
        writer.write(project, out)
    except jpype.JException as exc:
        raise MpxjFormatError(CANNOT_READ.format(reason=_reason(exc))) from None
    return project, bytes(out.toByteArray())


def _java() -> dict[str, Any]:
    """JPype and the Java classes used, starting Java with MPXJ's jars the first time."""
    try:
        import jpype
        import mpxj  # noqa: F401  # importing it puts MPXJ's jars on JPype's class path
    except ImportError:
        raise MpxjFormatError(NEEDS_EXTRA) from None
    with _lock:
        if not jpype.isJVMStarted():
            _start(jpype)
        if _unusable:  # Java cannot be started twice in a process: the answer stays
            raise MpxjFormatError(_unusable[0])
        if not _classes:
            _classes.update(_load_classes(jpype))
        return {"jpype": jpype, **_classes}


def _start(jpype: Any) -> None:
    try:
        path = jpype.getDefaultJVMPath()
    except (jpype.JVMNotFoundException, jpype.JVMNotSupportedException):
        raise MpxjFormatError(NEEDS_JAVA) from None
    try:
        jpype.startJVM(path, *_JVM_OPTIONS, convertStrings=False, interrupt=False)
    except (OSError, RuntimeError) as exc:
        raise MpxjFormatError(JAVA_FAILED.format(reason=_one_line(str(exc)))) from None
    version = str(jpype.JClass("java.lang.System").getProperty("java.specification.version"))
    major = version.removeprefix("1.").split(".")[0]  # "1.8" is Java 8
    if not major.isdigit() or int(major) < MIN_JAVA:
        _unusable.append(OLD_JAVA.format(version=version))


def _load_classes(jpype: Any) -> dict[str, Any]:
    def java_class(name: str) -> Any:
        return jpype.JClass(name)

    try:
        found = next((p for p in _PACKAGES if _exists(jpype, f"{p}.ProjectFile")), None)
        if found is None:
            raise TypeError(f"no class {_PACKAGES[0]}.ProjectFile")
        return {
            "UniversalProjectReader": java_class(f"{found}.reader.UniversalProjectReader"),
            "MSPDIWriter": java_class(f"{found}.mspdi.MSPDIWriter"),
            "ByteArrayInputStream": java_class("java.io.ByteArrayInputStream"),
            "ByteArrayOutputStream": java_class("java.io.ByteArrayOutputStream"),
        }
    except TypeError as exc:  # JPype's "class not found"
        raise MpxjFormatError(NO_MPXJ_CLASSES.format(reason=_one_line(str(exc)))) from None


def _exists(jpype: Any, name: str) -> bool:
    try:
        jpype.JClass(name)
    except TypeError:
        return False
    return True


# GanttProject <depend type="..."> codes; MPXJ gives a task the unique id `id` + 1.
_GAN_LINKS = {1: LinkType.SS, 2: LinkType.FS, 3: LinkType.FF, 4: LinkType.SF}


def _ganttproject(plan: Plan, data: bytes) -> Plan:
    """What MPXJ (16.10) leaves out of a GanttProject file, from its XML: the links of
    tasks inside a summary (MPXJ reads only top-level tasks' <depend>s), and the start date
    that holds a task without predecessors in place (GanttProject has no "as soon as
    possible"), kept as start-no-earlier-than."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return plan  # MPXJ read it; nothing more to add
    ids = {pt.task.id for pt in plan.tasks}
    links = list(plan.links)
    have = {(link.predecessor_id, link.successor_id) for link in links}
    starts: dict[int, date] = {}
    for el in root.iter("task"):
        pred = _int(el.get("id"))
        if pred is None:
            continue
        day = _day(el.get("start"))
        if day is not None:
            starts[pred + 1] = day
        for dep in el.findall("depend"):
            succ = _int(dep.get("id"))
            if succ is None or (pred + 1, succ + 1) in have or not {pred + 1, succ + 1} <= ids:
                continue
            kind = _GAN_LINKS.get(_int(dep.get("type")) or 2, LinkType.FS)
            links.append(LinkIn(pred + 1, succ + 1, kind, float(_int(dep.get("difference")) or 0)))
            have.add((pred + 1, succ + 1))
    cycle = find_cycle(ids, [(link.predecessor_id, link.successor_id) for link in links])
    if cycle is not None:
        raise MpxjFormatError(DEPENDENCY_LOOP.format(path=" -> ".join(map(str, cycle))))
    parents = {pt.task.parent_id for pt in plan.tasks}
    linked = {link.successor_id for link in links}
    tasks = []
    for pt in plan.tasks:
        t = pt.task
        day = starts.get(t.id)
        if (
            day is not None
            and t.id not in parents
            and t.id not in linked
            and t.constraint == ConstraintType.ASAP
        ):
            pt = replace(pt, task=replace(t, constraint=ConstraintType.SNET, constraint_date=day))
        tasks.append(pt)
    return replace(plan, tasks=tuple(tasks), links=tuple(links))


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(float(value))
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return None if value is None else date.fromisoformat(value[:10])
    except ValueError:
        return None


def _with_activity_ids(plan: Plan, project: Any) -> Plan:
    """Activity IDs as task ids when every task has one and they are distinct (Primavera
    files; MPXJ gives WBS summaries their WBS code)."""
    ids: dict[int, str] = {}
    for task in project.getTasks():
        uid = task.getUniqueID()
        if uid is not None:
            ids[int(uid)] = _text(task.getActivityID())
    keys = [ids.get(pt.task.id, "") for pt in plan.tasks]
    if not plan.tasks or not all(keys) or len(set(keys)) != len(keys):
        return plan
    return replace(
        plan, tasks=tuple(replace(pt, key=k) for pt, k in zip(plan.tasks, keys, strict=True))
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _reason(exc: Any) -> str:
    """A Java exception's message and its causes', on one line."""
    parts: list[str] = []
    cause = exc
    while cause is not None and len(parts) < 4:
        message = _text(cause.getMessage())
        if message and all(message not in p for p in parts):
            parts.append(message)
        cause = cause.getCause()
    return _one_line(": ".join(parts) or str(exc.getClass().getSimpleName()))


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 3] + "..."
