"""The form that creates a REST API token: its name, its access per area and its expiry."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from naboskap.api.models import READ, WRITE, Area, scope

EXPIRY_DAYS = (30, 90, 180, 365)
DEFAULT_EXPIRY_DAYS = 90
NO_ACCESS = ""


def _days(days: int):
    return ngettext_lazy("%(count)d day", "%(count)d days", days) % {"count": days}


class TokenForm(forms.Form):
    """A new token: a name, for each area no access, read, or read and change (the write
    scope, which includes reading), and how long it lasts."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Archive system” or “Power BI report”."),
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=[(days, _days(days)) for days in EXPIRY_DAYS],
        initial=DEFAULT_EXPIRY_DAYS,
        widget=forms.RadioSelect,
        help_text=_("After that the token is refused; create a new one when it runs out."),
    )

    ACCESS_CHOICES = [
        (NO_ACCESS, _("No access")),
        (READ, _("Read")),
        (WRITE, _("Read and change")),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in Area:
            self.fields[self.area_field(area)] = forms.ChoiceField(
                label=area.label,
                choices=self.ACCESS_CHOICES,
                required=False,
                initial=NO_ACCESS,
                widget=forms.RadioSelect,
            )
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        self.order_fields(["name", *(self.area_field(area) for area in Area), "expires_in"])

    @staticmethod
    def area_field(area) -> str:
        return f"access_{area}"

    def area_rows(self) -> list:
        """(area label, bound field) per area, for the table of radio buttons."""
        return [(area.label, self[self.area_field(area)]) for area in Area]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(self.area_field(area)) for area in Area):
            raise forms.ValidationError(
                _("Choose what the token may read or change in at least one area."),
                code="no_scope",
            )
        return cleaned

    def scopes(self) -> list[str]:
        """The chosen scopes: `area:read`, or `area:write` for read and change."""
        return [
            scope(area, self.cleaned_data[self.area_field(area)])
            for area in Area.values
            if self.cleaned_data.get(self.area_field(area))
        ]

    def expires_at(self, now):
        return now + timedelta(days=self.cleaned_data["expires_in"])
