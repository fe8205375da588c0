"""Earned value charts, drawn once as SVG: the dashboard shows them and a progress report's
page and PDF embed the same markup."""

from __future__ import annotations

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from keel.common.charts import LineChart, Marker, Series, line_chart_svg

from .selectors import EarnedValueReport


def earned_value_charts(report: EarnedValueReport) -> dict[str, str]:
    """The two charts, drawn once: the page shows them and a report PDF embeds the same SVG."""
    points = report.value.series
    markers = [Marker(report.value.status_date, _("Status date"), "#f59f00")]
    s_curves = LineChart(
        title=_("Planned value, earned value and actual cost"),
        y_label=_("hours of work") if report.unit == "hours" else report.baseline.project.currency,
        series=[
            Series(_("PV"), [(p.end, p.pv) for p in points], "#206bc4"),
            Series(_("EV"), [(p.end, p.ev) for p in points if p.ev is not None], "#2fb344"),
            Series(_("AC"), [(p.end, p.ac) for p in points if p.ac is not None], "#d63939"),
        ],
        markers=markers,
    )
    trend = LineChart(
        title=_("SPI and CPI over time"),
        series=[
            Series(_("SPI"), [(p.end, p.spi) for p in report.trend if p.spi is not None]),
            Series(
                _("CPI"), [(p.end, p.cpi) for p in report.trend if p.cpi is not None], "#ae3ec9"
            ),
        ],
        markers=markers,
        reference=1.0,
    )
    return {
        "s_curve_svg": mark_safe(line_chart_svg(s_curves)),  # noqa: S308  (our SVG, texts escaped)
        "trend_svg": mark_safe(line_chart_svg(trend)),  # noqa: S308
    }
