"""A status report's PDF as a stored document (naboskap.documents): rendered once by the
worker from the report's stored text, in the language the report was made in, and kept.

A report never changes (ADR 0022), so its fingerprint is constant: once stored, its PDF is
current for good. `services.report_create` reports the new report, which renders it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.reports.models import StatusReport

STATUS_REPORT = "reports.status_report"


def report_pdf_bytes(report: StatusReport) -> bytes:
    with translation.override(report.language):
        return render_pdf("reports/report_pdf.html", {"report": report})


def _render(job: Job) -> bytes:
    report = StatusReport.objects.select_related("municipality", "project").get(pk=job.obj.pk)
    return report_pdf_bytes(report)


def filename(report: StatusReport, variant: str = "", part: int = 1) -> str:
    scope = report.project.slug if report.project_id else report.municipality.slug
    return f"statusrapport-{scope}-{report.period_end}.pdf"


register(
    Kind(
        name=STATUS_REPORT,
        model=StatusReport,
        label=_("Status report"),
        render=_render,
        filename=filename,
        municipality_id=lambda report: report.municipality_id,
        project_id=lambda report: report.project_id,
        language=lambda report: report.language,
        ahead=True,
    )
)
