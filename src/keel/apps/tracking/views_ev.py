"""The earned value dashboard: the engine's measures against the primary baseline, the
S-curves and the SPI/CPI trend as server-drawn charts, and the project's health thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from keel.apps.projects.permissions import ProjectAction, page_flags
from keel.apps.projects.selectors import project_get
from keel.common.errors import KeelError
from keel.common.pages import KeelForm, apply_service_errors, service_errors

from . import selectors, services
from .charts import earned_value_charts

INDEX = {"max_digits": 4, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("2")}


class ThresholdsForm(KeelForm):
    spi_amber = forms.DecimalField(label=gettext_lazy("SPI amber below"), **INDEX)  # type: ignore[arg-type]
    spi_red = forms.DecimalField(label=gettext_lazy("SPI red below"), **INDEX)  # type: ignore[arg-type]
    cpi_amber = forms.DecimalField(label=gettext_lazy("CPI amber below"), **INDEX)  # type: ignore[arg-type]
    cpi_red = forms.DecimalField(label=gettext_lazy("CPI red below"), **INDEX)  # type: ignore[arg-type]
    # 0 while the project uses the defaults (no row yet).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


@login_required
@require_http_methods(["GET", "POST"])
@service_errors
def earned_value(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_get(request.user, pk)
    flags = page_flags(request.user, project)
    thresholds = selectors.thresholds_for(project)
    initial = {
        "spi_amber": thresholds.spi_amber,
        "spi_red": thresholds.spi_red,
        "cpi_amber": thresholds.cpi_amber,
        "cpi_red": thresholds.cpi_red,
        "version": thresholds.version,
    }
    form = ThresholdsForm(initial=initial)
    status = 200
    if request.method == "POST":
        project = project_get(request.user, pk, ProjectAction.EDIT)
        form = ThresholdsForm(request.POST, initial=initial)
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.thresholds_set(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    version=version,
                    values=data,
                )
            except KeelError as exc:
                status = apply_service_errors(form, exc)
            else:
                messages.success(request, _("The health thresholds were saved."))
                return redirect("tracking:earned_value", pk=pk)
    # Money for those who may see it, when the baseline was saved with costs.
    primary = selectors.primary_baseline_cost(project) if flags["can_view_finance"] else None
    unit = "cost" if request.GET.get("unit") == "cost" and primary is not None else "hours"
    report = selectors.earned_value_for(request.user, project, unit=unit)
    ctx: dict[str, Any] = {
        "unit": unit,
        "can_show_cost": primary is not None,
        "project": project,
        "tab": "earned_value",
        "report": report,
        "ev": report.value if report else None,
        "form": form,
        **flags,
    }
    if report is not None:
        ctx.update(earned_value_charts(report))
    return render(request, "tracking/earned_value.html", ctx, status=status)
