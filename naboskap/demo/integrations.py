"""The demo's integrations: API tokens a coordinator made for the political reporting (one in
use, one revoked), and the municipality's website registered for webhooks but not switched
on yet (so the demo sends nothing to an address that does not exist)."""

from datetime import timedelta

from django.utils import timezone

from naboskap.api import services as api_services
from naboskap.api.models import READ, ApiToken, Area, scope
from naboskap.lib import events
from naboskap.webhooks import services as webhook_services


def load_integrations(projects, users) -> None:
    coordinator, admin = users["koordinator"], users["admin"]
    now = timezone.now()
    report, _secret = api_services.token_create(
        user=coordinator,
        name="Power BI-rapport til formannskapet",
        scopes=[scope(area, READ) for area in (Area.MEASURES, Area.MEETINGS, Area.SURVEYS)],
        expires_at=now + timedelta(days=70),
    )
    tried, _secret = api_services.token_create(
        user=coordinator,
        name="Testskript fra IT",
        scopes=[scope(Area.CONCERNS, READ)],
        expires_at=now + timedelta(days=25),
    )
    api_services.token_revoke(token=tried)
    # Made twenty days ago and used by the report's nightly refresh.
    ApiToken.objects.filter(pk=report.pk).update(
        created_at=now - timedelta(days=20), last_used_at=now - timedelta(hours=7)
    )
    ApiToken.objects.filter(pk=tried.pk).update(
        created_at=now - timedelta(days=5),
        last_used_at=now - timedelta(days=5),
        revoked_at=now - timedelta(days=4),
    )
    municipality = projects["lindeveien"].municipality
    website, _secret = webhook_services.endpoint_create(
        municipality=municipality,
        name="Kommunens nettside (møter og tiltak)",
        url="https://www.fjordvik.example/naboskap/hendelser",
        events=[events.MINUTES_APPROVED, events.MEASURE_CHANGED],
        user=coordinator,
        by=admin,
    )
    webhook_services.endpoint_update(endpoint=website, active=False)
