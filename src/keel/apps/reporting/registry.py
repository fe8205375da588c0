"""What a progress report is made of, open to other apps.

Sections: each is a key, a title, a function that computes its data from live data (plain
JSON: it is stored when the report is issued) and a template that shows that data on the page,
in the PDF and in the e-mail. This app registers the sections it can fill from planning and
tracking (sections.py); the risk register and quality control add theirs ("risks",
"quality") from their AppConfig.ready:

    from keel.apps.reporting.registry import Section, register_section

    register_section(Section(key="risks", title=_("Top risks"), order=60,
                             compute=top_risks, template="risks/report_section.html"))

A report shows the sections registered when it is read (a draft) or issued (the snapshot);
nothing is shown for a section no app registered.

Recipients: who a project's issued reports are e-mailed to. Until the stakeholder register
exists, the project's members and the extra addresses of its report settings
(selectors.member_recipients); the register replaces that with `set_recipients_provider`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.functional import Promise

from keel.apps.projects.models import Project

from .periods import ReportPeriod


@dataclass
class SectionContext:
    """What a section is computed for. `reader` is someone who may see the project, for the
    selectors of other apps (every section shows project-wide facts, the same to every
    reader); `memo` shares costly reads (earned value, the baseline comparison) between
    sections of one report."""

    project: Project
    period: ReportPeriod
    reader: Any
    today: date
    memo: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    order: int
    compute: Callable[[SectionContext], dict[str, Any]]  # JSON-ready: str, numbers, lists...
    template: str  # gets `data`, `charts`, `project`, `report`, `for_print`
    # Charts drawn from live data (SVG markup by name); drawn again in each language at issue.
    charts: Callable[[SectionContext], dict[str, str]] | None = None


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace, by key) a section of every report."""
    _sections[section.key] = section


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> Section | None:
    return _sections.get(key)


@dataclass(frozen=True)
class Recipient:
    """Someone a report is e-mailed to, and the language to write it in."""

    email: str
    name: str
    language: str
    user_id: int | None = None


RecipientsProvider = Callable[[Project], list[Recipient]]
_provider: list[RecipientsProvider] = []


def set_recipients_provider(provider: RecipientsProvider | None) -> None:
    """Choose who reports are sent to (None: back to the default)."""
    _provider.clear()
    if provider is not None:
        _provider.append(provider)


def recipients_provider() -> RecipientsProvider | None:
    return _provider[0] if _provider else None
