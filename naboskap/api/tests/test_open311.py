"""Open311 GeoReport v2, through HTTP, as a third-party client sees it."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from naboskap.api.models import ApiKey, hash_key
from naboskap.api.services import api_key_create
from naboskap.concerns import services
from naboskap.concerns.models import Category, Concern
from naboskap.concerns.workflow import CancelReason, Status
from naboskap.maps.coordinates import distances_m
from naboskap.testing.factories import ProjectFactory, make_concern, make_image

BASE = "/open311/v2/"
OTHER = "/k/annenby/open311/v2/"
FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SECRET_TEXT = "Naboen i 2B ropte på barna sine"
SECRET_PLACE = "Lindeveien 7, oppgang B"
SECRET_EMAIL = "hemmelig.nabo@example.org"
SECRET_PHONE = "+4791234567"


@pytest.fixture
def open_limits(settings):
    """Many requests per test: rate limits are tested on their own below."""
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def api_key(world):
    _key, raw = api_key_create(municipality=world.municipality, name="Bymelding-appen")
    return raw


def post(data, path=BASE + "requests.json", client=None):
    return (client or Client()).post(path, data)


def report(api_key, **fields):
    return {
        "api_key": api_key,
        "service_code": "noise",
        "description": "Høy musikk etter midnatt.",
        "attribute[project]": "lindeveien",
        "address_string": "Lindeveien 7",  # GeoReport v2 requires a location
        **fields,
    }


def errors(response, code):
    assert response.status_code == code, response.content
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == code and body[0]["description"]
    return body[0]["description"]


# Services --------------------------------------------------------------------------------


def test_services_json(world):
    response = Client().get(BASE + "services.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    services_ = response.json()
    codes = [service["service_code"] for service in services_]
    assert codes[:2] == ["noise", "traffic"] and "other" in codes
    noise = services_[0]
    assert noise == {
        "service_code": "noise",
        "service_name": "Støy",
        "description": "",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def test_services_xml_and_inactive_categories(world):
    services.categories_ensure_defaults(municipality=world.municipality)
    Category.objects.filter(municipality=world.municipality, code="other").update(active=False)
    response = Client().get(BASE + "services.xml")
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    codes = [service.findtext("service_code") for service in root.findall("service")]
    assert "noise" in codes and "other" not in codes
    assert root.find("service").findtext("metadata") == "false"
    assert root.find("service").findtext("type") == "realtime"


def test_service_definition(world):
    response = Client().get(BASE + "services/noise.json")
    assert response.json() == {"service_code": "noise", "attributes": []}
    root = ET.fromstring(Client().get(BASE + "services/noise.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "noise"
    assert root.find("attributes") is not None
    assert "finnes-ikke" in errors(Client().get(BASE + "services/finnes-ikke.json"), 404)


def test_errors_in_xml_and_unknown_formats(world):
    response = Client().get(BASE + "services/finnes-ikke.xml")
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"
    assert root.find("error").findtext("description")
    assert "json" in errors(Client().get(BASE + "services.html"), 400)
    errors(Client().get(BASE + "requests.csv"), 400)
    errors(Client().get(BASE + "noe-annet"), 404)
    errors(Client().get(BASE + "requests/2026-000001.json"), 404)
    errors(Client().get(BASE + "requests/<script>.json"), 404)
    errors(Client().delete(BASE + "requests.json"), 405)


# Reporting -------------------------------------------------------------------------------


def test_post_creates_a_concern_through_the_form_operation(
    world, api_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            report(
                api_key,
                address_string=SECRET_PLACE,
                email=SECRET_EMAIL,
                first_name="Kari",
                last_name="Nordmann",
                phone="912 34 567",
            )
        )
    assert response.status_code == 201, response.content
    [row] = response.json()
    concern = Concern.objects.get()
    assert row["service_request_id"] == concern.reference
    assert row["account_id"] is None
    assert concern.answer_due.isoformat() in row["service_notice"]
    assert concern.project == world.project and concern.category.code == "noise"
    assert concern.assigned_unit == world.project.responsible_unit  # routed
    assert concern.status == Status.RECEIVED and concern.history.count() == 1
    assert concern.acknowledge_due and concern.answer_due
    assert concern.location == SECRET_PLACE
    assert concern.reporter_name == "Kari Nordmann"
    assert concern.reporter_email == SECRET_EMAIL
    assert str(concern.reporter_phone) == SECRET_PHONE
    assert concern.preferred_channel == Concern.Channel.EMAIL
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert any(path.endswith("concern_received") for path in queued)
    assert ApiKey.objects.get().last_used_at is not None


def test_post_in_xml(world, api_key):
    response = post(report(api_key), path=BASE + "requests.xml")
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.find("request").findtext("service_request_id") == Concern.objects.get().reference


def test_a_retry_creates_nothing(world, api_key):
    first = post(report(api_key, lat="59.91", long="10.75", address_string=""))
    again = post(report(api_key, lat="59.91", long="10.75", address_string=""))
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Concern.objects.count() == 1
    concern = Concern.objects.get()
    # The position is stored rounded to its 50 m square, never as typed or as text.
    assert concern.location == ""
    assert (concern.latitude, concern.longitude) != (59.91, 10.75)
    [moved] = distances_m(59.91, 10.75, [concern.latitude], [concern.longitude])
    assert 0 < moved <= 36  # at most half the square's diagonal
    # With the client's own key: the same key is the same report, even with other content.
    keyed = post(report(api_key, idempotency_key="retry-key-0123456789"))
    retry = post(report(api_key, idempotency_key="retry-key-0123456789", description="Endret"))
    assert keyed.status_code == 201 and retry.status_code == 200
    assert Concern.objects.count() == 2
    errors(post(report(api_key, idempotency_key="kort")), 400)


def test_the_same_key_from_another_client_is_another_report(world, api_key):
    _other, other_key = api_key_create(municipality=world.municipality, name="Annen app")
    assert post(report(api_key, idempotency_key="a" * 20)).status_code == 201
    assert post(report(other_key, idempotency_key="a" * 20)).status_code == 201
    assert Concern.objects.count() == 2


def test_missing_wrong_and_inactive_keys(world, api_key):
    assert "api_key" in errors(post(report("")), 403)
    errors(post(report("feil-nøkkel")), 403)
    _other, other_key = api_key_create(municipality=world.other_municipality, name="Annenby")
    errors(post(report(other_key)), 403)  # another municipality's key
    ApiKey.objects.filter(key_hash=hash_key(api_key)).update(active=False)
    response = post(report(api_key), path=BASE + "requests.xml")
    assert response.status_code == 403
    assert ET.fromstring(response.content).find("error").findtext("code") == "403"
    assert not Concern.objects.exists()


def test_keys_are_stored_hashed_and_shown_once(world, capsys):
    call_command("create_api_key", "fjordby", "Bymelding")
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="Bymelding")
    assert key.key_hash == hash_key(raw) and raw not in key.key_hash
    assert key.municipality == world.municipality and key.prefix == raw[:8]


def test_bad_reports(world, api_key, open_limits):
    assert "finnes-ikke" in errors(post(report(api_key, service_code="finnes-ikke")), 400)
    errors(post(report(api_key, service_code="")), 400)
    errors(post(report(api_key, description="")), 400)
    assert "5000" in errors(post(report(api_key, description="x" * 5001)), 400)
    errors(post(report(api_key, address_string="x" * 201)), 400)
    errors(post(report(api_key, email="ikke-epost")), 400)
    errors(post(report(api_key, phone="123")), 400)
    errors(post(report(api_key, lat="59.9")), 400)
    errors(post(report(api_key, lat="91", long="10")), 400)
    errors(post(report(api_key, description="nul\x00tegn")), 400)
    errors(post(report(api_key, **{"attribute[project]": "annenvei"})), 400)
    assert not Concern.objects.exists()


def test_the_project(world, api_key):
    """Issue 16: the project is never a guess. Named (`attribute[project]` or `project`), else
    the public project nearest to lat/long (within a kilometre), else the general intake."""
    world.project.latitude, world.project.longitude = "59.910000", "10.750000"
    world.project.save()
    bjerke = ProjectFactory(
        municipality=world.municipality,
        slug="bjerkeveien",
        latitude="59.950000",
        longitude="10.780000",
    )
    fields = report(api_key)
    del fields["attribute[project]"]
    assert post({**fields, "project": "lindeveien", "description": "Navngitt"}).status_code == 201
    near_bjerke = {**fields, "lat": "59.9505", "long": "10.7801", "description": "Ved Bjerke"}
    assert post(near_bjerke).status_code == 201
    far = {**fields, "lat": "60.5", "long": "11.5", "description": "Langt unna"}
    assert post(far).status_code == 201
    assert post({**fields, "description": "Bare adresse"}).status_code == 201
    found = {c.description: c.project for c in Concern.objects.all()}
    assert found == {
        "Navngitt": world.project,
        "Ved Bjerke": bjerke,
        "Langt unna": None,
        "Bare adresse": None,
    }
    listed = Client().get(BASE + "requests.json").json()
    assert {row["project"] for row in listed} == {"Lindeveien", bjerke.name, None}


def test_a_request_without_a_location_is_refused(world, api_key):
    fields = report(api_key)
    del fields["address_string"]
    message = errors(post(fields), 400)
    assert "location" in message and "address_string" in message
    xml = post(fields, path=BASE + "requests.xml")
    assert xml.status_code == 400
    assert ET.fromstring(xml.content).find("error").findtext("code") == "400"
    assert post({**fields, "address_id": "0301-123"}).status_code == 201
    assert Concern.objects.get().location == "address_id 0301-123"


def test_plain_text_is_stored_as_given(world, api_key):
    text = "<b>Høy</b> musikk & <script>alert(1)</script>"
    assert post(report(api_key, description=text)).status_code == 201
    assert Concern.objects.get().description == text


# Reading ---------------------------------------------------------------------------------


@pytest.fixture
def reported(world):
    return make_concern(
        world.project,
        description=SECRET_TEXT,
        location=SECRET_PLACE,
        reporter_name="Kari Nordmann",
        reporter_email=SECRET_EMAIL,
        reporter_phone=SECRET_PHONE,
    )


def test_the_public_listing_shows_nothing_the_reporter_wrote(world, reported):
    services.note_add(concern=reported, body="Intern merknad om beboer", author=None)
    services.message_send(concern=reported, body="Svar til melder", author=None)
    for path in ["requests.json", "requests.xml", f"requests/{reported.reference}.json"]:
        response = Client().get(BASE + path)
        assert response.status_code == 200
        body = response.content.decode()
        for secret in [
            SECRET_TEXT,
            SECRET_PLACE,
            "Kari",
            "Nordmann",
            SECRET_EMAIL,
            "91234567",
            reported.token,
            "Intern merknad",
            "Svar til melder",
            "description",
            "address",
            "lat",
            "long",
        ]:
            assert secret not in body, (path, secret)
    [row] = Client().get(BASE + f"requests/{reported.reference}.json").json()
    assert row == {
        "service_request_id": reported.reference,
        "status": "open",
        "service_code": "noise",
        "service_name": "Støy",
        "project": "Lindeveien",
        "requested_datetime": row["requested_datetime"],
        "updated_datetime": row["updated_datetime"],
        "expected_datetime": row["expected_datetime"],
    }
    assert row["expected_datetime"].startswith(reported.answer_due.isoformat())
    root = ET.fromstring(Client().get(BASE + f"requests/{reported.reference}.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request").findtext("status") == "open"


def test_status_mapping_and_spam(world, reported):
    closed = make_concern(world.project, "litter")
    services.concern_transition(concern=closed, to_status=Status.IN_PROGRESS, by=None)
    services.concern_transition(concern=closed, to_status=Status.ANSWERED, by=None, answer="Ok")
    spam = make_concern(world.project)
    services.concern_transition(
        concern=spam, to_status=Status.CANCELLED, by=None, cancel_reason=CancelReason.SPAM
    )
    rows = {row["service_request_id"]: row for row in Client().get(BASE + "requests.json").json()}
    assert set(rows) == {reported.reference, closed.reference}
    assert rows[reported.reference]["status"] == "open"
    assert rows[closed.reference]["status"] == "closed"
    errors(Client().get(BASE + f"requests/{spam.reference}.json"), 404)


def test_filters(world, reported):
    litter = make_concern(world.project, "litter")
    services.concern_transition(concern=litter, to_status=Status.IN_PROGRESS, by=None)
    services.concern_transition(concern=litter, to_status=Status.ANSWERED, by=None, answer="Ok")
    old = make_concern(world.project)
    Concern.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))

    def ids(**params):
        response = Client().get(BASE + "requests.json", params)
        assert response.status_code == 200, response.content
        return {row["service_request_id"] for row in response.json()}

    assert ids() == {reported.reference, litter.reference}  # the last 90 days
    assert ids(service_code="litter") == {litter.reference}
    assert ids(service_code="noise,litter") == {reported.reference, litter.reference}
    assert ids(status="open") == {reported.reference}
    assert ids(status="closed") == {litter.reference}
    assert ids(status="open,closed") == {reported.reference, litter.reference}
    assert ids(service_request_id=f"{old.reference},{litter.reference}") == {
        old.reference,
        litter.reference,
    }
    long_ago = (timezone.now() - timedelta(days=150)).isoformat()
    assert ids(start_date=long_ago) == {old.reference}
    assert ids(end_date=(timezone.now() - timedelta(days=100)).isoformat()) == {old.reference}
    assert ids(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == set()


def test_bad_filters(world):
    get = Client().get
    assert "ISO 8601" in errors(get(BASE + "requests.json", {"start_date": "i går"}), 400)
    errors(get(BASE + "requests.json", {"end_date": "2026-13-45T99:00:00Z"}), 400)
    message = errors(
        get(
            BASE + "requests.json",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        ),
        400,
    )
    assert "90 days" in message
    errors(
        get(
            BASE + "requests.json",
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        ),
        400,
    )
    errors(get(BASE + "requests.json", {"status": "pending"}), 400)
    errors(get(BASE + "requests.json", {"service_request_id": "'; drop table"}), 400)
    errors(get(BASE + "requests.json", {"service_code": "<b>"}), 400)
    errors(get(BASE + "requests.json", {"start_date": "9999-12-31T23:59:59Z"}), 400)


def test_other_municipalitys_requests_are_invisible(world, reported, api_key):
    theirs = make_concern(world.other_project)
    rows = Client().get(OTHER + "requests.json").json()
    assert [row["service_request_id"] for row in rows] == [theirs.reference]
    assert rows[0]["project"] == "Annenvei"
    if theirs.reference != reported.reference:
        errors(Client().get(OTHER + f"requests/{reported.reference}.json"), 404)
    # The same reference in both municipalities: each sees its own.
    own = Client().get(BASE + f"requests/{reported.reference}.json").json()[0]
    assert own["project"] == "Lindeveien"
    # A key of Fjordby does not report in Annenby.
    theirs_report = report(api_key, **{"attribute[project]": "annenvei"})
    errors(post(theirs_report, OTHER + "requests.json"), 403)
    # An unknown municipality prefix is answered by the municipality middleware (HTML).
    assert Client().get("/k/finnes-ikke/open311/v2/services.json").status_code == 404


# Abuse -----------------------------------------------------------------------------------


def test_rate_limits(world, api_key, settings):
    settings.OPEN311_KEY_RATE = "2/h"
    settings.PUBLIC_WRITE_RATE = "1/h"
    assert post(report(api_key, description="En")).status_code == 201
    assert post(report(api_key, description="To")).status_code == 201
    assert "Too many requests" in errors(post(report(api_key, description="Tre")), 429)
    assert Concern.objects.count() == 2
    # Without a key: the public limit per address (and no report without a key anyway).
    anonymous = Client(REMOTE_ADDR="10.0.0.98")
    errors(post(report("", description="Fire"), client=anonymous), 403)
    errors(post(report("", description="Fem"), client=anonymous), 429)
    settings.PUBLIC_READ_RATE = "1/m"
    client = Client(REMOTE_ADDR="10.0.0.99")
    assert client.get(BASE + "services.json").status_code == 200
    errors(client.get(BASE + "services.json"), 429)


def test_photos_come_as_media_files(world, api_key, open_limits):
    photo = SimpleUploadedFile("bilde.jpg", make_image(), content_type="image/jpeg")
    response = post(report(api_key, media=photo))
    assert response.status_code == 201
    concern = Concern.objects.get(reference=response.json()[0]["service_request_id"])
    assert concern.photos.count() == 1
    # Not an image: refused with the reason, nothing stored.
    fake = SimpleUploadedFile("bilde.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    before = Concern.objects.count()
    assert "JPEG or PNG" in errors(post(report(api_key, description="Ny", media=fake)), 400)
    assert Concern.objects.count() == before
    # A URL to fetch is not taken: the server fetches nothing on a client's word.
    message = errors(post(report(api_key, description="Url", media_url="http://x/y.jpg")), 400)
    assert "multipart file named media" in message


def test_an_unknown_municipality_prefix_answers_in_the_specification_format(world):
    assert "No municipality" in errors(Client().get("/k/finnes-ikke/open311/v2/services.json"), 404)
    response = Client().get("/k/finnes-ikke/open311/v2/services.xml")
    assert response.status_code == 404 and b"<errors><error><code>404</code>" in response.content
    # Pages for people still get the ordinary page.
    page = Client().get("/k/finnes-ikke/prosjekter/")
    assert page.status_code == 404 and b"<!doctype html>" in page.content.lower()


def test_post_needs_no_csrf_token(world, api_key):
    client = Client(enforce_csrf_checks=True)
    assert post(report(api_key), client=client).status_code == 201


FIELDS = [
    "service_code",
    "description",
    "address_string",
    "lat",
    "long",
    "email",
    "first_name",
    "last_name",
    "phone",
    "project",
    "attribute[project]",
    "idempotency_key",
    "api_key",
]


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(FIELDS) | st.text(max_size=20), st.text(max_size=300), max_size=8
    ),
    use_key=st.booleans(),
    fmt=st.sampled_from(["json", "xml", "JSON", "yaml"]),
)
def test_fuzz_post(world, open_limits, api_key, fields, use_key, fmt):
    before = Concern.objects.count()
    data = {"service_code": "noise", "description": "Støy", **fields}
    if use_key:
        data["api_key"] = api_key
    response = Client().post(f"{BASE}requests.{fmt}", data)
    assert response.status_code in {200, 201, 400, 403, 404}, response.content
    created = Concern.objects.count() - before
    assert created == (1 if response.status_code == 201 else 0)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["service_request_id", "service_code", "start_date", "end_date", "status"])
        | st.text(max_size=10),
        st.text(max_size=60)
        | st.datetimes().map(lambda value: value.isoformat())
        | st.sampled_from(["open", "closed", "open,closed", "noise", "2026-000001"]),
        max_size=5,
    ),
    path=st.sampled_from(["requests.json", "requests.xml", "services.json"])
    | st.text(min_size=1, max_size=40).map(lambda text: f"requests/{text}.json"),
)
def test_fuzz_get(world, open_limits, params, path):
    from urllib.parse import quote

    if path.startswith("requests/"):
        path = "requests/" + quote(path[len("requests/") : -len(".json")], safe="") + ".json"
    response = Client().get(BASE + path, params)
    assert response.status_code in {200, 400, 404}, response.content
    if response.status_code != 200:
        body = json.loads(response.content) if "json" in path else None
        if body is not None:
            assert body[0]["code"] == response.status_code


def test_a_path_with_a_line_break_still_answers_in_the_open311_format(world):
    # Found by test_fuzz_get: "." in the catch-all pattern did not match a newline.
    response = Client().get(BASE + "requests/%2F%0A.json")
    assert response.status_code == 404
    assert json.loads(response.content)[0]["code"] == 404
