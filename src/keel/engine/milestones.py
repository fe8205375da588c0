"""Whether a milestone is on track."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class MilestoneStatus(StrEnum):
    DONE = "done"
    LATE = "late"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"


def milestone_status(
    *,
    done: bool,
    forecast: date | None,
    target: date | None,
    today: date,
    float_days: float | None,
    warn_days: float = 3.0,
) -> MilestoneStatus:
    """Late when the forecast is past the target (or the target passed undone); at risk when
    it has less than `warn_days` of working-day float left, or no target to be measured by."""
    if done:
        return MilestoneStatus.DONE
    if target is not None and (today > target or (forecast is not None and forecast > target)):
        return MilestoneStatus.LATE
    if target is None or (float_days is not None and float_days < warn_days):
        return MilestoneStatus.AT_RISK
    return MilestoneStatus.ON_TRACK
