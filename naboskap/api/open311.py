"""Open311 GeoReport v2 at `/open311/v2/`: concern categories as services, concerns as
service requests.

Reports come in through `concerns.services.concern_submit`, the same operation as the public
form. What goes out is public: category, project, status and dates, never what the reporter
wrote, where, or who they are. Errors use the specification's format, in JSON or XML after the
format suffix (`[{"code": 400, "description": "…"}]`, `<errors><error>…</error></errors>`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time, timedelta
from functools import wraps

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from phonenumber_field.formfields import PhoneNumberField

from naboskap.api.services import api_key_check
from naboskap.concerns import services
from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import OPEN, CancelReason, Status
from naboskap.lib.ratelimits import open311_write_rate, rate_window, read_rate
from naboskap.maps.coordinates import in_norway
from naboskap.maps.geo import PositionError
from naboskap.projects.selectors import public_projects
from naboskap.stakeholders import sources

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 100
CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")
REFERENCE = re.compile(r"[0-9]{4}-[0-9]{1,10}")
# Spam is not listed at all; other cancelled concerns are listed as closed.
HIDDEN = Q(status=Status.CANCELLED, cancel_reason=CancelReason.SPAM)


class ApiError(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


# Rendering -------------------------------------------------------------------------------


def xml_element(parent, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, list):
        for item in value:
            xml_element(element, "attribute", item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            xml_element(element, key, inner)
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, item: str, rows, status: int = 200) -> HttpResponse:
    """A list of rows as a JSON array, or as `<root><item>…</item>…</root>`."""
    if fmt == "xml":
        tree = ET.Element(root)
        for row in rows:
            xml_element(tree, item, row)
        body = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
    else:
        body = json.dumps(rows, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=FORMATS[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, code: int, description: str) -> HttpResponse:
    rows = [{"code": code, "description": description}]
    return render(fmt if fmt in FORMATS else "json", "errors", "error", rows, status=code)


def api_view(view):
    """Format suffix, municipality, rate limits and errors for every Open311 endpoint.

    Every endpoint has the public read limit per address; a POST also the write limit, per
    API key (per address when no key is given).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, fmt: str = "json", **kwargs):
        fmt = fmt.lower()
        try:
            if fmt not in FORMATS:
                raise ApiError(400, "Unknown format. Use .json or .xml.")
            if request.method not in {"GET", "HEAD", "POST"}:
                raise ApiError(405, "Method not allowed.")
            if limited(request):
                return too_many(request, fmt)
            try:
                municipality = request.municipality
                if not municipality:
                    raise Http404
            except Http404:
                raise ApiError(404, "No municipality at this address.") from None
            return view(request, fmt, municipality, **kwargs)
        except ApiError as exc:
            return error(fmt, exc.code, exc.description)
        except Http404:
            return error(fmt, 404, "Not found.")

    return csrf_exempt(wrapper)


def too_many(request: HttpRequest, fmt: str) -> HttpResponse:
    """429 with the real window of the limit that was reached (the write limit's for a POST)."""
    rate = (
        open311_write_rate(None, request) if request.method == "POST" else settings.PUBLIC_READ_RATE
    )
    seconds = rate_window(rate)
    response = error(fmt, 429, f"Too many requests. Try again within {seconds} seconds.")
    response["Retry-After"] = str(seconds)
    return response


def write_key(group, request) -> str:
    raw = request.POST.get("api_key", "")
    if raw:
        return "key:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return "ip:" + (request.META.get("REMOTE_ADDR") or "")


def limited(request: HttpRequest) -> bool:
    read = is_ratelimited(
        request, group="open311.read", key="ip", rate=read_rate, method=ALL, increment=True
    )
    if request.method != "POST":
        return read
    write = is_ratelimited(
        request,
        group="open311.write",
        key=write_key,
        rate=open311_write_rate,
        method="POST",
        increment=True,
    )
    return read or write


# Services ---------------------------------------------------------------------------------


def active_categories(municipality):
    if not Category.objects.filter(municipality=municipality).exists():
        services.categories_ensure_defaults(municipality=municipality)
    return Category.objects.filter(municipality=municipality, active=True)


def service_row(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@api_view
def service_list(request, fmt, municipality):
    if request.method == "POST":
        raise ApiError(405, "Method not allowed.")
    rows = [service_row(category) for category in active_categories(municipality)]
    return render(fmt, "services", "service", rows)


@api_view
def service_definition(request, fmt, municipality, code: str):
    if request.method == "POST":
        raise ApiError(405, "Method not allowed.")
    category = None
    if CODE.fullmatch(code):
        category = active_categories(municipality).filter(code=code).first()
    if category is None:
        raise ApiError(404, f"There is no service with the code {code!r}.")
    definition = {"service_code": category.code, "attributes": []}
    if fmt == "xml":
        tree = ET.Element("service_definition")
        xml_element(tree, "service_code", category.code)
        ET.SubElement(tree, "attributes")
        body = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
        return HttpResponse(body, content_type=FORMATS["xml"])
    return HttpResponse(json.dumps(definition), content_type=FORMATS["json"])


# Service requests: reading ----------------------------------------------------------------


def public_status(status: str) -> str:
    return "open" if status in OPEN else "closed"


def iso(value) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def expected(day) -> str | None:
    """The answer date as a datetime: the end of that day, local time."""
    if day is None:
        return None
    end = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return end.isoformat(timespec="seconds")


def request_row(concern: Concern) -> dict:
    """Only what may be public: never the description, the place, or the reporter."""
    return {
        "service_request_id": concern.reference,
        "status": public_status(concern.status),
        "service_code": concern.category.code,
        "service_name": concern.category.label,
        "project": concern.project.name if concern.project is not None else None,
        "requested_datetime": iso(concern.created_at),
        "updated_datetime": iso(concern.updated or concern.created_at),
        "expected_datetime": expected(concern.answer_due),
    }


def public_concerns(municipality):
    return (
        Concern.objects.filter(municipality=municipality)
        .exclude(HIDDEN)
        .select_related("category", "project")
        .annotate(updated=Max("history__changed_at"))
        .only(
            "reference",
            "status",
            "created_at",
            "answer_due",
            "category__code",
            "category__name",
            "project__name",
        )
    )


def parse_date(value: str, name: str) -> datetime:
    parsed = None
    with contextlib.suppress(ValueError, OverflowError):
        parsed = parse_datetime(value.strip())
    if parsed is None:
        raise ApiError(
            400, f"{name} must be an ISO 8601 date and time, like 2026-05-01T12:00:00+02:00."
        )
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ApiError(400, f"{name} is out of range.") from None


def date_range(params) -> tuple[datetime, datetime]:
    start = params.get("start_date", "").strip()
    end = params.get("end_date", "").strip()
    end_at = parse_date(end, "end_date") if end else None
    start_at = parse_date(start, "start_date") if start else None
    try:
        if start_at is None and end_at is None:
            end_at = timezone.now()
        if start_at is None:
            start_at = end_at - MAX_RANGE
        elif end_at is None:
            end_at = start_at + MAX_RANGE
    except OverflowError:
        raise ApiError(400, "start_date or end_date is out of range.") from None
    if start_at > end_at:
        raise ApiError(400, "start_date must be before end_date.")
    if end_at - start_at > MAX_RANGE:
        raise ApiError(400, "start_date and end_date may be at most 90 days apart.")
    return start_at, end_at


def filtered(concerns, params):
    for name, value in params.items():
        if "\x00" in name or "\x00" in value:
            raise ApiError(400, "Parameters may not contain NUL characters.")
    ids = params.get("service_request_id", "").strip()
    if ids:
        # The specification: with service_request_id, the other filters are ignored.
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        if len(wanted) > MAX_IDS or not all(REFERENCE.fullmatch(part) for part in wanted):
            raise ApiError(
                400, f"service_request_id must be up to {MAX_IDS} references, like 2026-000123."
            )
        return concerns.filter(reference__in=wanted)
    codes = [part.strip() for part in params.get("service_code", "").split(",") if part.strip()]
    if codes:
        if len(codes) > MAX_IDS or not all(CODE.fullmatch(code) for code in codes):
            raise ApiError(400, "service_code must be one or more service codes.")
        concerns = concerns.filter(category__code__in=codes)
    statuses = {part.strip() for part in params.get("status", "").split(",") if part.strip()}
    if statuses - {"open", "closed"}:
        raise ApiError(400, "status must be open or closed (or both, comma-separated).")
    if statuses == {"open"}:
        concerns = concerns.filter(status__in=OPEN)
    elif statuses == {"closed"}:
        concerns = concerns.exclude(status__in=OPEN)
    start_at, end_at = date_range(params)
    return concerns.filter(created_at__gte=start_at, created_at__lte=end_at)


@api_view
def requests_view(request, fmt, municipality):
    if request.method == "POST":
        return submit(request, fmt, municipality)
    concerns = filtered(public_concerns(municipality), request.GET)
    rows = [request_row(concern) for concern in concerns[:MAX_RESULTS]]
    return render(fmt, "service_requests", "request", rows)


@api_view
def request_detail(request, fmt, municipality, reference: str):
    if request.method == "POST":
        raise ApiError(405, "Method not allowed.")
    concern = None
    if REFERENCE.fullmatch(reference):
        concern = public_concerns(municipality).filter(reference=reference).first()
    if concern is None:
        raise ApiError(404, f"There is no service request {reference!r}.")
    return render(fmt, "service_requests", "request", [request_row(concern)])


# Service requests: reporting --------------------------------------------------------------


class RequestForm(forms.Form):
    """The fields of a POST, checked as the public form checks its own."""

    service_code = forms.CharField(max_length=50)
    description = forms.CharField(max_length=5000)
    address_string = forms.CharField(max_length=200, required=False)
    address_id = forms.CharField(max_length=100, required=False)
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    long = forms.FloatField(min_value=-180, max_value=180, required=False)
    email = forms.EmailField(max_length=254, required=False)
    first_name = forms.CharField(max_length=50, required=False)
    last_name = forms.CharField(max_length=49, required=False)
    phone = PhoneNumberField(region="NO", required=False)
    project = forms.CharField(max_length=100, required=False)
    idempotency_key = forms.CharField(max_length=64, required=False)

    def clean_idempotency_key(self):
        key = self.cleaned_data["idempotency_key"]
        if key and not services.idempotency_key_valid(key):
            raise forms.ValidationError("Use 16 to 64 letters, digits, - or _.")
        return key

    def clean(self):
        cleaned = super().clean()
        one_missing = (cleaned.get("lat") is None) != (cleaned.get("long") is None)
        if one_missing and "lat" not in self.errors and "long" not in self.errors:
            raise forms.ValidationError("Give both lat and long, or neither.")
        located = cleaned.get("lat") is not None or any(
            (cleaned.get(name) or "").strip() for name in ("address_string", "address_id")
        )
        if not self.errors and not located:
            # GeoReport v2: "lat & long, address_string or address_id" is required.
            raise forms.ValidationError(
                "A location is required: give lat and long, address_string or address_id."
            )
        return cleaned


def first_error(form: forms.Form) -> str:
    for field, messages in form.errors.items():
        if field == "__all__":
            return messages[0]
        return f"{field}: {messages[0]}"
    return "The request is not valid."


def fields_of(request: HttpRequest) -> dict:
    data = {name: request.POST.get(name, "") for name in RequestForm.base_fields}
    data["project"] = request.POST.get("attribute[project]") or data["project"]
    data["idempotency_key"] = data["idempotency_key"] or header_key(request)
    return data


def header_key(request: HttpRequest) -> str:
    """The `Idempotency-Key` header's value, bare or as a quoted string (the IETF draft
    writes it as a structured-field string: `Idempotency-Key: "…"`)."""
    value = request.headers.get("Idempotency-Key", "").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value


# A report further than this from every public project is about the area in general.
NEAREST_WITHIN_METRES = 1000


def distance_metres(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """The great-circle distance (haversine), plenty for "which project is nearest"."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(long2 - long1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


def choose_project(municipality, slug: str, lat: float | None = None, long: float | None = None):
    """The project a request is about: the one named (the optional `project` attribute),
    else the public project nearest to lat/long (within NEAREST_WITHIN_METRES), else none:
    the municipality's general intake, routed to its default unit. Never a guess among
    projects, so a standard client needs no attribute at all."""
    projects = public_projects(municipality)
    if slug:
        project = projects.filter(slug=slug).first() if CODE.fullmatch(slug) else None
        if project is None:
            raise ApiError(400, f"There is no public project {slug!r}.")
        return project
    if lat is None or long is None:
        return None
    placed = projects.filter(latitude__isnull=False, longitude__isnull=False).select_related(
        "municipality", "responsible_unit"
    )
    nearest = min(
        (
            (distance_metres(lat, long, float(p.latitude), float(p.longitude)), p.slug, p)
            for p in placed
        ),
        default=None,
        key=lambda item: item[:2],
    )
    if nearest is None or nearest[0] > NEAREST_WITHIN_METRES:
        return None
    return nearest[2]


def stored_key(api_key, data: dict) -> str:
    """The concern's idempotency key, within this API key's own space: the client's key, or
    a hash of everything submitted, so that the same POST twice creates one concern."""
    given = data.get("idempotency_key")
    material = given or json.dumps(
        {name: data.get(name, "") for name in sorted(RequestForm.base_fields)},
        sort_keys=True,
        ensure_ascii=True,
    )
    kind = "key" if given else "content"
    return hashlib.sha256(
        f"open311:{api_key.pk}:{kind}:{material}".encode("utf-8", "surrogatepass")
    ).hexdigest()


def submit(request, fmt, municipality):
    key = api_key_check(municipality=municipality, raw=request.POST.get("api_key", ""))
    if key is None:
        raise ApiError(403, "A valid api_key is required to submit a service request.")
    language = get_language() or "nb"
    field, header = request.POST.get("idempotency_key", ""), header_key(request)
    if field and header and field != header:
        raise ApiError(400, "The Idempotency-Key header and idempotency_key differ: send one.")
    form = RequestForm(fields_of(request))
    with translation.override("en"):  # the specification, and its clients, speak English
        if not form.is_valid():
            raise ApiError(400, first_error(form))
    data = form.cleaned_data
    category = active_categories(municipality).filter(code=data["service_code"]).first()
    if category is None:
        raise ApiError(400, f"There is no service with the code {data['service_code']!r}.")
    project = choose_project(municipality, data["project"], data["lat"], data["long"])
    # lat/long are stored rounded (concern_submit), never as typed text; the place is named
    # by the nearest address in the register when none is given.
    location = data["address_string"]
    if not location and data["lat"] is not None and in_norway(data["lat"], data["long"]):
        nearest = sources.nearest_address(
            municipality=municipality, latitude=data["lat"], longitude=data["long"]
        )
        location = str(nearest) if nearest else ""
    if not location and data["address_id"]:
        location = f"address_id {data['address_id']}"
    phone = str(data["phone"]) if data["phone"] else ""
    if request.POST.get("media_url"):
        raise ApiError(
            400,
            "media_url is not supported: send the photo itself, as a multipart file named "
            "media (JPEG or PNG; several media files are allowed).",
        )
    try:
        with translation.override("en"):
            concern, created = services.concern_submit(
                municipality=municipality,
                project=project,
                category=category,
                idempotency_key=stored_key(key, fields_of(request)),
                description=data["description"],
                location=location,
                latitude=data["lat"],
                longitude=data["long"],
                reporter_name=f"{data['first_name']} {data['last_name']}".strip(),
                reporter_email=data["email"],
                reporter_phone=phone,
                language=language,
                photos=request.FILES.getlist("media"),
                intake_channel=Concern.IntakeChannel.OPEN311,
            )
    except PositionError as exc:
        raise ApiError(400, "lat/long: " + " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise ApiError(400, "media: " + " ".join(exc.messages)) from None
    notice = f"Received. The municipality will answer by {concern.answer_due.isoformat()}."
    if not created:
        notice = "This service request had already been received."
    row = {
        "service_request_id": concern.reference,
        "service_notice": notice,
        "account_id": None,
    }
    return render(fmt, "service_requests", "request", [row], status=201 if created else 200)


@api_view
def not_found(request, fmt, municipality, rest: str = ""):
    raise ApiError(404, "Not found. See /open311/v2/services.json.")
