from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class FormRenderer(TemplatesSetting):
    """Renders every form with Designsystemet markup (templates/forms/)."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


# Dates -------------------------------------------------------------------------------------
#
# Every date and date-time a person types goes through these fields (or `check_date_range`):
# a year before 1900 or after 2100 is a typing error, and such dates overflow the time zone
# conversion and date arithmetic further on (a 500 where a message belongs).

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
DATE_RANGE_ERROR = _("Give a date between 1900 and 2100.")


def check_date_range(value) -> None:
    """Raise a ValidationError when a date (or date-time) is before 1900 or after 2100."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(DATE_RANGE_ERROR, code="date_range")


class DateField(forms.DateField):
    """A date between 1900 and 2100; the browser's date picker is told the same range."""

    default_validators = [check_date_range]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.setdefault("min", EARLIEST.isoformat())
            attrs.setdefault("max", LATEST.isoformat())
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        check_date_range(value)  # before anything computes with it
        return value


class DateTimeField(forms.DateTimeField):
    """A date and time between 1900 and 2100. Out-of-range years are refused before the
    conversion to the current time zone, which overflows for the year 1."""

    default_validators = [check_date_range]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "datetime-local":
            attrs.setdefault("min", f"{EARLIEST.isoformat()}T00:00")
            attrs.setdefault("max", f"{LATEST.isoformat()}T23:59")
        return attrs

    def to_python(self, value):
        try:
            value = super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(DATE_RANGE_ERROR, code="date_range") from None
        check_date_range(value)
        return value


def bounded_formfield(model_field, **kwargs):
    """A ModelForm's `Meta.formfield_callback`: the model's date and date-time fields become
    the bounded fields above (inherited by subclasses, which make their fields anew)."""
    if isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(model_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)
