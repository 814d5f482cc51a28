"""Forms of the neighbour list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.stakeholders.models import (
    RADIUS_DEFAULT_M,
    RADIUS_MAX_M,
    RADIUS_MIN_M,
    Address,
)


class RadiusForm(forms.Form):
    radius_m = forms.IntegerField(
        label=_("Radius (metres)"),
        initial=RADIUS_DEFAULT_M,
        min_value=RADIUS_MIN_M,
        max_value=RADIUS_MAX_M,
        help_text=_("Between 10 and 2,000 metres."),
        error_messages={
            "min_value": _("The radius must be at least %(limit_value)s metres."),
            "max_value": _(
                "The radius can be at most %(limit_value)s metres (2 km). For a wider area, "
                "add addresses by hand."
            ),
            "invalid": _("Enter the radius in whole metres, for example 200."),
        },
    )


class AddressSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Street and number"),
        max_length=100,
        help_text=_("For example: Lindeveien 12B"),
    )


class AddAddressForm(forms.Form):
    address = forms.ModelChoiceField(queryset=Address.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].queryset = Address.objects.filter(municipality=municipality)
        self.fields["address"].error_messages["invalid_choice"] = _(
            "That address is not in the municipality's register."
        )
