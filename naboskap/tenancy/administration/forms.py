"""Forms of the municipality administrator's pages and of the invitation link."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from naboskap.tenancy.models import Invitation, Membership, Role, Unit

# A membership may be for one project: tenancy knows the project model only through that
# foreign key (declared by string), not by importing the projects app.
Project = Membership._meta.get_field("project").related_model

User = get_user_model()


def members_of(municipality):
    return (
        User.objects.filter(memberships__municipality=municipality, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, username or email"), required=False, max_length=100
    )


class InviteForm(forms.Form):
    prefix = "invite"
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("Leave empty for roles across the whole municipality."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["project"].queryset = Project.objects.filter(municipality=municipality)
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality).in_use()

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        member = Membership.objects.filter(
            municipality=self.municipality, user__email__iexact=email, user__is_active=True
        )
        if member.exists():
            raise forms.ValidationError(
                _("Someone with this email address is a member already: change their roles.")
            )
        pending = Invitation.objects.filter(
            municipality=self.municipality,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        if pending.exists():
            raise forms.ValidationError(
                _("This address has an open invitation: send it again from the list instead.")
            )
        return email


class RoleRowForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "–"), *Role.choices], required=False)
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Whole municipality"),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, municipality, keep_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(municipality=municipality)
        # Retired units are not offered, except where a role is in one already.
        self.fields["unit"].queryset = Unit.objects.filter(municipality=municipality).filter(
            Q(retired_at__isnull=True) | Q(pk__in=list(keep_units))
        )


class BaseRoleFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            role = form.cleaned_data.get("role")
            if not role:
                continue
            key = (role, getattr(form.cleaned_data.get("project"), "pk", None))
            if key in seen:
                raise forms.ValidationError(_("Each role and project can be given only once."))
            seen.add(key)
        if not seen:
            raise forms.ValidationError(
                _("Choose at least one role, or deactivate the user instead.")
            )

    def roles(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("role")
            and not (self.can_delete and self._should_delete_form(form))
        ]


RoleFormSet = forms.formset_factory(
    RoleRowForm, formset=BaseRoleFormSet, extra=1, can_delete=True, max_num=20, absolute_max=40
)


class DeactivateForm(forms.Form):
    prefix = "deactivate"
    reason = forms.CharField(
        label=_("Note for the log (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MfaResetForm(forms.Form):
    prefix = "mfa"
    reason = forms.CharField(
        label=_("Why is the two-step login reset?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the log, e.g. “lost phone, identity checked by phone call”."),
    )


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "email", "lead"]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        self.fields["lead"].queryset = members_of(municipality)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Unit.objects.filter(municipality=self.instance.municipality, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The municipality has a unit with this name already."))
        return name


class UnitMergeForm(forms.Form):
    prefix = "merge"
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Unit.objects.none(),
        help_text=_(
            "Everything that belongs to this unit moves to the one you choose, and this unit "
            "is removed."
        ),
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Unit.objects.filter(municipality_id=unit.municipality_id).in_use().exclude(pk=unit.pk)
        )


class UnitRetireForm(forms.Form):
    prefix = "retire"
    successor = forms.ModelChoiceField(
        label=_("Unit that takes over its routing"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Required when routing rules or categories send new concerns to this unit."),
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (
            Unit.objects.filter(municipality_id=unit.municipality_id).in_use().exclude(pk=unit.pk)
        )


class LogFilterForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class AcceptInvitationForm(forms.Form):
    """A new account from an invitation: username and password (Django's validators)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken. Choose another."))
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            first, _space, last = self.invitation.name.partition(" ")
            probe = User(
                username=cleaned.get("username", ""),
                email=self.invitation.email,
                first_name=first,
                last_name=last,
            )
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
