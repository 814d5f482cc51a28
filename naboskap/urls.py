from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from naboskap.lib.metrics import metrics
from naboskap.portal.views import healthz, public_endpoint
from naboskap.tenancy.session_views import logout_everywhere

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # 404 unless METRICS_ENABLED is on and the caller is allowed (naboskap.lib.metrics).
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", public_endpoint(set_language), name="set_language"),
    path("app/meldinger/", include("naboskap.concerns.urls")),
    path("app/sok/", include("naboskap.search.urls")),
    path("app/", include("naboskap.plans.urls")),
    path("app/", include("naboskap.plans.inputs.urls")),
    path("app/", include("naboskap.risk.urls")),
    path("app/", include("naboskap.meetings.urls")),
    path("app/", include("naboskap.projects.urls")),
    path("app/", include("naboskap.routines.urls")),
    path("app/", include("naboskap.facility.urls")),
    path("app/", include("naboskap.insights.urls")),
    path("app/", include("naboskap.reports.urls")),
    path("app/", include("naboskap.situation.urls")),
    path("app/", include("naboskap.stakeholders.urls")),
    path("app/", include("naboskap.privacy.urls")),
    path("app/", include("naboskap.tenancy.urls")),
    path("app/", include("naboskap.api.token_urls")),
    path("app/", include("naboskap.whatworks.urls")),
    path("app/administrasjon/", include("naboskap.tenancy.administration.urls")),
    path("app/administrasjon/jobber/", include("naboskap.scheduling.urls")),
    path("app/administrasjon/e-post/", include("naboskap.outbox.urls")),
    path("app/administrasjon/webhooks/", include("naboskap.webhooks.urls")),
    path("app/administrasjon/arkiv/", include("naboskap.archive.urls")),
    path("invitasjon/", include("naboskap.tenancy.invitations.urls")),
    path("app/logg-ut-overalt/", logout_everywhere, name="logout_everywhere"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("open311/v2/", include("naboskap.api.urls")),
    path("api/v1/", include("naboskap.api.rest.urls")),
    path("", include("naboskap.portal.urls")),
]
