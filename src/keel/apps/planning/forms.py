"""The shapes of the plan's forms. Rules (loops, milestones without subtasks, constraint dates,
three-point estimates, ...) live in planning.services; these only parse what was sent."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keel.apps.projects.forms import DateInput
from keel.common.pages import NO_ONE, KeelForm, version_field

from .adapters import remaining_work_hours
from .models import Constraint, LinkType, Priority, Task, TaskStatus

TOP_LEVEL = _("— top level —")


def task_label(task: Task) -> str:
    return f"{task.wbs_code} {task.name}".strip()


def parent_choices(tasks: Iterable[Task], *, moving: Task | None = None) -> list[tuple[Any, Any]]:
    """Tasks that can hold subtasks: not milestones, and not the moved task or its subtasks."""
    prefix = f"{moving.wbs_code}." if moving is not None and moving.wbs_code else None
    return [("", TOP_LEVEL)] + [
        (t.pk, task_label(t))
        for t in tasks
        if not t.is_milestone
        and (
            moving is None or (t.pk != moving.pk and not (prefix and t.wbs_code.startswith(prefix)))
        )
    ]


def _duration_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Duration (working days)"),
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
        **kwargs,
    )


class QuickAddForm(KeelForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    parent_id = forms.TypedChoiceField(
        label=_("Summary task"), coerce=int, required=False, empty_value=None
    )
    duration_days = _duration_field(initial=1, required=False)
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)

    def __init__(self, *args: Any, parents: list[tuple[Any, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_add_%s")
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = parents  # type: ignore[attr-defined]

    def clean_duration_days(self) -> Decimal:
        value = self.cleaned_data.get("duration_days")
        return Decimal("1") if value is None else value


class TaskRowForm(KeelForm):
    """The inline edit of one row of the task tree. Its inputs sit in the row's cells and
    belong to the <form> in the last cell through their `form` attribute."""

    name = forms.CharField(label=_("Name"), max_length=255)
    duration_days = _duration_field()
    percent_complete = forms.IntegerField(
        label=_("% complete"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "5"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    owner_id = forms.TypedChoiceField(
        label=pgettext_lazy("responsible person", "Owner"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    version = version_field()

    def __init__(
        self,
        *args: Any,
        task: Task,
        people: list[tuple[Any, str]],
        manager: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", task_row_initial(task))
        kwargs.setdefault("auto_id", f"id_t{task.pk}_%s")
        super().__init__(*args, **kwargs)
        self.form_id = f"row-form-{task.pk}"
        self.fields["owner_id"].choices = [("", NO_ONE), *people]  # type: ignore[attr-defined]
        # Who does the work is the managers' call; members see it.
        self.fields["owner_id"].disabled = not manager
        # Roll-ups and milestones: the engine decides these, so they are shown, not edited.
        if task.is_summary or task.is_milestone:
            self.fields["duration_days"].disabled = True
        if task.is_summary:
            self.fields["percent_complete"].disabled = True
        for name, field in self.fields.items():
            field.widget.attrs["form"] = self.form_id
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = str(field.label)
                if isinstance(field.widget, forms.Select):
                    field.widget.attrs["class"] += " form-select-sm"
                else:
                    field.widget.attrs["class"] += " form-control-sm"
            if name == "name":
                field.widget.attrs["autofocus"] = True


def task_row_initial(task: Task) -> dict[str, Any]:
    return {
        "name": task.name,
        "duration_days": task.duration_days,
        "percent_complete": task.percent_complete,
        "status": task.status,
        "owner_id": task.owner_id,
        "version": task.version,
    }


class TagsField(forms.CharField):
    """Tags typed as a comma-separated line, stored as a list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        # Chinese input methods type a full-width comma or an enumeration comma (、).
        text = text.replace("\uff0c", ",").replace("\u3001", ",")
        return [t.strip() for t in text.split(",") if t.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return list(initial or []) != self.to_python(data)


class TaskEditForm(KeelForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner_id = forms.TypedChoiceField(
        label=pgettext_lazy("responsible person", "Owner"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    assignee_ids = forms.TypedMultipleChoiceField(
        label=_("Assignees"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    blocked_reason = forms.CharField(
        label=_("Reason blocked"),
        max_length=255,
        required=False,
        help_text=_("Needed when the status is Blocked."),
    )
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DateInput)
    actual_finish = forms.DateField(label=_("Actual finish"), required=False, widget=DateInput)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)
    duration_days = _duration_field()
    percent_complete = forms.IntegerField(label=_("% complete"), min_value=0, max_value=100)
    remaining_work_hours = forms.DecimalField(
        label=_("Remaining work (hours)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Or say how much work is left: the progress follows."),
    )
    optimistic_days = forms.DecimalField(
        label=_("Optimistic (days)"), max_digits=8, decimal_places=2, required=False
    )
    most_likely_days = forms.DecimalField(
        label=_("Most likely (days)"), max_digits=8, decimal_places=2, required=False
    )
    pessimistic_days = forms.DecimalField(
        label=_("Pessimistic (days)"), max_digits=8, decimal_places=2, required=False
    )
    constraint_type = forms.ChoiceField(label=_("Constraint"), choices=Constraint.choices)
    constraint_date = forms.DateField(label=_("Constraint date"), required=False, widget=DateInput)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))
    goal_ids = forms.TypedMultipleChoiceField(
        label=_("Goals"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = version_field()

    half_width = frozenset(
        {
            "owner_id",
            "assignee_ids",
            "status",
            "blocked_reason",
            "actual_start",
            "actual_finish",
            "priority",
            "duration_days",
            "percent_complete",
            "remaining_work_hours",
            "constraint_type",
            "constraint_date",
            "deadline",
            "tags",
        }
    )
    third_width = frozenset({"optimistic_days", "most_likely_days", "pessimistic_days"})

    def __init__(
        self,
        *args: Any,
        people: list[tuple[Any, str]],
        goals: list[tuple[Any, str]],
        manager: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", NO_ONE), *people]  # type: ignore[attr-defined]
        self.fields["assignee_ids"].choices = people  # type: ignore[attr-defined]
        # Who does the work is the managers' call; members see it.
        self.fields["owner_id"].disabled = self.fields["assignee_ids"].disabled = not manager
        self.fields["goal_ids"].choices = goals  # type: ignore[attr-defined]
        if not goals:
            del self.fields["goal_ids"]


TASK_EDIT_FIELDS = (
    "name",
    "description",
    "owner_id",
    "status",
    "blocked_reason",
    "actual_start",
    "actual_finish",
    "priority",
    "is_milestone",
    "duration_days",
    "percent_complete",
    "optimistic_days",
    "most_likely_days",
    "pessimistic_days",
    "constraint_type",
    "constraint_date",
    "deadline",
    "tags",
)


def task_edit_initial(task: Task) -> dict[str, Any]:
    """Stored values; assignees and goals are read from the selector's prefetch."""
    initial = {name: getattr(task, name) for name in TASK_EDIT_FIELDS}
    initial["assignee_ids"] = [u.pk for u in task.assignees.all()]
    initial["goal_ids"] = [g.pk for g in task.goals.all()]
    initial["remaining_work_hours"] = remaining_work_hours(task, len(initial["assignee_ids"]))
    initial["version"] = task.version
    return initial


class MoveForm(KeelForm):
    parent_id = forms.TypedChoiceField(
        label=_("Summary task"), coerce=int, required=False, empty_value=None
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        help_text=_("1 puts the task first among its siblings."),
    )
    version = version_field()

    def __init__(self, *args: Any, parents: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = parents  # type: ignore[attr-defined]


class DependencyForm(KeelForm):
    """Adds a predecessor (side="predecessor") or a successor to the task of the page."""

    task_id = forms.TypedChoiceField(coerce=int)
    type = forms.ChoiceField(label=_("Type"), choices=LinkType.choices, initial=LinkType.FS)
    lag_days = forms.DecimalField(
        label=_("Lag (working days)"),
        max_digits=8,
        decimal_places=2,
        initial=0,
        help_text=_("Negative for a lead."),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )

    def __init__(self, *args: Any, side: str, tasks: list[tuple[Any, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{side}_%s")
        super().__init__(*args, **kwargs)
        self.side = side
        field = self.fields["task_id"]
        field.label = _("Predecessor") if side == "predecessor" else _("Successor")
        field.choices = [("", _("— choose a task —")), *tasks]  # type: ignore[attr-defined]
        # The service reports the other task under its own name; either belongs here.
        self.service_field_map = {"predecessor_id": "task_id", "successor_id": "task_id"}


class GoalTasksForm(KeelForm):
    task_ids = forms.TypedMultipleChoiceField(
        label=_("Tasks and milestones that deliver this goal"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, tasks: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_ids"].choices = tasks  # type: ignore[attr-defined]


class BaselineForm(KeelForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("For example “Approved plan” or “After change request 3”."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    primary = forms.BooleanField(
        label=_("Make it the primary baseline"),
        required=False,
        initial=True,
        help_text=_("Earned value, slippage and the Gantt chart compare with the primary one."),
    )


ROW_KINDS = [
    ("", "—"),
    ("duration", _("Change the duration (working days)")),
    ("start", _("Start no earlier than (date)")),
    ("deadline", _("Set the deadline (date)")),
    ("add", _("Add a task after (name, working days)")),
    ("remove", _("Remove the task")),
]
CHANGE_ROWS = 5


class ChangeRequestForm(KeelForm):
    """A change request: what, why, and up to five changes to the plan, each a row of
    "what to do", "to which task" and "the new value"."""

    title = forms.CharField(label=_("Title"), max_length=200)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the plan should change, and what happens if it does not."),
    )
    cost_delta = forms.DecimalField(
        label=_("Cost change"),
        max_digits=14,
        decimal_places=2,
        required=False,
        initial=0,
        help_text=_("In the project's currency; negative for a saving."),
    )

    def __init__(self, *args: Any, tasks: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for i in range(CHANGE_ROWS):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("Change"), choices=ROW_KINDS, required=False
            )
            self.fields[f"task_{i}"] = forms.TypedChoiceField(
                label=_("Task"),
                choices=[("", "—"), *tasks],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"value_{i}"] = forms.CharField(
                label=_("New value"), max_length=40, required=False
            )
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("New task's name"), max_length=255, required=False
            )
            self.rows.append([self[f"{k}_{i}"] for k in ("kind", "task", "value", "name")])
        self.style_widgets()

    def form_field_for(self, service_field: str) -> str | None:
        # The service names a change by its place in the list: changes.N.field.
        parts = service_field.split(".")
        if parts[0] == "changes" and len(parts) == 3 and parts[1].isdigit():
            row = getattr(self, "row_of", {}).get(int(parts[1]))
            if row is None:
                return None
            if parts[2] in ("task_id", "after_id", "parent_id", "predecessor_id", "successor_id"):
                return f"task_{row}"
            return f"name_{row}" if parts[2] == "name" else f"value_{row}"
        if service_field == "changes":
            return None
        return super().form_field_for(service_field)

    def changes(self) -> list[dict[str, Any]]:
        """The rows as change operations for the service; row problems become field errors
        keyed like the service's (changes.N.field), mapped back by `row_of`."""
        ops: list[dict[str, Any]] = []
        self.row_of: dict[int, int] = {}
        data = self.cleaned_data
        for i in range(CHANGE_ROWS):
            kind, task, value, name = (
                data.get(f"{k}_{i}") for k in ("kind", "task", "value", "name")
            )
            if not kind:
                continue
            if task is None:
                self.add_error(f"task_{i}", _("Choose a task."))
                continue
            self.row_of[len(ops)] = i
            if kind == "duration":
                ops.append({"op": "update", "task_id": task, "fields": {"duration_days": value}})
            elif kind == "start":
                ops.append(
                    {
                        "op": "update",
                        "task_id": task,
                        "fields": {"constraint_type": "snet", "constraint_date": value},
                    }
                )
            elif kind == "deadline":
                ops.append({"op": "update", "task_id": task, "fields": {"deadline": value}})
            elif kind == "add":
                ops.append(
                    {"op": "add", "name": name, "duration_days": value or 1, "after_id": task}
                )
            elif kind == "remove":
                ops.append({"op": "remove", "task_id": task})
        return ops


class DecisionForm(KeelForm):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to reject."),
    )
    save_baseline = forms.BooleanField(
        label=_("Save a new baseline after applying the changes"), required=False
    )
    version = version_field()


class SavedViewForm(KeelForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)
    shared = forms.BooleanField(label=_("Share with the project"), required=False)
