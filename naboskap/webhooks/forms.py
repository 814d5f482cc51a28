"""The administrator's form for an endpoint. It validates only; `services` saves."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from naboskap.webhooks import delivery, services
from naboskap.webhooks.models import Event


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Which system it is."))
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are sent, beginning with https://."),
    )
    events = forms.MultipleChoiceField(
        label=pgettext_lazy("webhook", "Events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    user = UserChoice(
        label=_("Integration user"),
        queryset=None,
        help_text=_(
            "An event carries only what the API shows this user, and nothing is sent about "
            "what the user may not see. Choose a user whose roles fit the system."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = delivery.integration_users(municipality)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        services.url_check(url)
        return url
