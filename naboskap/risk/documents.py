"""The ROS report as a stored document (naboskap.documents): rendered by the worker whenever
the analysis changes (`services` report each change), kept, and sent from storage.

Beyond the changes `services` report, the report shows the measures of its events (made
and changed in `plans`), how many concerns were linked to its events in the last twelve
months, its newer revisions, and the project's and municipality's names: the fingerprint
reads those (three small queries).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.plans.models import Measure
from naboskap.risk import report
from naboskap.risk.models import Analysis, UnwantedEvent
from naboskap.risk.selectors import OBSERVED_DAYS

REPORT = "risk.report"


def report_pdf(analysis: Analysis) -> bytes:
    """The report as PDF/A-2b in the active language (what the worker renders)."""
    context = report.report_context(analysis)
    context["today"] = timezone.localdate()
    return render_pdf("risk/report_pdf.html", context)


def _render(job: Job) -> bytes:
    analysis = Analysis.objects.select_related(
        "project__municipality", "scale_version__scale", "approved_by", "previous"
    ).get(pk=job.obj.pk)
    return report_pdf(analysis)


def _shown(analysis: Analysis, variant: str) -> str:
    measures = Measure.objects.filter(
        unwanted_event__analysis__series=analysis.series,
        unwanted_event__analysis__revision__lte=analysis.revision,
    ).aggregate(count=Count("pk"), changed=Max("updated_at"))
    since = timezone.now() - timedelta(days=OBSERVED_DAYS)
    recent = Q(concerns__created_at__gte=since) & ~Q(concerns__status="cancelled")
    observed = UnwantedEvent.objects.filter(analysis__series=analysis.series).aggregate(
        count=Count("concerns", filter=recent)
    )
    revisions = Analysis.objects.filter(series=analysis.series).count()
    project = analysis.project
    return (
        f"{measures['count']}|{measures['changed']}|{observed['count']}|{revisions}|"
        f"{project.name}|{project.slug}|{project.municipality.name}"
    )


def filename(analysis: Analysis, variant: str = "", part: int = 1) -> str:
    return f"ros-rapport-{analysis.project.slug}-revisjon-{analysis.revision}.pdf"


register(
    Kind(
        name=REPORT,
        model=Analysis,
        label=_("ROS report"),
        render=_render,
        filename=filename,
        municipality_id=lambda analysis: analysis.project.municipality_id,
        project_id=lambda analysis: analysis.project_id,
        fingerprint=_shown,
        ahead=True,
    )
)
