"""Writes of a project's money: budget lines, planned costs, finance settings, expenses and
their approval, receipts, and the record of announced spend alerts.

Rules, each with its message:
- the budget, planned costs and alert settings are for those who may edit the budget;
- anyone who may claim expenses records their own; only draft and rejected ones change, and
  only by the claimant; a submitted expense is approved or rejected (with a reason) by someone
  with the right to, never by the claimant; approved expenses are actual cost;
- a receipt is a PDF, PNG, JPEG or WEBP file of at most RECEIPT_MAX_BYTES, judged by its
  extension and by its first bytes; it is stored under a random name outside the public media.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.apps.planning.models import Task
from keel.apps.projects.models import Project
from keel.apps.projects.permissions import ProjectAction, require
from keel.common.errors import PermissionDenied, ValidationFailed, check_version, validate_instance
from keel.common.money import money

from .models import (
    BudgetLine,
    CostCategory,
    Expense,
    ExpenseStatus,
    FinanceSettings,
    Item,
    PlannedCost,
)
from .models.money import MAX_ALERT_PERCENT, RECEIPT_MAX_BYTES, RECEIPT_TYPES, receipt_path
from .selectors_money import receipt_storage

P = ProjectAction

MSG_NO_TASK = _("There is no such task in this project.")
MSG_AMOUNT = _("Enter an amount as a number, e.g. 1250.00.")
MSG_AMOUNT_NEGATIVE = _("The amount cannot be negative.")
MSG_AMOUNT_POSITIVE = _("Enter an amount above 0.")
MSG_QUANTITY = _("Enter a quantity above 0, e.g. 12.5.")
MSG_CATEGORY = _("Choose a cost category.")
MSG_NO_ITEM = _("There is no such item in this workspace.")
MSG_ITEM_QUANTITY = _("Give both the item and its quantity, or neither.")
MSG_AMOUNT_OR_ITEM = _("Enter an amount, or an item and a quantity.")
MSG_ALERTS = _("Enter percentages between 1 and %(max)d, separated by commas, e.g. 80, 100.")
MSG_NOT_CLAIMANT = _("Only the person who claimed this expense can change it.")
MSG_EXPENSE_LOCKED = _(
    "This expense was submitted or approved and can no longer be changed. Someone who approves "
    "expenses can reject it so you can correct it."
)
MSG_NOT_SUBMITTED = _("Only a submitted expense can be approved or rejected.")
MSG_NOT_OPEN = _("Only a draft or rejected expense can be submitted.")
MSG_OWN_EXPENSE = _("Nobody approves their own expense; ask someone else who approves expenses.")
MSG_REASON = _("Say why the expense is rejected, so the person can correct it.")
MSG_RECEIPT_TYPE = _("A receipt must be a PDF, PNG, JPEG or WEBP file.")
MSG_RECEIPT_CONTENT = _(
    "This file's content is not a PDF, PNG, JPEG or WEBP image, whatever its name."
)
MSG_RECEIPT_SIZE = _("A receipt may be at most %(mb)d MB.")
MSG_RECEIPT_EMPTY = _("The receipt file is empty.")
MSG_REASON_LONG = _("Keep the reason to %(max)d characters.")
MSG_FIELD_FIXED = _("This field cannot be changed.")

REASON_LENGTH = 500
MAX_QUANTITY = Decimal("1000000000")  # the column holds 9 digits before the point
OPEN_EXPENSE = (ExpenseStatus.DRAFT, ExpenseStatus.REJECTED)
BUDGET_FIELDS = {"category", "task_id", "period", "amount", "note"}
PLANNED_FIELDS = {"task_id", "category", "description", "item_id", "quantity", "amount", "date"}
EXPENSE_FIELDS = {"category", "date", "amount", "supplier", "description", "task_id"}


# ---------------------------------------------------------------- checks shared by writes


def _amount(value: Any, *, positive: bool = False, name: str = "amount") -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={name: [MSG_AMOUNT]}) from None
    if not amount.is_finite():
        raise ValidationFailed(fields={name: [MSG_AMOUNT]})
    if positive and amount <= 0:
        raise ValidationFailed(fields={name: [MSG_AMOUNT_POSITIVE]})
    if amount < 0:
        raise ValidationFailed(fields={name: [MSG_AMOUNT_NEGATIVE]})
    return money(amount)


def _quantity(value: Any) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={"quantity": [MSG_QUANTITY]}) from None
    if not quantity.is_finite() or quantity <= 0 or quantity >= MAX_QUANTITY:
        raise ValidationFailed(fields={"quantity": [MSG_QUANTITY]})
    return quantity.quantize(Decimal("0.001"))


def _category(value: Any) -> str:
    if value not in CostCategory.values:
        raise ValidationFailed(fields={"category": [MSG_CATEGORY]})
    return str(value)


def _task(project: Project, task_id: Any) -> Task | None:
    if task_id is None:
        return None
    task = (
        Task.objects.filter(project=project, pk=task_id).first()
        if isinstance(task_id, int)
        else None
    )
    if task is None:
        raise ValidationFailed(fields={"task_id": [MSG_NO_TASK]})
    return task


def _unknown(changes: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(fields={k: [MSG_FIELD_FIXED] for k in unknown})


def _locked(model: Any, pk: int) -> Any:
    return (
        model.objects.select_for_update(of=("self",))
        .select_related("project__workspace")
        .get(pk=pk)
    )


# ---------------------------------------------------------------- budget lines


def _budget_fields(project: Project, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "category" in values:
        out["category"] = _category(values["category"])
    if "task_id" in values:
        out["task"] = _task(project, values["task_id"])
    if "period" in values:
        period = values["period"]
        # Any day of a month names the month: a budget is phased by month.
        out["period"] = period.replace(day=1) if isinstance(period, dt.date) else None
    if "amount" in values:
        out["amount"] = _amount(values["amount"])
    if "note" in values:
        out["note"] = (values["note"] or "").strip()
    return out


@transaction.atomic
def budget_line_create(*, actor: Any, project: Project, values: Mapping[str, Any]) -> BudgetLine:
    """Add a slice of the budget: an amount for a category, optionally a WBS element and a
    month."""
    require(actor, P.EDIT_BUDGET, project)
    _unknown(values, BUDGET_FIELDS)
    fields = _budget_fields(project, {"task_id": None, "period": None, "note": "", **values})
    for required in ("category", "amount"):
        if required not in fields:
            raise ValidationFailed(fields={required: [_("This field is required.")]})
    line = BudgetLine(project=project, **fields)
    validate_instance(line, exclude=["project", "task"])
    line.save()
    return line


@transaction.atomic
def budget_line_update(
    *, actor: Any, line: BudgetLine, version: int | None, changes: Mapping[str, Any]
) -> BudgetLine:
    require(actor, P.EDIT_BUDGET, line.project)
    _unknown(changes, BUDGET_FIELDS)
    line = _locked(BudgetLine, line.pk)
    check_version(line.version, version)
    line.bump(**_budget_fields(line.project, changes))
    validate_instance(line, exclude=["project", "task"])
    line.save()
    return line


@transaction.atomic
def budget_line_delete(*, actor: Any, line: BudgetLine, version: int | None = None) -> None:
    require(actor, P.EDIT_BUDGET, line.project)
    line = _locked(BudgetLine, line.pk)
    check_version(line.version, version)
    line.delete()


# ---------------------------------------------------------------- planned costs


def _planned_amount(project: Project, cost: PlannedCost, values: Mapping[str, Any]) -> None:
    """Set the item, quantity and amount: an item x quantity prices itself at the item's unit
    cost; without an item the amount is typed."""
    item_id = values.get("item_id", cost.item_id)
    quantity = values.get("quantity", cost.quantity)
    if (item_id is None) != (quantity is None):
        raise ValidationFailed(fields={"quantity": [MSG_ITEM_QUANTITY]})
    if item_id is not None:
        item = (
            Item.objects.filter(workspace_id=project.workspace_id, pk=item_id).first()
            if isinstance(item_id, int)
            else None
        )
        if item is None:
            raise ValidationFailed(fields={"item_id": [MSG_NO_ITEM]})
        cost.item, cost.quantity = item, _quantity(quantity)
        cost.amount = money(cost.quantity * item.unit_cost)
        return
    cost.item, cost.quantity = None, None
    if values.get("amount", cost.amount) is None:
        raise ValidationFailed(fields={"amount": [MSG_AMOUNT_OR_ITEM]})
    cost.amount = _amount(values.get("amount", cost.amount))


def _planned_fields(project: Project, cost: PlannedCost, values: Mapping[str, Any]) -> None:
    if "category" in values:
        cost.category = _category(values["category"])
    if "task_id" in values:
        cost.task = _task(project, values["task_id"])
    if "description" in values:
        cost.description = (values["description"] or "").strip()
    if "date" in values:
        cost.date = values["date"]
    _planned_amount(project, cost, values)
    validate_instance(cost, exclude=["project", "task", "item"])


@transaction.atomic
def planned_cost_create(*, actor: Any, project: Project, values: Mapping[str, Any]) -> PlannedCost:
    """Plan a cost that is not a person's time: materials, equipment, a service, a fixed
    cost, on a task or on the project."""
    require(actor, P.EDIT_BUDGET, project)
    _unknown(values, PLANNED_FIELDS)
    if "category" not in values:
        raise ValidationFailed(fields={"category": [MSG_CATEGORY]})
    cost = PlannedCost(project=project, amount=None)  # type: ignore[misc]  # set below
    _planned_fields(project, cost, values)
    cost.save()
    return cost


@transaction.atomic
def planned_cost_update(
    *, actor: Any, cost: PlannedCost, version: int | None, changes: Mapping[str, Any]
) -> PlannedCost:
    require(actor, P.EDIT_BUDGET, cost.project)
    _unknown(changes, PLANNED_FIELDS)
    cost = _locked(PlannedCost, cost.pk)
    check_version(cost.version, version)
    cost.version += 1
    _planned_fields(cost.project, cost, changes)
    cost.save()
    return cost


@transaction.atomic
def planned_cost_delete(*, actor: Any, cost: PlannedCost, version: int | None = None) -> None:
    require(actor, P.EDIT_BUDGET, cost.project)
    cost = _locked(PlannedCost, cost.pk)
    check_version(cost.version, version)
    cost.delete()


# ---------------------------------------------------------------- finance settings


def parse_percentages(value: Any) -> list[int]:
    """'80, 100' or [80, 100] -> [80, 100]; anything else is a field message."""
    parts = value.replace(";", ",").split(",") if isinstance(value, str) else list(value or [])
    out: set[int] = set()
    message = MSG_ALERTS % {"max": MAX_ALERT_PERCENT}
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ALERT_PERCENT:
            raise ValidationFailed(fields={"alert_percentages": [message]})
        out.add(int(text))
    return sorted(out)


@transaction.atomic
def finance_settings_set(
    *, actor: Any, project: Project, version: int | None, alert_percentages: Any
) -> FinanceSettings:
    """Set at which percentages of the budget spend alerts go out. Announced crossings above
    the new thresholds are forgotten, so a lowered threshold is announced again."""
    require(actor, P.EDIT_BUDGET, project)
    percentages = parse_percentages(alert_percentages)
    row = FinanceSettings.objects.select_for_update().filter(project=project).first()
    if row is None:
        check_version(0, version)
        row = FinanceSettings(project=project, alert_percentages=percentages)
    else:
        check_version(row.version, version)
        row.bump(alert_percentages=percentages)
    top = max(percentages, default=0)
    row.alerted_actual = min(row.alerted_actual, top)
    row.alerted_forecast = min(row.alerted_forecast, top)
    row.save()
    return row


@transaction.atomic
def spend_alerts_mark(project: Project, crossings: Iterable[tuple[str, int]]) -> None:
    """Record crossings as announced (by the daily notification run), so each is sent once."""
    row = FinanceSettings.objects.select_for_update().filter(project=project).first()
    if row is None:
        row = FinanceSettings.objects.create(project=project, alert_percentages=[])
    for kind, percent in crossings:
        if kind == "actual":
            row.alerted_actual = max(row.alerted_actual, percent)
        elif kind == "forecast":
            row.alerted_forecast = max(row.alerted_forecast, percent)
    row.save(update_fields=["alerted_actual", "alerted_forecast", "updated_at"])


# ---------------------------------------------------------------- receipts


# The first bytes each kind of receipt starts with; WEBP is RIFF....WEBP.
_MAGIC = {
    "application/pdf": lambda head: head.startswith(b"%PDF-"),
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}


def check_receipt(upload: Any) -> str:
    """The receipt's content type, or a field message: too big, a name that is not a
    receipt's, or content that does not match."""
    name = str(getattr(upload, "name", "") or "")
    content_type = RECEIPT_TYPES.get(PurePath(name).suffix.lower())
    if content_type is None:
        raise ValidationFailed(fields={"receipt": [MSG_RECEIPT_TYPE]})
    size = upload.size
    if size is None or size > RECEIPT_MAX_BYTES:
        mb = RECEIPT_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed(fields={"receipt": [MSG_RECEIPT_SIZE % {"mb": mb}]})
    if size == 0:
        raise ValidationFailed(fields={"receipt": [MSG_RECEIPT_EMPTY]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _MAGIC[content_type](head):
        raise ValidationFailed(fields={"receipt": [MSG_RECEIPT_CONTENT]})
    return content_type


def _delete_after_commit(name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: receipt_storage().delete(name))


# ---------------------------------------------------------------- expenses


def _expense_fields(project: Project, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "category" in values:
        out["category"] = _category(values["category"])
    if "task_id" in values:
        out["task"] = _task(project, values["task_id"])
    if "amount" in values:
        out["amount"] = _amount(values["amount"], positive=True)
    if "date" in values:
        out["date"] = values["date"]
    for name in ("supplier", "description"):
        if name in values:
            out[name] = (values[name] or "").strip()
    return out


def _with_receipt(expense: Expense, receipt: Any, fields: dict[str, Any]) -> None:
    """Validate the row, then store the receipt and save: nothing is kept if either fails."""
    content_type = check_receipt(receipt) if receipt is not None else ""
    validate_instance(expense, exclude=["project", "task", "claimant", "reviewer", "receipt"])
    stored: str | None = None
    old: str | None = None
    try:
        if receipt is not None:
            old = expense.receipt.name or None
            stored = receipt_storage().save(receipt_path(expense, receipt.name), receipt)
            expense.receipt.name = stored
            expense.receipt_name = PurePath(str(receipt.name)).name[:200]
            expense.receipt_type = content_type
        expense.save()
    except Exception:
        if stored:
            receipt_storage().delete(stored)
        raise
    if stored:
        # Should the transaction roll back later, the new file is an orphan no row names;
        # the old one goes only once the change is committed.
        _delete_after_commit(old)


@transaction.atomic
def expense_create(
    *, actor: Any, project: Project, values: Mapping[str, Any], receipt: Any = None
) -> Expense:
    """Record money one spent on the project (a draft): amount above 0, category, date,
    description, optionally a task, the supplier and a receipt."""
    require(actor, P.SUBMIT_EXPENSE, project)
    _unknown(values, EXPENSE_FIELDS)
    fields = _expense_fields(project, {"supplier": "", "task_id": None, **values})
    for required in ("category", "amount", "date", "description"):
        if required not in fields:
            raise ValidationFailed(fields={required: [_("This field is required.")]})
    expense = Expense(project=project, claimant=actor, **fields)
    _with_receipt(expense, receipt, fields)
    return expense


def _check_changeable(actor: Any, expense: Expense) -> None:
    require(actor, P.SUBMIT_EXPENSE, expense.project)
    if expense.claimant_id != actor.pk:
        raise PermissionDenied(MSG_NOT_CLAIMANT)
    if expense.status not in OPEN_EXPENSE:
        raise ValidationFailed(
            MSG_EXPENSE_LOCKED, code="expense_locked", fields={"status": [MSG_EXPENSE_LOCKED]}
        )


@transaction.atomic
def expense_update(
    *,
    actor: Any,
    expense: Expense,
    version: int | None,
    changes: Mapping[str, Any],
    receipt: Any = None,
) -> Expense:
    """Change one's own draft or rejected expense (a rejected one stays rejected, with its
    reason, until submitted again)."""
    _unknown(changes, EXPENSE_FIELDS)
    _check_changeable(actor, expense)
    expense = _locked(Expense, expense.pk)
    check_version(expense.version, version)
    _check_changeable(actor, expense)
    fields = _expense_fields(expense.project, changes)
    expense.bump(**fields)
    _with_receipt(expense, receipt, fields)
    return expense


@transaction.atomic
def expense_delete(*, actor: Any, expense: Expense, version: int | None = None) -> None:
    _check_changeable(actor, expense)
    expense = _locked(Expense, expense.pk)
    check_version(expense.version, version)
    _check_changeable(actor, expense)
    name = expense.receipt.name or None
    expense.delete()
    _delete_after_commit(name)


@transaction.atomic
def expense_submit(*, actor: Any, expense: Expense, version: int | None) -> Expense:
    _check_changeable(actor, expense)
    expense = _locked(Expense, expense.pk)
    check_version(expense.version, version)
    if expense.status not in OPEN_EXPENSE:
        raise ValidationFailed(
            MSG_NOT_OPEN, code="expense_state", fields={"status": [MSG_NOT_OPEN]}
        )
    expense.bump(status=ExpenseStatus.SUBMITTED, reviewer=None, reviewed_at=None, review_comment="")
    expense.save()
    return expense


def _review(actor: Any, expense: Expense, version: int | None) -> Expense:
    require(actor, P.APPROVE_EXPENSE, expense.project)
    expense = _locked(Expense, expense.pk)
    check_version(expense.version, version)
    if expense.claimant_id == actor.pk:
        raise PermissionDenied(MSG_OWN_EXPENSE, code="own_expense")
    if expense.status != ExpenseStatus.SUBMITTED:
        raise ValidationFailed(
            MSG_NOT_SUBMITTED, code="expense_state", fields={"status": [MSG_NOT_SUBMITTED]}
        )
    return expense


@transaction.atomic
def expense_approve(*, actor: Any, expense: Expense, version: int | None) -> Expense:
    """Approve a submitted expense: from now on it is actual cost."""
    expense = _review(actor, expense, version)
    expense.bump(
        status=ExpenseStatus.APPROVED, reviewer=actor, reviewed_at=timezone.now(), review_comment=""
    )
    expense.save()
    return expense


@transaction.atomic
def expense_reject(*, actor: Any, expense: Expense, version: int | None, reason: str) -> Expense:
    """Send a submitted expense back with the reason; the claimant corrects and resubmits."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [MSG_REASON]})
    if len(reason) > REASON_LENGTH:
        raise ValidationFailed(fields={"reason": [MSG_REASON_LONG % {"max": REASON_LENGTH}]})
    expense = _review(actor, expense, version)
    expense.bump(
        status=ExpenseStatus.REJECTED,
        reviewer=actor,
        reviewed_at=timezone.now(),
        review_comment=reason,
    )
    validate_instance(expense, exclude=["project", "task", "claimant", "reviewer", "receipt"])
    expense.save()
    return expense
