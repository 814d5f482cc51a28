"""A survey round's single-use codes as a stored document (naboskap.documents): a run made
once when a coordinator asks for codes, in parts of `CODES_PER_PART` that workers render
side by side, for that coordinator only, and deleted after a day.

The worker makes each part's codes itself (`services.codes_generate`, which stores only
their hashes) and prints them on slips with their QR codes, so the plain codes exist only
in the part's PDF. A part that fails leaves hashes of codes nobody knows: they can never
be used, and asking again makes new ones.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from naboskap.documents.registry import Job, Kind, register
from naboskap.insights.models import CODE_FRAGMENT, SurveyRound
from naboskap.lib.pdf import render_pdf
from naboskap.projects.templatetags.letters import letter_qr

CODES = "insights.codes"
CODES_PER_PART = 500


def code_link(link: str, code: str) -> str:
    """The survey's address with the code in the fragment: browsers never send a fragment to
    the server (so the code stays out of access logs and Referer headers); the answer page
    fills the code field from it."""
    return f"{link}#{CODE_FRAGMENT}={code}"


def code_run_parts(count: int, *, link: str, short_address: str, project_address: str) -> list:
    """A run of `count` codes, part by part: how many codes each makes, the number of its
    first slip, and the addresses every slip prints."""
    return [
        {
            "count": min(CODES_PER_PART, count - start),
            "first": start + 1,
            "link": link,
            "short_address": short_address,
            "project_address": project_address,
        }
        for start in range(0, count, CODES_PER_PART)
    ]


def _render(job: Job) -> bytes:
    # Local: services start the run through this module (an import cycle).
    from naboskap.insights.services import codes_generate

    survey_round = SurveyRound.objects.select_related("project__municipality").get(pk=job.obj.pk)
    params = job.params
    count = params["count"]
    # Making the QR codes is about a third of the work, laying out the slips the rest.
    total = 3 * count
    job.progress(0, total)
    slips = []
    for done, code in enumerate(codes_generate(survey_round=survey_round, count=count), 1):
        slips.append((code, letter_qr(code_link(params["link"], code))))
        job.progress(done, total)
    context = {
        "project": survey_round.project,
        "round": survey_round,
        "link": params["link"],
        "short_address": params["short_address"],
        "project_address": params["project_address"],
        "codes": slips,
        "offset": params["first"] - 1,
    }
    return render_pdf("insights/codes_pdf.html", context)


def filename(survey_round: SurveyRound, variant: str, part: int = 1) -> str:
    return f"koder-{survey_round.project.slug}-{survey_round.pk}-del-{part}.pdf"


register(
    Kind(
        name=CODES,
        model=SurveyRound,
        label=_("Single-use codes"),
        render=_render,
        filename=filename,
        municipality_id=lambda survey_round: survey_round.project.municipality_id,
        project_id=lambda survey_round: survey_round.project_id,
        run=True,
    )
)
