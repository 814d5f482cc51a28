"""The one way staff views fetch assessments: 404 outside the user's reach, 403 within it."""

from django.http import Http404

from naboskap.projects.access import get_project_for_user
from naboskap.situation.models import Assessment, AssessmentVersion

VIEW = "situation.view_picture"


def get_assessment_for_user(user, project_pk: int, pk: int, perm: str = VIEW) -> Assessment:
    project = get_project_for_user(user, project_pk, perm)
    assessment = Assessment.objects.filter(pk=pk, project=project).first()
    if assessment is None:
        raise Http404
    assessment.project = project  # already loaded, with its municipality
    return assessment


def get_version(assessment: Assessment, number: int | None = None) -> AssessmentVersion:
    """A version of the assessment (the current one without a number), with its sign-offs."""
    number = assessment.version if number is None else number
    version = (
        AssessmentVersion.objects.select_related("written_by")
        .prefetch_related("sign_offs")
        .filter(assessment=assessment, number=number)
        .first()
    )
    if version is None:
        raise Http404
    version.assessment = assessment
    return version
