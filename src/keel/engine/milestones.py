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
    slack_days: float | None,
    warn_days: float = 3.0,
) -> MilestoneStatus:
    """Late when the forecast is past the target (or the target passed undone); at risk when
    fewer than `warn_days` working days separate the forecast from the target, or there is no
    target to be measured by. `slack_days` is that working-day gap, computed by the caller on
    the project's calendar."""
    if done:
        return MilestoneStatus.DONE
    if target is not None and (today > target or (forecast is not None and forecast > target)):
        return MilestoneStatus.LATE
    if target is None or (slack_days is not None and slack_days < warn_days):
        return MilestoneStatus.AT_RISK
    return MilestoneStatus.ON_TRACK
