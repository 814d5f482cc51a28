"""System checks for a production deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mfa_required_in_production(app_configs, **kwargs):
    if settings.NABOSKAP_ENV == "production" and not settings.NABOSKAP_MFA_REQUIRED:
        return [
            Warning(
                "Two-step login is off (MFA_REQUIRED=0) in production.",
                hint="Staff and the Django admin open personal data with a password alone. "
                "Set MFA_REQUIRED=1 (the default).",
                id="naboskap.W001",
            )
        ]
    return []
