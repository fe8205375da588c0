"""Keel's computation engine: pure functions over frozen dataclasses. No Django, no I/O,
no clock: every input (including "today") is passed in explicitly."""
