"""A report as a document: the print HTML that WeasyPrint turns into an A4 PDF, and the
e-mail. Both show the same sections and charts as the page (one template per section)."""

from __future__ import annotations

import logging
import zoneinfo
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import ProgressReport
from .selectors import ReportContent

# WenQuanYi Zen Hei (fonts-wqy-zenhei, installed by the set-up) draws Chinese; first for
# Chinese reports, after DejaVu Sans for the others so Latin text keeps its usual look and
# Chinese names in an English report still render.
FONTS = {
    "zh-hans": '"WenQuanYi Zen Hei", "wqy-zenhei", "Noto Sans CJK SC", "DejaVu Sans", sans-serif',
    "default": '"DejaVu Sans", "WenQuanYi Zen Hei", "wqy-zenhei", "Noto Sans CJK SC", sans-serif',
}


# WeasyPrint reports each step of every PDF at INFO; keep the worker's log for what matters
# (unless the operator configured that logger).
_progress = logging.getLogger("weasyprint.progress")
if _progress.level == logging.NOTSET:
    _progress.setLevel(logging.WARNING)


def font_family(language: str) -> str:
    return FONTS.get(language, FONTS["default"])


def absolute(url: str) -> str:
    base = str(getattr(settings, "KEEL_BASE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if base else url


def pdf_filename(report: ProgressReport) -> str:
    """FIT-2027-W05.pdf, FIT-2027-W05-06.pdf, FIT-2027-02.pdf."""
    code = "".join(c if c.isalnum() or c in "-_" else "-" for c in report.project.code)
    return f"{code}-{report.label.replace('/', '-')}.pdf"


def _context(report: ProgressReport, content: ReportContent, language: str) -> dict[str, Any]:
    return {
        "report": report,
        "project": report.project,
        "content": content,
        "charts": content.charts,
        "language": language,
        "font_family": font_family(language),
        "report_url": (
            absolute(reverse("reporting:report", args=[report.pk])) if report.pk else ""
        ),
        "summary": content.data("summary"),
        "done": content.data("done"),
        "next": content.data("next"),
    }


def _tz(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def print_html(report: ProgressReport, content: ReportContent, *, language: str) -> str:
    with translation.override(language), timezone.override(_tz(report.project.timezone)):
        ctx = _context(report, content, language)
        ctx["for_print"] = True
        ctx["header_left"] = f"{report.project.code} · {report.label}"
        if report.is_issued and report.issued_at is not None:
            when = formats.date_format(timezone.localtime(report.issued_at), "SHORT_DATE_FORMAT")
            ctx["header_right"] = _("Issued %(date)s") % {"date": when}
        else:
            ctx["header_right"] = _("Draft")
        return render_to_string("reporting/print.html", ctx)


def render_pdf(report: ProgressReport, content: ReportContent, *, language: str) -> bytes:
    """The report as an A4 PDF. Nothing is fetched from anywhere: the charts are inline SVG
    and the fonts come from the system (fontconfig)."""
    # Heavy: loaded when a PDF is made. WeasyPrint ships no type information.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    html = print_html(report, content, language=language)
    fetcher = URLFetcher(allowed_protocols=["data"])
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return bytes(pdf)


def email_parts(
    report: ProgressReport,
    content: ReportContent,
    *,
    language: str,
    timezone_name: str | None,
    name: str = "",
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the e-mail of an issued report, in the language and
    the time zone of its recipient."""
    with translation.override(language), timezone.override(_tz(timezone_name)):
        ctx = _context(report, content, language)
        ctx["name"] = name
        subject = render_to_string("reporting/email/subject.txt", ctx)
        text = render_to_string("reporting/email/report.txt", ctx)
        html = render_to_string("reporting/email/report.html", ctx)
    return " ".join(subject.split())[:250], text, html
