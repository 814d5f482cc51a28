from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders every form with Designsystemet markup (templates/forms/)."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
