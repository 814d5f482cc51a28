"""What every view of the REST API shares: errors as RFC 9457 problem details, cursor
pagination, and the public read limit.

A problem is `{"type": "about:blank", "title", "status", "detail"}` (the title and the detail
in the language asked for with `Accept-Language`), with `errors` per field for a request
that does not validate, sent as `application/problem+json`.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, pagination, serializers, throttling
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from naboskap.concerns.services import idempotency_key_valid
from naboskap.lib.ratelimits import rate_window, read_rate

PROBLEM_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("The request is not valid"),
        401: _("Authentication is needed"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Cannot answer in the format asked for"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        422: _("The request cannot be carried out"),
        429: _("Too many requests"),
    }


def problem_handler(exc, context):
    """DRF's exception handler, answering with a problem details object."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:  # not an API error: Django's 500 handler answers (and logs)
        return None
    status = response.status_code
    problem = {
        "type": "about:blank",
        "title": _titles().get(status, str(getattr(exc, "default_detail", ""))),
        "status": status,
    }
    if isinstance(exc, exceptions.ValidationError):
        problem["detail"] = _("Some fields are not valid: see errors.")
        data = response.data
        problem["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        problem["detail"] = str(response.data["detail"])
    response.data = problem
    response.content_type = PROBLEM_TYPE
    # Always JSON, whatever the view renders otherwise (the schema's YAML) or was asked for.
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = PROBLEM_TYPE
    return response


def form_data(request) -> dict:
    """A write's JSON body, for the page's form that validates it: it must be an object."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return request.data


def form_errors(form) -> exceptions.ValidationError:
    """A Django form's errors (translated) as the API's 400 problem."""
    return exceptions.ValidationError(
        {field: list(errors) for field, errors in form.errors.items()}
    )


class Problem(serializers.Serializer):
    """An error: RFC 9457 problem details (for the schema)."""

    type = serializers.CharField(help_text="Always `about:blank`: the status says what it is.")
    title = serializers.CharField(help_text="What went wrong, in a few words.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(required=False, help_text="What went wrong, in full.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a request that does not validate: the messages per field.",
    )


class Cursor(pagination.CursorPagination):
    """Pages of 50 (`page_size`, up to 200) in a fixed order; `next` and `previous` are
    opaque addresses, stable while rows are added."""

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"


class PublicReadLimit(throttling.BaseThrottle):
    """The public pages' read limit (`PUBLIC_READ_RATE` per client address, on the shared
    cache), shared by every public endpoint of the API."""

    def allow_request(self, request, view) -> bool:
        limited = is_ratelimited(
            request._request, group="api.public", key="ip", rate=read_rate, increment=True
        )
        return not limited

    def wait(self) -> float:
        return rate_window(settings.PUBLIC_READ_RATE)


# Idempotency-Key on creating writes ----------------------------------------------------------
# A client that sends `Idempotency-Key: <16–64 of A–Z a–z 0–9 _ ->` with a POST and repeats it
# (after a timeout, say) gets the first answer again, marked `Idempotent-Replayed: true`, and
# nothing is done twice. The answer is kept for a day on the shared cache, per token.
IDEMPOTENCY_SECONDS = 24 * 3600
IDEMPOTENCY_PENDING_SECONDS = 60


def _idempotency_cache_key(request, key: str) -> str:
    who = getattr(request.auth, "pk", None) or f"user-{request.user.pk}"
    return f"api-idempotency:{who}:{key}"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(handler):
    """Wrap a view's `post` so that a repeated `Idempotency-Key` replays its first answer."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not idempotency_key_valid(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use 16 to 64 letters A–Z, digits, - or _.")]}
            )
        cache_key = _idempotency_cache_key(request, key)
        fingerprint = _fingerprint(request)
        if not cache.add(cache_key, {"pending": fingerprint}, IDEMPOTENCY_PENDING_SECONDS):
            kept = cache.get(cache_key) or {}
            if kept.get("fingerprint", kept.get("pending")) != fingerprint:
                raise IdempotencyMismatch()
            if "pending" in kept:
                raise IdempotencyInProgress()
            response = Response(kept["data"], status=kept["status"])
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            cache.delete(cache_key)
            raise
        if response.status_code < 300:
            kept = {"fingerprint": fingerprint, "status": response.status_code}
            kept["data"] = response.data
            cache.set(cache_key, kept, IDEMPOTENCY_SECONDS)
        else:  # a refused request may be corrected and sent again with the same key
            cache.delete(cache_key)
        return response

    return wrapper


class IdempotencyMismatch(exceptions.APIException):
    status_code = 422
    default_code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(_("This Idempotency-Key was used for another request."))


class IdempotencyInProgress(exceptions.APIException):
    status_code = 409
    default_code = "idempotency_in_progress"

    def __init__(self):
        super().__init__(_("A request with this Idempotency-Key is still being handled."))


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "16 to 64 of A–Z, a–z, 0–9, `-` and `_`. Send the same key again with the same request "
        "(after a timeout, say) and the first answer comes back (`Idempotent-Replayed: "
        "true`); nothing is done twice. Kept for 24 hours."
    ),
    pattern=r"^[A-Za-z0-9_-]{16,64}$",
)
