"""The API's own pages: its index, its schema and documentation, and the problem answered
for any other address below `/api/v1/`."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.decorators import throttle_classes as throttles
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from naboskap.api.rest.conventions import PublicReadLimit

PUBLIC = {
    "authentication_classes": [],
    "permission_classes": [AllowAny],
    "throttle_classes": [PublicReadLimit],
}


def schema_view(view_class, **kwargs):
    """drf-spectacular's schema or documentation view, open to anyone like the public pages."""
    return view_class.as_view(**PUBLIC, **kwargs)


def public_api_view(methods):
    def decorate(function):
        function = throttles([PublicReadLimit])(function)
        function = permission_classes([AllowAny])(function)
        function = authentication_classes([])(function)
        return api_view(methods)(function)

    return decorate


@extend_schema(exclude=True)
@public_api_view(["GET"])
def index(request):
    """Where to start: the schema, its documentation and the collections."""
    return Response(
        {
            "schema": request.build_absolute_uri(reverse("api:schema")),
            "docs": request.build_absolute_uri(reverse("api:docs")),
            "projects": request.build_absolute_uri(reverse("api:projects")),
        }
    )


@extend_schema(exclude=True)
@public_api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def not_found(request, rest: str):
    raise NotFound()
