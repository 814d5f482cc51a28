"""Access for the municipality administrator's pages (`/app/administrasjon/`).

The pages work in the municipality the user works in now (`staff_municipality`); anyone
who is not its administrator gets 403. Members, invitations and units are then fetched within
that municipality, so another municipality's rows answer 404.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from naboskap.tenancy.models import Invitation, Municipality, Unit
from naboskap.tenancy.selectors import staff_municipality

User = get_user_model()


def administered_municipality(request) -> Municipality:
    """The municipality the user works in, if they administer it; 403 otherwise."""
    municipality = staff_municipality(request)
    if municipality is None or not request.user.has_perm(
        "tenancy.manage_municipality", municipality
    ):
        raise PermissionDenied
    return municipality


def get_member_for_admin(request, user_pk: int):
    """(municipality, user) for a user with a role in the administered municipality."""
    municipality = administered_municipality(request)
    members = User.objects.filter(memberships__municipality=municipality).distinct()
    return municipality, get_object_or_404(members, pk=user_pk)


def get_invitation_for_admin(request, invitation_pk: int):
    municipality = administered_municipality(request)
    return municipality, get_object_or_404(Invitation, pk=invitation_pk, municipality=municipality)


def get_unit_for_admin(request, unit_pk: int):
    municipality = administered_municipality(request)
    return municipality, get_object_or_404(
        Unit.objects.select_related("lead"), pk=unit_pk, municipality=municipality
    )
