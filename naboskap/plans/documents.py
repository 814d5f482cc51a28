"""The action and collaboration plan as a stored document (naboskap.documents): rendered by
the worker when a measure changes (`services` report each change), kept per filter (its
variant, e.g. `status=planned&unit=3`) and language, and sent from storage.

Every change to a measure saves it (`Measure.updated_at`), so the fingerprint reads the
measures' count and latest change, and how many are overdue: a measure whose due date
passes makes the plan stale the next day without anyone changing it. The project's name
and address are printed too.
"""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.plans import selectors
from naboskap.plans.models import Measure
from naboskap.plans.plan import plan_context
from naboskap.projects.models import Project

PLAN = "plans.plan"


def _render(job: Job) -> bytes:
    project = Project.objects.select_related("municipality").get(pk=job.obj.pk)
    return render_pdf("plans/plan_pdf.html", plan_context(project, QueryDict(job.variant)))


def _shown(project: Project, variant: str) -> str:
    measures = Measure.objects.filter(project=project).aggregate(
        count=Count("pk"),
        changed=Max("updated_at"),
        overdue=Count("pk", filter=selectors.overdue_filter()),
    )
    return (
        f"{measures['count']}|{measures['changed']}|{measures['overdue']}|"
        f"{project.name}|{project.slug}|{project.address}|{project.municipality.name}"
    )


def filename(project: Project, variant: str = "", part: int = 1) -> str:
    return f"tiltaksplan-{project.slug}.pdf"


register(
    Kind(
        name=PLAN,
        model=Project,
        label=_("Action and collaboration plan"),
        render=_render,
        filename=filename,
        municipality_id=lambda project: project.municipality_id,
        project_id=lambda project: project.pk,
        fingerprint=_shown,
        ahead=True,
    )
)
