"""The shapes of the project pages' forms. Rules (unique code, weekday digits, goal direction,
last manager, ...) live in projects.services; these only parse what the browser sent."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from holidays import registry as holiday_registry

from keel.apps.accounts.forms import timezone_choices
from keel.apps.accounts.permissions import WorkspaceAction, can_workspace
from keel.apps.accounts.selectors import workspace_members
from keel.common.errors import NotFound, PermissionDenied
from keel.common.pages import NO_ONE, KeelForm, version_field

from .adapters import holiday_countries
from .models import (
    CalendarExceptionKind,
    Direction,
    GoalKind,
    Phase,
    Project,
    ProjectRole,
)
from .permissions import MSG_ARCHIVED, PROJECT_MATRIX, ProjectAction, can, project_role
from .selectors import project_get

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    """Countries the `holidays` package has public holidays (and make-up days) for."""
    names = {
        entry[1]: module.replace("_", " ").title()
        for module, entry in holiday_registry.COUNTRIES.items()
    }
    return [(code, f"{code} · {names.get(code, code)}") for code, _label in holiday_countries()]


def _country_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Public holidays"),
        required=False,
        choices=lambda: [("", _("— none —")), *country_choices()],
        help_text=_("Country whose public holidays and make-up working days the calendar follows."),
    )


class ProjectFields(KeelForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices, initial=Phase.INITIATION)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    target_finish = forms.DateField(label=_("Target finish"), required=False, widget=DateInput)
    status_date = forms.DateField(
        label=_("Status date"),
        required=False,
        widget=DateInput,
        help_text=_("Progress is reported up to this day; unfinished work is scheduled after it."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices, initial="UTC")
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    hours_per_day = forms.DecimalField(
        label=_("Hours per day"),
        max_digits=4,
        decimal_places=2,
        initial=8,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    working_weekdays = forms.MultipleChoiceField(
        label=_("Working weekdays"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        initial=["1", "2", "3", "4", "5"],
    )
    holiday_country = _country_field()

    half_width = frozenset(
        {
            "code",
            "name",
            "phase",
            "timezone",
            "start_date",
            "target_finish",
            "status_date",
            "currency",
            "hours_per_day",
        }
    )
    service_field_map = {"timezone_name": "timezone"}

    def clean_working_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data["working_weekdays"]))


def project_initial(project: Project) -> dict[str, Any]:
    return {
        "code": project.code,
        "name": project.name,
        "description": project.description,
        "phase": project.phase,
        "start_date": project.start_date,
        "target_finish": project.target_finish,
        "status_date": project.status_date,
        "timezone": project.timezone,
        "currency": project.currency,
        "working_weekdays": list(project.working_weekdays),
        "hours_per_day": project.hours_per_day,
        "holiday_country": project.holiday_country,
        "version": project.version,
    }


class ProjectCreateForm(ProjectFields):
    workspace = forms.TypedChoiceField(label=_("Workspace"), coerce=int)

    field_order = ["workspace"]

    def __init__(self, *args: Any, workspaces: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workspace"].choices = workspaces  # type: ignore[attr-defined]


class ProjectEditForm(ProjectFields):
    version = version_field()


class ArchiveForm(KeelForm):
    archived = forms.BooleanField(required=False)
    version = version_field()


class CalendarExceptionForm(KeelForm):
    day = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarExceptionKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)

    service_field_map = {"date": "day"}


class ProjectMemberAddForm(KeelForm):
    user_id = forms.TypedChoiceField(label=_("Person"), coerce=int)
    role = forms.ChoiceField(
        label=_("Role"), choices=ProjectRole.choices, initial=ProjectRole.MEMBER
    )
    half_width = frozenset({"user_id", "role"})
    service_field_map = {"user": "user_id"}

    def __init__(self, *args: Any, people: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = people  # type: ignore[attr-defined]


class ProjectMemberRoleForm(KeelForm):
    role = forms.ChoiceField(label=_("Role"), choices=ProjectRole.choices)
    version = version_field()


class FilterForm(forms.Form):
    """The project list's filters; a bad value is ignored rather than refused."""

    ARCHIVED = [("active", _("Active")), ("archived", _("Archived")), ("all", _("All"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("All phases")), *Phase.choices]
    )
    archived = forms.ChoiceField(label=_("Status"), required=False, choices=ARCHIVED)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        archived = {"active": False, "archived": True, "all": None}[
            data.get("archived") or "active"
        ]
        return {
            "search": data.get("q") or None,
            "phase": data.get("phase") or None,
            "archived": archived,
        }


class GoalForm(KeelForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=GoalKind.choices, initial=GoalKind.PRIMARY)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    metric = forms.CharField(
        label=_("Metric"),
        max_length=120,
        required=False,
        help_text=_(
            "What is measured, e.g. “Test coverage”. A goal without a metric, "
            "target value and due date is not measurable."
        ),
    )
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.UP
    )
    baseline_value = forms.DecimalField(
        label=_("Baseline value"), max_digits=16, decimal_places=4, initial=0
    )
    target_value = forms.DecimalField(
        label=_("Target value"), max_digits=16, decimal_places=4, required=False
    )
    current_value = forms.DecimalField(
        label=_("Current value"), max_digits=16, decimal_places=4, required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    owner_id = forms.TypedChoiceField(
        label=pgettext_lazy("responsible person", "Owner"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    half_width = frozenset(
        {
            "title",
            "kind",
            "metric",
            "unit",
            "direction",
            "baseline_value",
            "target_value",
            "current_value",
            "due_date",
            "owner_id",
        }
    )

    def __init__(self, *args: Any, people: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", NO_ONE), *people]  # type: ignore[attr-defined]


class GoalEditForm(GoalForm):
    version = version_field()


GOAL_FORM_FIELDS = (
    "title",
    "kind",
    "description",
    "metric",
    "unit",
    "direction",
    "baseline_value",
    "target_value",
    "current_value",
    "due_date",
    "owner_id",
)


def goal_initial(goal: Any) -> dict[str, Any]:
    initial = {name: getattr(goal, name) for name in GOAL_FORM_FIELDS}
    initial["version"] = goal.version
    return initial


# ---------------------------------------------------------------- shared with planning and keel.web
# The people pickers and the refusal of a project page, used by every page about a project.


def workspace_people(actor: Any, workspace: Any) -> list[Any]:
    """The workspace's memberships (with users), or none for someone who may not list them
    (a guest)."""
    if not can_workspace(actor, WorkspaceAction.VIEW_MEMBERS, workspace):
        return []
    return list(workspace_members(actor=actor, workspace=workspace))


def person_label(user: Any) -> str:
    return f"{user.display_name} <{user.email}>" if user.name else str(user.email)


def people_choices(actor: Any, workspace: Any) -> list[tuple[Any, str]]:
    """The workspace's people, for owner and member pickers."""
    return [(m.user_id, person_label(m.user)) for m in workspace_people(actor, workspace)]


def project_for(actor: Any, project_id: int, action: Any = None) -> Any:
    """The project for a page, or the refusal: 404 when the person cannot see it, 403 when
    they may not do `action`, saying so when only the archiving stands in the way."""
    try:
        project = project_get(actor, project_id)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    action = action or ProjectAction.VIEW
    if not can(actor, action, project):
        role = project_role(actor, project)
        if project.is_archived and role is not None and action in PROJECT_MATRIX[role]:
            raise DjangoPermissionDenied(str(MSG_ARCHIVED))
        raise DjangoPermissionDenied(str(PermissionDenied.default_message))
    return project
