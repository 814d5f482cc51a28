"""The one way staff views fetch stakeholders and the register they belong to."""

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from naboskap.stakeholders.models import Organisation, Person
from naboskap.tenancy.selectors import enter_municipality


def get_organisation_for_user(
    user, pk: int, perm: str = "stakeholders.view_organisation"
) -> Organisation:
    organisation = Organisation.objects.select_related("municipality").filter(pk=pk).first()
    if organisation is None or not rules.has_perm(
        "stakeholders.view_organisation", user, organisation
    ):
        raise Http404
    if not rules.has_perm(perm, user, organisation):
        raise PermissionDenied
    enter_municipality(user, organisation.municipality_id)
    return organisation


def get_person_for_user(user, pk: int, perm: str = "stakeholders.view_person") -> Person:
    """404 for a person outside the user's project teams, as if they did not exist."""
    person = (
        Person.objects.select_related("municipality", "organisation")
        .prefetch_related("projects")
        .filter(pk=pk)
        .first()
    )
    if person is None or not rules.has_perm("stakeholders.view_person", user, person):
        raise Http404
    if not rules.has_perm(perm, user, person):
        raise PermissionDenied
    enter_municipality(user, person.municipality_id)
    return person
