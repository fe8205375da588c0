"""The engine's error family. Delivery layers turn these into 4xx answers or CLI messages."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A problem with the input the engine was given, explained for a person."""

    code = "domain_error"


class CycleError(DomainError):
    """Dependencies that loop back on themselves; `cycle` lists the task ids in loop order,
    first repeated at the end (a -> b -> c -> a)."""

    code = "dependency_cycle"

    def __init__(self, cycle: Sequence[object]) -> None:
        self.cycle = list(cycle)
        super().__init__("Dependency loop: " + " -> ".join(str(t) for t in self.cycle))


class DateOutOfRange(DomainError, ValueError):
    """A plan whose dates would leave the years a calendar can represent (1 to 9999)."""

    code = "schedule_out_of_range"
