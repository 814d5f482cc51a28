from django.urls import path, re_path

from naboskap.api import open311

app_name = "open311"

# The format is the suffix: `.json` or `.xml` (anything else answers 400 in JSON).
urlpatterns = [
    path("services.<str:fmt>", open311.service_list, name="services"),
    re_path(
        r"^services/(?P<code>[^/]+)\.(?P<fmt>[^./]+)$",
        open311.service_definition,
        name="service_definition",
    ),
    path("requests.<str:fmt>", open311.requests_view, name="requests"),
    re_path(
        r"^requests/(?P<reference>[^/]+)\.(?P<fmt>[^./]+)$",
        open311.request_detail,
        name="request",
    ),
    # Anything else below /open311/v2/ answers 404 in the specification's error format.
    re_path(r"^(?P<rest>[\s\S]*)$", open311.not_found, name="not_found"),
]
