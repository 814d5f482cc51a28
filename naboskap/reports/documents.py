"""A status report's PDF: rendered once from the report's stored text, and kept.

Both the worker (`tasks.render_report_pdf`, after a report is made) and the download page,
when the worker has not got to it yet, render it through `report_render_pdf`.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation

from naboskap.lib.pdf import render_pdf
from naboskap.reports.models import StatusReport


def report_pdf_bytes(report: StatusReport) -> bytes:
    with translation.override(report.language):
        return render_pdf("reports/report_pdf.html", {"report": report})


def report_render_pdf(*, report: StatusReport) -> StatusReport:
    """Render the report's PDF from its stored text, once: a report that has its PDF keeps
    it. Returns the report with its PDF."""
    if report.pdf:
        return report
    pdf = report_pdf_bytes(report)
    with transaction.atomic():
        locked = StatusReport.objects.select_for_update().get(pk=report.pk)
        if locked.pdf:  # another worker was first
            report.pdf = locked.pdf
            return report
        locked.pdf.save(f"{report.pk}.pdf", ContentFile(pdf), save=False)
        StatusReport.objects.filter(pk=report.pk).update(pdf=locked.pdf.name)
        report.pdf = locked.pdf
    return report
