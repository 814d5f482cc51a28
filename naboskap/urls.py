from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from naboskap.portal.views import healthz, public_endpoint

admin.site.site_header = _("Naboskap administration")
admin.site.site_title = _("Naboskap")
# The admin logs in through allauth, so its two-step stage applies there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", public_endpoint(set_language), name="set_language"),
    path("app/meldinger/", include("naboskap.concerns.urls")),
    path("app/", include("naboskap.plans.urls")),
    path("app/", include("naboskap.plans.input_urls")),
    path("app/", include("naboskap.risk.urls")),
    path("app/", include("naboskap.meetings.urls")),
    path("app/", include("naboskap.projects.urls")),
    path("app/", include("naboskap.routines.urls")),
    path("app/", include("naboskap.facility.urls")),
    path("app/", include("naboskap.insights.urls")),
    path("app/", include("naboskap.reports.urls")),
    path("app/", include("naboskap.situation.urls")),
    path("app/", include("naboskap.stakeholders.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("open311/v2/", include("naboskap.api.urls")),
    path("", include("naboskap.portal.urls")),
]
