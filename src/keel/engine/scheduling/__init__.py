"""Scheduling: the critical path method (cpm); leveling will live beside it."""

from __future__ import annotations

from .cpm import schedule

__all__ = ["schedule"]
