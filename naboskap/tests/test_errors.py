"""One base for service refusals, and one way a view shows them (issue 20)."""

import importlib
import inspect
import pkgutil

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

import naboskap
from naboskap.lib.errors import DomainError, show_error


class PeriodForm(forms.Form):
    period_end = forms.DateField(required=False)
    note = forms.CharField(required=False)


def a_request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_text_is_the_messages_as_the_user_reads_them():
    assert str(DomainError("The period ends before it starts.")) == (
        "The period ends before it starts."
    )
    assert str(DomainError(["One.", "Two."])) == "One. Two."


def test_on_a_form_each_field_gets_its_own_and_the_rest_goes_above_it():
    form = PeriodForm({})
    assert form.is_valid()
    error = DomainError({"period_end": "Too late.", "elsewhere": "Not a field of this form."})
    show_error(a_request(), error, form)
    assert form.errors["period_end"] == ["Too late."]
    assert form.non_field_errors() == ["Not a field of this form."]


def test_a_plain_message_goes_above_the_form_or_on_the_field_asked_for():
    form = PeriodForm({})
    form.is_valid()
    show_error(a_request(), DomainError("Refused."), form)
    show_error(a_request(), DomainError("On the note."), form, field="note")
    assert form.non_field_errors() == ["Refused."]
    assert form.errors["note"] == ["On the note."]


def test_without_a_form_each_message_is_an_error_message():
    request = a_request()
    show_error(request, DomainError(["One.", "Two."]))
    shown = [(m.level_tag, m.message) for m in get_messages(request)]
    assert shown == [("error", "One."), ("error", "Two.")]


def service_errors():
    """Every exception class named *Error defined in an app's services or access module."""
    found = {}
    for module in pkgutil.walk_packages(naboskap.__path__, "naboskap."):
        name = module.name
        if (
            ".tests" in name
            or ".migrations" in name
            or name.split(".")[-1] not in {"services", "selectors", "schema", "files"}
        ):
            continue
        loaded = importlib.import_module(name)
        for attr, value in vars(loaded).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Exception)
                and value.__module__ == name
                and attr.endswith(("Error", "Problem", "Refused", "Closed"))
            ):
                found[f"{name}.{attr}"] = value
    return found


def test_every_service_error_is_a_domain_error():
    errors = service_errors()
    assert "naboskap.plans.services.PlanError" in errors
    assert len(errors) >= 14
    assert [name for name, cls in errors.items() if not issubclass(cls, DomainError)] == []


def test_a_row_error_keeps_its_column_and_message():
    from naboskap.stakeholders.register.files import RowError

    error = RowError("navn", "The name is missing.")
    assert (error.column, error.message) == ("navn", "The name is missing.")
    assert str(error) == "The name is missing."
