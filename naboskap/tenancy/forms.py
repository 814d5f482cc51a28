from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from naboskap.tenancy.models import Profile


class LoginForm(AllauthLoginForm):
    """allauth's login form with a label that says what to type, and no placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Username or email")
        login.widget.attrs["autocomplete"] = "username"
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class MunicipalityChoiceForm(forms.Form):
    """The header's switcher: one of the user's own municipalities."""

    municipality = forms.TypedChoiceField(label=_("Municipality"), coerce=int)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = {m.pk: m for m in municipalities}
        self.fields["municipality"].choices = [(m.pk, m.name) for m in municipalities]

    def chosen(self):
        return self.municipalities[self.cleaned_data["municipality"]]


class ProfileForm(forms.Form):
    """A staff member's own name and language."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("For the staff pages and the emails Naboskap sends you."),
    )

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        default = dict(Profile.UserLanguage.choices).get(
            municipality.default_language if municipality else "", None
        )
        same = (
            _("The municipality's language (%(language)s)") % {"language": default}
            if default
            else _("The municipality's language")
        )
        self.fields["language"].choices = [("", same), *Profile.UserLanguage.choices]
