"""Operations that change tenancy's rows."""

from __future__ import annotations

from django.db import transaction

from naboskap.tenancy.models import Municipality, Profile

# A staff member's own profile ----------------------------------------------------------------


@transaction.atomic
def profile_choose_municipality(*, user, municipality: Municipality) -> Profile:
    """Remember the municipality the user works in. The caller has checked the membership."""
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.municipality_id != municipality.pk:
        profile.municipality = municipality
        profile.save(update_fields=["municipality"])
    profile.municipality = municipality
    return profile


@transaction.atomic
def profile_edit(*, user, first_name: str, last_name: str, language: str) -> Profile:
    """Change the user's name and their own language ("" for the municipality's)."""
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    profile.language = language
    profile.full_clean()
    profile.save(update_fields=["language"])
    user.first_name = first_name
    user.last_name = last_name
    user.save(update_fields=["first_name", "last_name"])
    return profile
