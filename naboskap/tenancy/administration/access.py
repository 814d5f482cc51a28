"""Access for the municipality administrator's pages (`/app/administrasjon/`).

The pages work in the municipality the user works in now (`get_staff_municipality`);
anyone who is not its administrator gets 403. Members, invitations and units are then fetched within
that municipality, so another municipality's rows answer 404.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404

from naboskap.tenancy.access import get_staff_municipality
from naboskap.tenancy.models import Invitation, Unit

User = get_user_model()


MANAGE = "tenancy.manage_municipality"


def get_member_for_admin(request, user_pk: int):
    """(municipality, user) for a user with a role in the administered municipality."""
    municipality = get_staff_municipality(request, MANAGE)
    members = User.objects.filter(memberships__municipality=municipality).distinct()
    return municipality, get_object_or_404(members, pk=user_pk)


def get_invitation_for_admin(request, invitation_pk: int):
    municipality = get_staff_municipality(request, MANAGE)
    return municipality, get_object_or_404(Invitation, pk=invitation_pk, municipality=municipality)


def get_unit_for_admin(request, unit_pk: int):
    municipality = get_staff_municipality(request, MANAGE)
    return municipality, get_object_or_404(
        Unit.objects.select_related("lead"), pk=unit_pk, municipality=municipality
    )
