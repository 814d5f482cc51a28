"""The place and process analysis and the neighbour letter runs as stored documents
(naboskap.documents), rendered by the worker and sent from storage.

Place analysis: one document per version. The draft changes with every edit
(`places.services` report each one); an approved version changes only when its map does:
the project's site, the neighbour list drawn around it, or the base map (`MAP_TILE_URL`),
which the fingerprint reads.

Letter runs: the letters to a neighbour list for a meeting, made once when a coordinator
asks (`places.services.letters_send` logs the run), in parts of `LETTERS_PER_PART` that
workers render side by side, for that coordinator only, and deleted after a day.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.lib.pdf import render_pdf
from naboskap.meetings.models import Meeting
from naboskap.projects.models import Project
from naboskap.stakeholders.models import NeighbourEntry, PlaceAnalysis

PLACE = "stakeholders.place"
LETTER_RUN = "stakeholders.letters"
LETTERS_PER_PART = 200


# Place and process analysis ----------------------------------------------------------------


def _place_render(job: Job) -> bytes:
    # Local: places.services reports its changes through this module (an import cycle).
    from naboskap.stakeholders.places.selectors import analysis_context

    analysis = PlaceAnalysis.objects.select_related(
        "project__municipality", "published_by", "created_by"
    ).get(pk=job.obj.pk)
    context = analysis_context(analysis.project, analysis, pdf=True)
    return render_pdf("stakeholders/place_pdf.html", context)


def _place_shown(analysis: PlaceAnalysis, variant: str) -> str:
    project = analysis.project
    neighbours = NeighbourEntry.objects.filter(neighbour_list__project=project).aggregate(
        count=Count("pk", filter=Q(removed=False)),
        last=Max("pk"),
        computed=Max("neighbour_list__computed_at"),
        radius=Max("neighbour_list__radius_m"),
    )
    return (
        f"{project.latitude}|{project.longitude}|{project.name}|{project.slug}|"
        f"{project.municipality.name}|{sorted(neighbours.items())}|{settings.MAP_TILE_URL}"
    )


def place_filename(analysis: PlaceAnalysis, variant: str = "", part: int = 1) -> str:
    project = analysis.project
    return f"stedsanalyse-{project.slug or project.pk}-v{analysis.version}.pdf"


register(
    Kind(
        name=PLACE,
        model=PlaceAnalysis,
        label=_("Place and process analysis"),
        render=_place_render,
        filename=place_filename,
        municipality_id=lambda analysis: analysis.project.municipality_id,
        project_id=lambda analysis: analysis.project_id,
        fingerprint=_place_shown,
        ahead=True,
    )
)


# Letter runs -------------------------------------------------------------------------------


def letter_run_parts(letters: list, *, meeting: Meeting, letter_date: datetime.date) -> list:
    """A run's parameters, part by part: the letters as printed (address, heading,
    paragraphs), the meeting they invite to and the date they carry."""
    parts = []
    for start in range(0, len(letters), LETTERS_PER_PART):
        chunk = letters[start : start + LETTERS_PER_PART]
        parts.append(
            {
                "count": len(chunk),
                "meeting": meeting.pk,
                "letter_date": letter_date.isoformat(),
                "letters": [
                    {
                        "address": letter.address,
                        "heading": letter.heading,
                        "paragraphs": letter.paragraphs,
                        "show_facts": letter.show_facts,
                    }
                    for letter in chunk
                ],
            }
        )
    return parts


def _letters_render(job: Job) -> bytes:
    # Local: places.services reports its changes through this module (an import cycle).
    from naboskap.stakeholders.places.services import Letter

    project = Project.objects.select_related("municipality", "responsible_unit").get(pk=job.obj.pk)
    meeting = Meeting.objects.filter(pk=job.params["meeting"], project=project).first()
    job.progress(0, job.params["count"])
    context = {
        "project": project,
        "meeting": meeting,
        "letters": [Letter(**letter) for letter in job.params["letters"]],
        "letter_date": datetime.date.fromisoformat(job.params["letter_date"]),
    }
    return render_pdf("stakeholders/letters_pdf.html", context)


def letters_filename(project: Project, variant: str, part: int = 1) -> str:
    return f"nabobrev-{project.slug or project.pk}-{variant[:6]}-del-{part}.pdf"


register(
    Kind(
        name=LETTER_RUN,
        model=Project,
        label=_("Invitation letters"),
        render=_letters_render,
        filename=letters_filename,
        municipality_id=lambda project: project.municipality_id,
        project_id=lambda project: project.pk,
        run=True,
    )
)
