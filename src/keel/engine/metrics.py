"""Progress of a measurable goal along its metric."""

from __future__ import annotations

from decimal import Decimal


def metric_progress(
    baseline: Decimal, target: Decimal | None, current: Decimal | None
) -> float | None:
    """Share of the way from baseline to target, clamped to 0..1. Works for metrics that should
    go down as well as up (the span is then negative). None when not measurable."""
    if target is None or current is None:
        return None
    span = target - baseline
    if span == 0:
        return 1.0 if current == target else 0.0
    share = float((current - baseline) / span)
    return max(0.0, min(1.0, share))
