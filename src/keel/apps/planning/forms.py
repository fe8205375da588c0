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
        self, *args: Any, task: Task, people: list[tuple[Any, str]], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", task_row_initial(task))
        kwargs.setdefault("auto_id", f"id_t{task.pk}_%s")
        super().__init__(*args, **kwargs)
        self.form_id = f"row-form-{task.pk}"
        self.fields["owner_id"].choices = [("", NO_ONE), *people]  # type: ignore[attr-defined]
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
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)
    duration_days = _duration_field()
    percent_complete = forms.IntegerField(label=_("% complete"), min_value=0, max_value=100)
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
            "priority",
            "duration_days",
            "percent_complete",
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
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", NO_ONE), *people]  # type: ignore[attr-defined]
        self.fields["assignee_ids"].choices = people  # type: ignore[attr-defined]
        self.fields["goal_ids"].choices = goals  # type: ignore[attr-defined]
        if not goals:
            del self.fields["goal_ids"]


TASK_EDIT_FIELDS = (
    "name",
    "description",
    "owner_id",
    "status",
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
