"""The plan: a WBS of tasks, the dependencies between them, milestones."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from keel.apps.projects.models import Goal, Project
from keel.common.models import VersionedModel, long_text, validate_plan_date


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    IN_REVIEW = "in_review", _("In review")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", pgettext_lazy("priority", "Critical")


class Constraint(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    SNET = "snet", _("Start no earlier than")
    FNLT = "fnlt", _("Finish no later than")
    MSO = "mso", _("Must start on")


# A century of working days: more is a typing slip, not a plan.
MAX_DAYS = Decimal("36500")

# What the engine writes onto a task at every recalculation.
SCHEDULE_OUTPUTS = (
    "start",
    "finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
    "is_summary",
)


class Task(VersionedModel):
    """A WBS element. Tasks with children are summary tasks: their dates and progress roll up
    from the children. A milestone is a zero-duration task whose deadline is its target date.
    `start`, `finish`, the late dates and floats are written by the schedule service only."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("project")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("summary task"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    # Up to services.MAX_DEPTH levels of up to five digits each.
    wbs_code = models.CharField(_("WBS code"), max_length=100, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True, validators=[long_text])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tasks",
        verbose_name=pgettext_lazy("responsible person", "owner"),
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assignees"),
    )
    is_milestone = models.BooleanField(_("milestone"), default=False)
    duration_days = models.DecimalField(
        _("duration (working days)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    optimistic_days = models.DecimalField(
        _("optimistic"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    most_likely_days = models.DecimalField(
        _("most likely"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    pessimistic_days = models.DecimalField(
        _("pessimistic"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    constraint_type = models.CharField(
        _("constraint"), max_length=4, choices=Constraint.choices, default=Constraint.ASAP
    )
    constraint_date = models.DateField(
        _("constraint date"), null=True, blank=True, validators=[validate_plan_date]
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, validators=[validate_plan_date]
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    percent_complete = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("% complete"),
        default=0,
        validators=[MaxValueValidator(100)],
    )
    blocked_reason = models.CharField(_("reason blocked"), max_length=255, blank=True)
    # Set by status changes (work starts, work is done) and editable; the engine schedules
    # unfinished work from them.
    actual_start = models.DateField(
        _("actual start"), null=True, blank=True, validators=[validate_plan_date]
    )
    actual_finish = models.DateField(
        _("actual finish"), null=True, blank=True, validators=[validate_plan_date]
    )
    # Order of the card within its board column.
    board_position = models.PositiveIntegerField(_("board position"), default=0)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # The sum of the task's resource assignments in people (units / 100), kept by the
    # resources app's services; None while the task has no assignment. Planned work is
    # duration x hours per day x this (see adapters.planned_work_hours).
    assigned_units = models.DecimalField(
        _("assigned people"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    goals = models.ManyToManyField(Goal, blank=True, related_name="tasks", verbose_name=_("goals"))

    # Computed by the engine.
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    late_start = models.DateField(_("late start"), null=True, blank=True)
    late_finish = models.DateField(_("late finish"), null=True, blank=True)
    total_float = models.DecimalField(
        _("total float"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    free_float = models.DecimalField(
        _("free float"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    is_critical = models.BooleanField(_("critical"), default=False)
    is_summary = models.BooleanField(_("summary task"), default=False)

    # The engine's outputs change whenever anything upstream changes; recording them would
    # attribute every reschedule to the next person who edits the task.
    history = HistoricalRecords(
        excluded_fields=[
            "wbs_code",
            "position",
            "board_position",
            "assigned_units",
            *SCHEDULE_OUTPUTS,
        ]
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["project_id", "wbs_code", "pk"]
        indexes = [models.Index(fields=["project", "parent", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="task_percent_le_100"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(finish__isnull=True)
                | Q(finish__gte=F("start")),
                name="task_finish_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(is_milestone=True) | Q(duration_days=0),
                name="milestone_zero_duration",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_finish__isnull=True)
                | Q(actual_finish__gte=F("actual_start")),
                name="task_actual_finish_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wbs_code} {self.name}".strip()


class LinkType(models.TextChoices):
    FS = "FS", _("Finish-to-start")
    SS = "SS", _("Start-to-start")
    FF = "FF", _("Finish-to-finish")
    SF = "SF", _("Start-to-finish")


class Dependency(VersionedModel):
    """The successor's start or finish follows the predecessor's, with a lag (or a lead when
    negative) in working days."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="dependencies", verbose_name=_("project")
    )
    predecessor = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name=_("predecessor"),
    )
    successor = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name=_("successor"),
    )
    type = models.CharField(_("type"), max_length=2, choices=LinkType.choices, default=LinkType.FS)
    lag_days = models.DecimalField(
        _("lag (working days)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(-MAX_DAYS), MaxValueValidator(MAX_DAYS)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["project_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="uniq_dependency"),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -{self.type}-> {self.successor_id}"


class WorkflowColumn(models.Model):
    """One status of a project's workflow, as a board column: which statuses a project uses,
    in which order, under which name and with which work-in-progress limit. A project without
    rows uses every status in the order of `TaskStatus`."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="workflow", verbose_name=_("project")
    )
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("column name"), max_length=40, blank=True)
    wip_limit = models.PositiveSmallIntegerField(
        _("WIP limit"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("workflow column")
        verbose_name_plural = _("workflow columns")
        ordering = ["project_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "status"], name="uniq_workflow_status"),
        ]

    def __str__(self) -> str:
        return self.label or str(TaskStatus(self.status).label)


class Baseline(VersionedModel):
    """A saved copy of the plan (dates, durations, work of every task) to measure progress and
    slippage against. Numbered per project; the primary baseline is the one earned value,
    the Gantt chart and slippage compare with."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="baselines", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    note = models.TextField(_("note"), blank=True, validators=[long_text])
    is_primary = models.BooleanField(_("primary"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    # The plan as it was, in brief.
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    task_count = models.PositiveIntegerField(_("tasks"), default=0)
    work_hours = models.DecimalField(_("work (hours)"), max_digits=14, decimal_places=2, default=0)
    # In the project's currency; None when the plan had no costs (see planning.costing).
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="uniq_baseline_number"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_primary=True), name="one_primary_baseline"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.name}"


class BaselineTask(models.Model):
    """One task as the baseline saw it. `task` is cleared if the task is later deleted;
    `task_key` keeps its id so the row can still be read."""

    baseline = models.ForeignKey(
        Baseline, on_delete=models.CASCADE, related_name="rows", verbose_name=_("baseline")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baseline_rows",
        verbose_name=_("task"),
    )
    task_key = models.PositiveBigIntegerField(_("task id"))
    wbs_code = models.CharField(_("WBS code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=255)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    is_summary = models.BooleanField(_("summary task"), default=False)
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    duration_days = models.DecimalField(
        _("duration (working days)"), max_digits=8, decimal_places=2
    )
    work_hours = models.DecimalField(_("work (hours)"), max_digits=12, decimal_places=2, default=0)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("baseline task")
        verbose_name_plural = _("baseline tasks")
        ordering = ["baseline_id", "wbs_code", "task_key"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "task_key"], name="uniq_baseline_task"),
        ]

    def __str__(self) -> str:
        return f"{self.wbs_code} {self.name}".strip()


class ChangeRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChangeRequest(VersionedModel):
    """A proposed change to the plan (scope, schedule, cost) with its reason. The engine
    computes its impact before anyone decides; approval applies every change in one
    transaction (and can save a new baseline)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="change_requests",
        verbose_name=_("project"),
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), validators=[long_text])
    affects_scope = models.BooleanField(_("scope"), default=False)
    affects_schedule = models.BooleanField(_("schedule"), default=False)
    affects_cost = models.BooleanField(_("cost"), default=False)
    cost_delta = models.DecimalField(
        _("cost change"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("In the project's currency; negative for a saving."),
    )
    # [{"op": "update"|"add"|"remove"|"link"|"unlink", ...}]; see services.CHANGE_OPS.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.DRAFT,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True, validators=[long_text])
    # The impact the engine computed when the request was submitted and when it was decided.
    impact = models.JSONField(_("impact"), default=dict, blank=True)
    baseline = models.ForeignKey(
        Baseline,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("baseline saved on approval"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["project_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="uniq_change_request"),
        ]

    def __str__(self) -> str:
        return f"CR-{self.number} {self.title}"


class SavedView(models.Model):
    """A person's named set of list filters, sorting and grouping for a project (the query
    string of the list page), optionally shared with everyone on the project."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("project")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=pgettext_lazy("responsible person", "owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with the project"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "owner", "name"], name="uniq_saved_view_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name
