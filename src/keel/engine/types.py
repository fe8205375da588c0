"""The engine's input and output records: frozen dataclasses, dates only at the edges.

Inside the engine time is integer working minutes; these types carry calendar dates and
working-day floats because that is what plans are written in and what people read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class LinkType(StrEnum):
    """Dependency types, named from the predecessor's side first (FS = finish-to-start)."""

    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class ConstraintType(StrEnum):
    """Date constraints as MS Project names them.

    ASAP/ALAP need no date; every other type needs `constraint_date`. SNET/FNET push a task
    later; SNLT/FNLT cap its late dates; MSO/MFO pin it (the pin beats links, and the
    conflict shows as negative float).
    """

    ASAP = "asap"
    ALAP = "alap"
    SNET = "snet"
    SNLT = "snlt"
    FNET = "fnet"
    FNLT = "fnlt"
    MSO = "mso"
    MFO = "mfo"


DATED_CONSTRAINTS = frozenset(
    {
        ConstraintType.SNET,
        ConstraintType.SNLT,
        ConstraintType.FNET,
        ConstraintType.FNLT,
        ConstraintType.MSO,
        ConstraintType.MFO,
    }
)


@dataclass(frozen=True)
class TaskIn:
    """One task of a plan. Summary tasks are those named as some task's `parent_id`: their
    own duration, constraint and progress are ignored, they roll up their descendants."""

    id: int
    duration_days: float  # working days, decimals allowed; 0 for milestones
    parent_id: int | None = None
    constraint: ConstraintType = ConstraintType.ASAP
    constraint_date: date | None = None
    deadline: date | None = None
    percent_complete: float = 0.0  # 0..100
    actual_start: date | None = None
    actual_finish: date | None = None


@dataclass(frozen=True)
class LinkIn:
    """A dependency. `lag_days` is in working days; negative is a lead."""

    predecessor_id: int
    successor_id: int
    type: LinkType = LinkType.FS
    lag_days: float = 0.0


@dataclass(frozen=True)
class TaskOut:
    """Computed dates and floats of one task (floats in working days, negative when a
    constraint or deadline cannot be met). A finish date is the day of the last working
    minute; a milestone's dates are the day its moment belongs to."""

    id: int
    early_start: date
    early_finish: date
    late_start: date
    late_finish: date
    total_float_days: float
    free_float_days: float
    critical: bool
    is_summary: bool
    misses_deadline: bool
    # The same four moments in working minutes from the start of the project's first
    # working day (exact, for sub-day bars and for checking link rules).
    early_start_minute: int = 0
    early_finish_minute: int = 0
    late_start_minute: int = 0
    late_finish_minute: int = 0


@dataclass(frozen=True)
class ScheduleResult:
    """The whole schedule. `critical_path` holds critical non-summary tasks in early-start
    order."""

    tasks: dict[int, TaskOut]
    project_start: date
    project_finish: date
    critical_path: tuple[int, ...]
