"""The Kanban board and the workflow settings page.

The board shows a project's leaf tasks in a column per workflow status, optionally split
into swimlanes (by assignee or by summary task) and filtered by person and text. A card
moves by drag and drop (static keel/board.js posts to `board_move`) or through its
"Move to…" menu, a plain form that works without JavaScript. Either way one service,
`services.board_move`, decides; under htmx the view answers with the affected columns
re-rendered out of band (so the cards carry fresh versions) and a short note: the WIP limit
exceeded (a soft limit: the move stands), or why the move was refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keel.apps.projects.forms import project_for
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.apps.projects.selectors import project_members
from keel.common.errors import KeelError, NotFound, PermissionDenied
from keel.common.pages import (
    apply_service_errors,
    parse_id,
    render_page_or_partial,
    render_partial,
    service_errors,
    service_messages,
)

from . import services
from .forms_board import BoardMoveForm, WorkflowForm
from .models import Task, TaskStatus
from .permissions import mark_editable
from .selectors import SWIMLANES, board, project_today, task_get, tasks_for, workflow_columns

P = ProjectAction
BOARD = "planning/board.html"
WORKFLOW = "planning/workflow.html"
MAX_SEARCH = 100

MSG_OVER_LIMIT = gettext_lazy(
    "The column “%(column)s” is over its WIP limit: %(count)d cards for a limit of %(limit)d."
)
MSG_WORKFLOW_SAVED = gettext_lazy("The workflow was saved.")
CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)


# ---------------------------------------------------------------- what the board shows


@dataclass(frozen=True)
class BoardState:
    """The board's view settings, carried in the query string (and in the moves' forms, so
    the columns come back as they were shown)."""

    swimlanes: str = "none"
    assignee_id: int | None = None
    search: str = ""

    @classmethod
    def from_data(cls, data: QueryDict) -> BoardState:
        lanes = data.get("swimlanes", "none")
        person = data.get("assignee", "")
        return cls(
            swimlanes=lanes if lanes in SWIMLANES else "none",
            assignee_id=parse_id(person),
            search=data.get("q", "").strip()[:MAX_SEARCH],
        )

    @property
    def filtered(self) -> bool:
        return self.assignee_id is not None or bool(self.search)

    def query(self) -> str:
        """`?swimlanes=...&assignee=...&q=...` with only the settings that differ from the
        defaults, or ""."""
        params = {
            "swimlanes": self.swimlanes if self.swimlanes != "none" else "",
            "assignee": str(self.assignee_id) if self.assignee_id is not None else "",
            "q": self.search,
        }
        given = {k: v for k, v in params.items() if v}
        return f"?{urlencode(given)}" if given else ""


@dataclass(frozen=True)
class Person:
    initials: str
    name: str


@dataclass
class Head:
    """A column's header: its name, how many cards it holds (all of them, whatever the
    filters) and its WIP limit."""

    status: str
    label: str
    count: int
    limit: int | None
    shown: int

    @property
    def over(self) -> bool:
        return self.limit is not None and self.count > self.limit


# A column of a 2,000-task plan can hold hundreds of cards: the board shows the first ones
# (in board order) and a link to show them all, so the page stays light.
CARDS_SHOWN = 60


@dataclass
class Cell:
    """One column of one swimlane: the cards a person sees and drops onto."""

    lane: str
    status: str
    label: str
    over: bool
    cards: list[Task] = field(default_factory=list)
    hidden: int = 0  # cards left out to keep a big board light (see CARDS_SHOWN)


@dataclass
class Lane:
    key: str
    label: str
    cells: list[Cell]


def initials(name: str) -> str:
    """Initials for an avatar: "Ada Lovelace" -> "AL", "Ada" -> "A", "张伟" -> "张"."""
    words = name.split()
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def _people(task: Task) -> list[Person]:
    """Who does the task: its assignees, else its owner (from the board's prefetch)."""
    users = list(task.assignees.all()) or ([task.owner] if task.owner else [])
    return [Person(initials(u.display_name), u.display_name) for u in users]


def _column_totals(request: HttpRequest, project: Project) -> dict[str, int]:
    """Cards per status with no filter applied: a WIP limit counts every card."""
    rows = (
        tasks_for(request.user, project)
        .prefetch_related(None)
        .filter(is_summary=False)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def _board_context(request: HttpRequest, project: Project, state: BoardState) -> dict[str, Any]:
    b = board(
        request.user,
        project,
        swimlanes=state.swimlanes,
        assignee_id=state.assignee_id,
        search=state.search or None,
    )
    cards = [t for c in b.columns for t in c.cards]
    mark_editable(request.user, project, cards)
    today = project_today(project)
    seen: dict[int, str] = {}
    for t in cards:
        t.board_people = _people(t)  # type: ignore[attr-defined]
        due = t.deadline or t.finish
        t.board_due = due  # type: ignore[attr-defined]
        t.board_due_is_deadline = t.deadline is not None  # type: ignore[attr-defined]
        t.board_overdue = (  # type: ignore[attr-defined]
            due is not None and due < today and t.status not in CLOSED
        )
        for u in [*t.assignees.all(), *([t.owner] if t.owner else [])]:
            seen.setdefault(u.pk, u.display_name)
    totals = (
        _column_totals(request, project)
        if state.filtered
        else {c.status: len(c.cards) for c in b.columns}
    )
    heads = [
        Head(
            status=c.status,
            label=c.label,
            count=totals.get(c.status, 0),
            limit=c.column.wip_limit,
            shown=len(c.cards),
        )
        for c in b.columns
    ]
    over = {h.status for h in heads if h.over}
    show_all = request.GET.get("all") == "1"
    lanes = [
        Lane(
            lane.key,
            lane.label,
            [
                Cell(
                    lane.key,
                    c.status,
                    c.label,
                    c.status in over,
                    c.cards if show_all else c.cards[:CARDS_SHOWN],
                    0 if show_all else max(0, len(c.cards) - CARDS_SHOWN),
                )
                for c in lane.columns
            ],
        )
        for lane in b.lanes
    ]
    # The "Move up" / "Move down" buttons place a card before a neighbour in what is shown.
    for lane in lanes:
        for cell in lane.cells:
            ids = [t.pk for t in cell.cards]
            for i, t in enumerate(cell.cards):
                t.board_prev_id = ids[i - 1] if i > 0 else None  # type: ignore[attr-defined]
                t.board_after_next_id = (  # type: ignore[attr-defined]
                    ids[i + 2] if i + 2 < len(ids) else None
                )
                t.board_last = i == len(ids) - 1  # type: ignore[attr-defined]
    for m in project_members(request.user, project):
        seen.setdefault(m.user_id, m.user.display_name)
    people = sorted(seen.items(), key=lambda kv: kv[1].lower())
    return {
        "project": project,
        "tab": "board",
        "state": state,
        "heads": heads,
        "lanes": lanes,
        "card_count": len(cards),
        "people": people,
        "has_blocked": any(h.status == TaskStatus.BLOCKED for h in heads),
        "draggable": any(getattr(t, "can_edit", False) for t in cards),
        "swimlane_choices": [
            ("none", _("None")),
            ("assignee", _("Assignee")),
            ("summary", _("Summary task")),
        ],
        **page_flags(request.user, project),
    }


@login_required
@require_GET
@service_errors
def board_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    ctx = _board_context(request, project, BoardState.from_data(request.GET))
    return render_page_or_partial(request, BOARD, "board", ctx)


# ---------------------------------------------------------------- moving a card


@login_required
@require_POST
@service_errors
def board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to a column and a place in it. Under htmx: 200, or the refusal's status
    (403, 409, 422), with the affected columns as they now are and a note; without htmx:
    back to the board, or the board with the refusal."""
    task = task_get(request.user, pk)
    project = task.project
    state = BoardState.from_data(request.POST)
    columns = [(c.status, str(c)) for c in workflow_columns(project)]
    form = BoardMoveForm(request.POST, columns=columns)
    htmx = bool(getattr(request, "htmx", False))
    old_status = task.status
    status = 200
    notes: list[tuple[str, str]] = []  # (alert level, message)
    target = old_status
    if not form.is_valid():
        status = 422
        notes = [("danger", str(m)) for errors in form.errors.values() for m in errors]
    else:
        data = form.cleaned_data
        target = data["status"]
        reason = (data["blocked_reason"] or "").strip()
        try:
            task = services.board_move(
                actor=request.user,  # type: ignore[arg-type]
                task=task,
                version=data["version"],
                status=target,
                before_id=data["before_id"],
                # A reason goes with Blocked only; a missing one is the service's to refuse.
                blocked_reason=reason if target == TaskStatus.BLOCKED and reason else None,
            )
        except KeelError as exc:
            if isinstance(exc, NotFound) or (isinstance(exc, PermissionDenied) and not htmx):
                raise
            status = exc.status
            notes = [("danger", m) for m in service_messages(exc)]
    ctx = _board_context(request, project, state)
    if status == 200 and task.status != old_status:
        head = next((h for h in ctx["heads"] if h.status == task.status), None)
        if head is not None and head.over:
            text = MSG_OVER_LIMIT % {"column": head.label, "count": head.count, "limit": head.limit}
            notes.append(("warning", str(text)))
    if htmx:
        ctx["affected"] = {old_status, target, task.status}
        ctx["notes"] = notes
        response = render_partial(request, BOARD, "moved", ctx, status=status)
        response["HX-Trigger-After-Settle"] = f'{{"keel-board-moved": {{"id": {task.pk}}}}}'
        return response
    for level, text in notes:
        messages.add_message(
            request, messages.WARNING if level == "warning" else messages.ERROR, text
        )
    if status == 200:
        url = reverse("planning:board", args=[project.pk]) + state.query()
        return redirect(f"{url}#card-{task.pk}")
    return render(request, BOARD, ctx, status=status)


# ---------------------------------------------------------------- workflow settings


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def workflow(request: HttpRequest, pk: int) -> HttpResponse:
    """The statuses the project's board uses, in order, with names and WIP limits
    (managers)."""
    project = project_for(request.user, pk, P.EDIT)
    columns = workflow_columns(project)
    status = 200
    if request.method == "POST":
        form = WorkflowForm(request.POST, columns=columns)
        if form.is_valid():
            try:
                services.workflow_set(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    columns=form.columns(),
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, str(MSG_WORKFLOW_SAVED))
                return redirect("planning:workflow", pk=pk)
        else:
            status = 422
    else:
        form = WorkflowForm(columns=columns)
    ctx = {"project": project, "tab": "board", "form": form, **page_flags(request.user, project)}
    return render(request, WORKFLOW, ctx, status=status)
