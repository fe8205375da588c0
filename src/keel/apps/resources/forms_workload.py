"""The shapes of the workload pages' forms: the grid's filters, the skill a person is sought
for, and the preview a leveling applies. Rules live in the selectors and services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keel.apps.projects.forms import DateInput
from keel.apps.projects.models import Project
from keel.common.api import MAX_INT
from keel.common.models import validate_plan_date
from keel.common.pages import KeelForm

from .models import Skill
from .models.people import MAX_SKILL_LEVEL
from .selectors_workload import DEFAULT_WEEKS, MAX_WEEKS

ANY = _("— any —")


def _skill_choices(skills: Iterable[Skill]) -> list[tuple[Any, Any]]:
    return [("", ANY), *((s.pk, s.name) for s in skills)]


class WorkloadFilterForm(KeelForm):
    start = forms.DateField(
        label=_("From the week of"),
        required=False,
        widget=DateInput,
        validators=[validate_plan_date],  # weeks are counted from it: keep it on the calendar
    )
    weeks = forms.IntegerField(
        label=_("Weeks"), min_value=1, max_value=MAX_WEEKS, required=False, initial=DEFAULT_WEEKS
    )
    skill = forms.TypedChoiceField(label=_("Skill"), coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label=_("Role"), required=False)
    project = forms.TypedChoiceField(
        label=_("Project"), coerce=int, required=False, empty_value=None
    )
    over_only = forms.BooleanField(label=_("Over-allocated people only"), required=False)

    def __init__(
        self,
        *args: Any,
        skills: Iterable[Skill],
        roles: Iterable[str],
        projects: Iterable[Project],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = _skill_choices(skills)  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", ANY), *((r, r) for r in roles)]  # type: ignore[attr-defined]
        self.fields["project"].choices = [  # type: ignore[attr-defined]
            ("", ANY),
            *((p.pk, f"{p.code} {p.name}") for p in projects),
        ]


class CandidateForm(KeelForm):
    skill = forms.TypedChoiceField(label=_("Skill"), coerce=int, required=False, empty_value=None)
    min_level = forms.IntegerField(
        label=_("At least level"), min_value=1, max_value=MAX_SKILL_LEVEL, initial=1
    )

    def __init__(self, *args: Any, skills: Iterable[Skill], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = _skill_choices(skills)  # type: ignore[attr-defined]


class LevelingApplyForm(KeelForm):
    generation = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_INT)
