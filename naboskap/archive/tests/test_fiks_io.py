"""The Fiks IO transport against a real HTTP server on 127.0.0.1 playing Maskinporten's token
endpoint, the Fiks IO katalog and the send endpoint; keys and certificates are made here."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import json
import socket
import threading
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser

from naboskap.archive import fiks_io
from naboskap.archive.arkivmelding import MESSAGE_TYPE
from naboskap.archive.transports import Package, PermanentFailure, TemporaryFailure

OUR_ACCOUNT = "6f1c1c54-2a44-4d8e-9a51-6b3f3c0e6d01"
ARCHIVE_ACCOUNT = "0b7a9f3e-5c1d-4e2a-8f6b-2d9c4a7e1b02"
INTEGRATION_ID = "c3d2e1f0-1111-4222-8333-944455556666"
AUDIENCE = "https://test.maskinporten.no/"
ISSUER = "naboskap-test-client"
# The messageDigest attribute's OID (1.2.840.113549.1.9.4), DER.
MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")
KATALOG = f"/fiks-io/katalog/api/v1/kontoer/{ARCHIVE_ACCOUNT}/offentligNokkel"

PACKAGE = Package(
    name="concern-123",
    xml='<?xml version="1.0" encoding="utf-8"?>\n<arkivmelding>æøå</arkivmelding>\n'.encode(),
    files={
        "concern-123.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\r\n%%EOF\n",
        "photo-1.pdf": b"%PDF-1.7\nphoto\n",
    },
)


# --- Keys and certificates ----------------------------------------------------------------


@dataclass
class Pair:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    key_path: str
    certificate_path: str


def _pair(directory, name: str) -> Pair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Naboskap test {name}")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_path = directory / f"{name}.key.pem"
    certificate_path = directory / f"{name}.crt.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Pair(key, certificate, str(key_path), str(certificate_path))


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fiks-io-pki")
    return {name: _pair(directory, name) for name in ("business", "signing", "archive")}


# --- The server ---------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: object  # the request's headers (case-insensitive lookup)
    body: bytes


class FakeFiks(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, archive_pem: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.archive_pem = archive_pem
        self.seen: list[Seen] = []
        self.answers: dict[str, tuple[int, str]] = {}  # path -> (status, body), for failures
        self.tokens = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def answer(self, method: str, path: str) -> tuple[int, str]:
        if path in self.answers:
            return self.answers[path]
        if (method, path) == ("POST", "/token"):
            self.tokens += 1
            return 200, json.dumps(
                {"access_token": f"token-{self.tokens}", "token_type": "Bearer", "expires_in": 120}
            )
        if (method, path) == ("GET", KATALOG):
            return 200, json.dumps({"nokkel": self.archive_pem, "serial": "1"})
        if (method, path) == ("POST", "/fiks-io/api/v1/send"):
            return 202, json.dumps({"meldingId": str(uuid.uuid4()), "meldingType": MESSAGE_TYPE})
        return 404, json.dumps({"message": "Not found"})


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append(Seen(self.command, self.path, self.headers, body))
        status, text = self.server.answer(self.command, self.path)
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server(pki):
    fake = FakeFiks(pki["archive"].certificate.public_bytes(serialization.Encoding.PEM).decode())
    # A short poll: shutting down waits for it.
    serve = {"poll_interval": 0.05}
    thread = threading.Thread(target=fake.serve_forever, kwargs=serve, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()
    fake.server_close()
    thread.join(5)


@pytest.fixture
def fiks(settings, server, pki):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"fiks-io-{uuid.uuid4()}",
        }
    }
    settings.ARCHIVE_FIKS_IO_URL = server.url
    settings.ARCHIVE_FIKS_IO_ACCOUNT = OUR_ACCOUNT
    settings.ARCHIVE_FIKS_IO_INTEGRATION_ID = INTEGRATION_ID
    settings.ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD = "integrasjonspassord"
    settings.ARCHIVE_FIKS_IO_PRIVATE_KEY = pki["signing"].key_path
    settings.ARCHIVE_FIKS_IO_CERTIFICATE = pki["signing"].certificate_path
    settings.ARCHIVE_MASKINPORTEN_URL = f"{server.url}/token"
    settings.ARCHIVE_MASKINPORTEN_AUDIENCE = AUDIENCE
    settings.ARCHIVE_MASKINPORTEN_ISSUER = ISSUER
    settings.ARCHIVE_MASKINPORTEN_KEY = pki["business"].key_path
    settings.ARCHIVE_MASKINPORTEN_CERTIFICATE = pki["business"].certificate_path
    return server


# --- Reading what was sent ----------------------------------------------------------------


def form(seen: Seen):
    """The multipart body, read by Django's own parser: (fields, files)."""
    meta = {
        "CONTENT_TYPE": seen.headers["Content-Type"],
        "CONTENT_LENGTH": str(len(seen.body)),
    }
    return MultiPartParser(meta, io.BytesIO(seen.body), [MemoryFileUploadHandler()]).parse()


def _tlv(data: bytes, at: int) -> tuple[int, int, int]:
    """A DER element at `at`: (tag, where its content starts, where it ends)."""
    tag, length, start = data[at], data[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The elements inside a constructed one: (tag, element start, content start, end)."""
    found, at = [], start
    while at < end:
        tag, content, stop = _tlv(data, at)
        found.append((tag, at, content, stop))
        at = stop
    return found


def verify_detached(signature: bytes, content: bytes, certificate: x509.Certificate) -> None:
    """Check a detached CMS signature the way a reader does: the signed attributes' message
    digest is the content's SHA-256, and the signature over them verifies."""
    _tag, start, end = _tlv(signature, 0)  # ContentInfo
    _oid, explicit = _children(signature, start, end)
    _tag, start, end = _tlv(signature, explicit[2])  # SignedData
    signer_infos = _children(signature, start, end)[-1]
    _tag, info, _start, _end = _children(signature, signer_infos[2], signer_infos[3])[0]
    _tag, start, end = _tlv(signature, info)  # SignerInfo
    fields = _children(signature, start, end)
    attributes = next(field for field in fields if field[0] == 0xA0)
    signature_value = next(field for field in fields if field[0] == 0x04)
    signed = b"\x31" + signature[attributes[1] + 1 : attributes[3]]  # signed as a SET
    digest = None
    for attribute in _children(signature, attributes[2], attributes[3]):
        oid, values = _children(signature, attribute[2], attribute[3])
        if signature[oid[1] : oid[3]] == MESSAGE_DIGEST:
            value = _children(signature, values[2], values[3])[0]
            digest = signature[value[2] : value[3]]
    assert digest == hashlib.sha256(content).digest()
    certificate.public_key().verify(
        signature[signature_value[2] : signature_value[3]],
        signed,
        padding.PKCS1v15(),
        hashes.SHA256(),
    )


def container(seen: Seen, pki) -> bytes:
    _fields, files = form(seen)
    encrypted = files["data"].read()
    archive = pki["archive"]
    return pkcs7.pkcs7_decrypt_der(encrypted, archive.certificate, archive.key, [])


# --- Tests --------------------------------------------------------------------------------


def test_it_is_configured_only_with_everything_it_needs(settings, fiks):
    assert fiks_io.configured()
    settings.ARCHIVE_MASKINPORTEN_ISSUER = ""
    assert not fiks_io.configured()
    with pytest.raises(PermanentFailure, match="ARCHIVE_MASKINPORTEN_ISSUER"):
        fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)
    assert fiks.seen == []


def test_it_sends_a_signed_encrypted_container_with_the_right_headers(fiks, pki):
    transport = fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT)

    message_id = transport.send(PACKAGE)

    assert transport.name == "fiks_io"
    assert [(seen.method, seen.path) for seen in fiks.seen] == [
        ("POST", "/token"),
        ("GET", KATALOG),
        ("POST", "/fiks-io/api/v1/send"),
    ]
    for seen in fiks.seen[1:]:
        assert seen.headers["Authorization"] == "Bearer token-1"
        assert seen.headers["IntegrasjonId"] == INTEGRATION_ID
        assert seen.headers["IntegrasjonPassord"] == "integrasjonspassord"
    send = fiks.seen[2]
    assert send.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    fields, files = form(send)
    assert b'name="metadata"\r\nContent-Type: application/json\r\n' in send.body
    metadata = json.loads(fields["metadata"])
    assert metadata == {
        "avsenderKontoId": OUR_ACCOUNT,
        "mottakerKontoId": ARCHIVE_ACCOUNT,
        "meldingType": "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett",
        "ttl": 7 * 24 * 3600 * 1000,
        "headere": {"klientMeldingId": fiks_io.client_message_id(ARCHIVE_ACCOUNT, PACKAGE)},
    }
    uuid.UUID(metadata["headere"]["klientMeldingId"])  # receivers read it as a GUID
    assert files["data"].content_type == "application/octet-stream"
    # The answer's meldingId is what the registration records.
    uuid.UUID(message_id)


def test_the_data_decrypts_to_a_signed_asice_holding_the_package(fiks, pki):
    fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)

    data = container(fiks.to("/fiks-io/api/v1/send")[0], pki)

    # `mimetype` first, stored, with nothing in between: readable at a fixed offset.
    assert data[30:38] == b"mimetype"
    assert data[38 : 38 + len(fiks_io.MIMETYPE)] == b"application/vnd.etsi.asic-e+zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        assert entries[0].filename == "mimetype"
        assert entries[0].compress_type == zipfile.ZIP_STORED
        assert [entry.filename for entry in entries] == [
            "mimetype",
            "arkivmelding.xml",
            "concern-123.pdf",
            "photo-1.pdf",
            "META-INF/asicmanifest.xml",
            "META-INF/signature.p7s",
        ]
        assert archive.read("arkivmelding.xml") == PACKAGE.xml
        for name, content in PACKAGE.files.items():
            assert archive.read(name) == content
        listed = archive.read("META-INF/asicmanifest.xml")
        signature = archive.read("META-INF/signature.p7s")

    ns = {"asic": fiks_io.ASIC_NS, "ds": fiks_io.DS_NS}
    manifest = ET.fromstring(listed)
    assert manifest.tag == f"{{{fiks_io.ASIC_NS}}}ASiCManifest"
    reference = manifest.find("asic:SigReference", ns)
    assert reference.get("URI") == "META-INF/signature.p7s"
    assert reference.get("MimeType") == "application/x-pkcs7-signature"
    objects = manifest.findall("asic:DataObjectReference", ns)
    expected = {"arkivmelding.xml": PACKAGE.xml, **PACKAGE.files}
    assert [item.get("URI") for item in objects] == list(expected)
    assert [item.get("MimeType") for item in objects] == [
        "application/xml",
        "application/pdf",
        "application/pdf",
    ]
    assert objects[0].get("Rootfile") == "true"
    for item in objects:
        method = item.find("ds:DigestMethod", ns).get("Algorithm")
        assert method == "http://www.w3.org/2001/04/xmlenc#sha256"
        digest = base64.b64decode(item.find("ds:DigestValue", ns).text)
        assert digest == hashlib.sha256(expected[item.get("URI")]).digest()

    signing = pki["signing"].certificate
    assert pkcs7.load_der_pkcs7_certificates(signature) == [signing]
    verify_detached(signature, listed, signing)
    with pytest.raises(AssertionError):
        verify_detached(signature, listed.replace(b"photo-1", b"photo-2"), signing)


def test_the_maskinporten_grant_is_signed_with_the_business_certificate(fiks, pki):
    fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)

    token_request = fiks.to("/token")[0]
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    grant = urllib.parse.parse_qs(token_request.body.decode())
    assert grant["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assertion = grant["assertion"][0]
    business = pki["business"].certificate
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "RS256"
    assert base64.b64decode(header["x5c"][0]) == business.public_bytes(serialization.Encoding.DER)
    claims = jwt.decode(assertion, business.public_key(), algorithms=["RS256"], audience=AUDIENCE)
    assert claims["iss"] == ISSUER
    assert claims["scope"] == "ks:fiks"
    assert claims["exp"] - claims["iat"] == 120
    uuid.UUID(claims["jti"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            assertion, pki["signing"].key.public_key(), algorithms=["RS256"], audience=AUDIENCE
        )


def test_the_token_and_the_certificate_are_fetched_once_for_two_sends(fiks):
    transport = fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT)

    first = transport.send(PACKAGE)
    second = transport.send(PACKAGE)

    assert first != second  # two messages to Fiks IO …
    assert len(fiks.to("/token")) == 1
    assert len(fiks.to(KATALOG)) == 1
    sends = fiks.to("/fiks-io/api/v1/send")
    assert [seen.headers["Authorization"] for seen in sends] == ["Bearer token-1"] * 2
    ids = [json.loads(form(seen)[0]["metadata"])["headere"]["klientMeldingId"] for seen in sends]
    assert ids[0] == ids[1]  # … that the archive recognises as one
    other = Package(name="concern-124", xml=PACKAGE.xml)
    assert fiks_io.client_message_id(ARCHIVE_ACCOUNT, other) != ids[0]


def test_the_business_certificate_signs_when_no_signing_key_is_set(settings, fiks, pki):
    settings.ARCHIVE_FIKS_IO_PRIVATE_KEY = ""
    settings.ARCHIVE_FIKS_IO_CERTIFICATE = ""

    fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)

    data = container(fiks.to("/fiks-io/api/v1/send")[0], pki)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        signature = archive.read("META-INF/signature.p7s")
        verify_detached(
            signature, archive.read("META-INF/asicmanifest.xml"), pki["business"].certificate
        )


def test_a_503_is_a_temporary_failure(fiks):
    fiks.answers["/fiks-io/api/v1/send"] = (503, "Service Unavailable")

    with pytest.raises(TemporaryFailure, match="HTTP 503"):
        fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)


def test_a_429_is_a_temporary_failure(fiks):
    fiks.answers["/fiks-io/api/v1/send"] = (429, json.dumps({"message": "Too many"}))

    with pytest.raises(TemporaryFailure, match="HTTP 429: Too many"):
        fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)


def test_a_400_is_a_permanent_failure_with_the_servers_message(fiks):
    fiks.answers["/fiks-io/api/v1/send"] = (
        400,
        json.dumps({"status": 400, "message": "Mottaker konto finnes ikke"}),
    )

    with pytest.raises(PermanentFailure) as failure:
        fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)

    assert str(failure.value) == "Fiks IO: HTTP 400: Mottaker konto finnes ikke"


def test_a_401_forgets_the_token(fiks):
    transport = fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT)
    fiks.answers["/fiks-io/api/v1/send"] = (401, "Unauthorized")
    with pytest.raises(PermanentFailure, match="HTTP 401"):
        transport.send(PACKAGE)
    del fiks.answers["/fiks-io/api/v1/send"]

    transport.send(PACKAGE)

    assert fiks.to("/fiks-io/api/v1/send")[-1].headers["Authorization"] == "Bearer token-2"


def test_a_refused_grant_is_a_permanent_failure(fiks):
    fiks.answers["/token"] = (
        400,
        json.dumps({"error": "invalid_grant", "error_description": "Invalid assertion"}),
    )

    with pytest.raises(PermanentFailure, match="Maskinporten: HTTP 400: Invalid assertion"):
        fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)
    assert fiks.to("/fiks-io/api/v1/send") == []


def test_no_answer_is_a_temporary_failure(settings, fiks):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.ARCHIVE_MASKINPORTEN_URL = f"http://127.0.0.1:{port}/token"

    with pytest.raises(TemporaryFailure, match="Maskinporten"):
        fiks_io.FiksIOTransport(account=ARCHIVE_ACCOUNT).send(PACKAGE)


@pytest.mark.django_db
def test_a_closed_concern_goes_to_the_archives_fiks_io_account_through_the_worker(world, fiks):
    from naboskap.archive import delivery, services
    from naboskap.archive.models import Registration
    from naboskap.archive.tests.test_archive import close
    from naboskap.testing.factories import make_concern

    services.settings_update(
        municipality=world.municipality, enabled=True, fiks_io_account=ARCHIVE_ACCOUNT
    )
    close(make_concern(world.project), world.users["case_handler"])

    assert delivery.send_due() == 3
    sent = fiks.to("/fiks-io/api/v1/send")
    assert len(sent) == 3
    ids = set()
    for registration in Registration.objects.all():
        assert registration.status == Registration.Status.SENT
        ids.add(str(uuid.UUID(registration.package)))  # Fiks IO's message id
    assert len(ids) == 3
    recipients = [json.loads(form(seen)[0]["metadata"])["mottakerKontoId"] for seen in sent]
    assert recipients == [ARCHIVE_ACCOUNT] * 3


# --- The archive's answers, from a real RabbitMQ -----------------------------------------------
# Fiks IO's queue is AMQP 0-9-1: these tests publish the archive's answers into a queue of a
# RabbitMQ on this machine (AMQP_TEST_URL, set by CI, which starts one), in a virtual host
# and as a user made for the test whose password is the integration's password and the
# Maskinporten token, as Fiks IO's own broker expects them.


def _rabbitmqctl(*args: str) -> None:
    import subprocess

    subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, timeout=60)


# The fake Maskinporten's first token in each test (a fresh server per test).
FIRST_TOKEN = "token-1"


@pytest.fixture(scope="module")
def broker():
    """A virtual host and a user of this module's (rabbitmqctl is slow: once a module)."""
    import os

    base = os.environ.get("AMQP_TEST_URL")
    if not base:
        pytest.skip("AMQP_TEST_URL is not set (CI sets it and starts RabbitMQ)")
    vhost = f"naboskap-test-{uuid.uuid4().hex[:12]}"
    user, password = str(uuid.uuid4()), f"integrasjonspassord {FIRST_TOKEN}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("add_user", user, password)
    _rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    yield {"url": f"{base.rstrip('/')}/{vhost}", "user": user, "password": password}
    _rabbitmqctl("delete_vhost", vhost)
    _rabbitmqctl("delete_user", user)


@pytest.fixture
def queue(settings, fiks, broker):
    """Naboskap's account's queue, empty; yields a publisher in the archive's place."""
    import pika

    settings.ARCHIVE_FIKS_IO_INTEGRATION_ID = broker["user"]
    settings.ARCHIVE_FIKS_IO_AMQP_URL = broker["url"]
    assert fiks_io.access_token() == FIRST_TOKEN
    parameters = pika.URLParameters(broker["url"])
    parameters.credentials = pika.PlainCredentials(broker["user"], broker["password"])
    connection = pika.BlockingConnection(parameters)
    channel = connection.channel()
    name = f"fiksio.konto.{OUR_ACCOUNT}"
    channel.queue_declare(name, durable=True)
    channel.queue_purge(name)
    channel.confirm_delivery()  # each publish returns once the broker has the message

    def publish(kind: str, body: bytes = b"", *, sender=ARCHIVE_ACCOUNT, answers: str = ""):
        headers = {"type": kind, "melding-id": str(uuid.uuid4()), "avsender-id": sender}
        if answers:
            headers["svar-til"] = answers
        channel.basic_publish("", name, body, pika.BasicProperties(headers=headers))

    publish.waiting = lambda: channel.queue_declare(name, passive=True).method.message_count
    yield publish
    connection.close()


def sealed(xml: bytes, pki, name: str = "arkivmelding-kvittering.xml") -> bytes:
    """A payload as the archive sends it: an ASiC-E container encrypted for our account."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as container:
        container.writestr("mimetype", "application/vnd.etsi.asic-e+zip")
        container.writestr(name, xml)
        container.writestr("META-INF/manifest.xml", "<manifest/>")
    return fiks_io.encrypt(data.getvalue(), pki["signing"].certificate)


def error_message(kind: str, text: str) -> bytes:
    return (
        f'<{kind} xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/v1">'
        f"<feilId>f-17</feilId><feilmelding>{text}</feilmelding></{kind}>"
    ).encode()


@pytest.fixture
def sent(world, fiks):
    """A closed concern sent to the archive by Fiks IO: its folder, record and answer."""
    from naboskap.archive import delivery, services
    from naboskap.archive.models import Registration
    from naboskap.archive.tests.test_archive import close
    from naboskap.testing.factories import make_concern

    services.settings_update(
        municipality=world.municipality, enabled=True, fiks_io_account=ARCHIVE_ACCOUNT
    )
    close(make_concern(world.project), world.users["case_handler"])
    assert delivery.send_due() == 3
    return {r.kind: r for r in Registration.objects.all()}


@pytest.mark.django_db
def test_the_archives_answers_are_read_from_the_queue_and_recorded(sent, queue, pki):
    from naboskap.archive import jobs
    from naboskap.archive.models import Registration
    from naboskap.archive.tests.test_archive import key, receipt
    from naboskap.scheduling.jobs import Counts

    Kind, Status = Registration.Kind, Registration.Status
    folder, record, answer = sent[Kind.FOLDER], sent[Kind.CONCERN], sent[Kind.ANSWER]
    queue(f"{MESSAGE_TYPE}.mottatt", answers=record.package)
    queue(
        f"{MESSAGE_TYPE}.kvittering",
        sealed(
            receipt(
                '<mappeKvittering xsi:type="saksmappeKvittering"><systemID>m-1</systemID>'
                + key(folder.external_key)
                + "<saksaar>2026</saksaar><sakssekvensnummer>88</sakssekvensnummer>"
                "</mappeKvittering>",
                '<registreringKvittering xsi:type="journalpostKvittering">'
                "<systemID>j-1</systemID>"
                + key(record.external_key)
                + "<journalaar>2026</journalaar><journalsekvensnummer>901</journalsekvensnummer>"
                "<journalpostnummer>1</journalpostnummer></registreringKvittering>",
            ),
            pki,
        ),
        answers=record.package,
    )
    queue(
        "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel",
        sealed(error_message("ugyldigforespoersel", "Ukjent klasse"), pki, "feilmelding.xml"),
        answers=answer.package,
    )
    queue("no.ks.fiks.annet.v1.melding", b"?")  # a type Naboskap does not read
    queue(f"{MESSAGE_TYPE}.kvittering", b"not encrypted")
    queue(f"{MESSAGE_TYPE}.mottatt", sender=str(uuid.uuid4()))  # no municipality's archive
    assert queue.waiting() == 6

    counts = Counts()
    jobs.import_receipts(counts)

    assert queue.waiting() == 0  # every message read and acknowledged
    assert counts.as_json()[""] == {"archive_fiks_io_messages": 6}
    folder.refresh_from_db(), record.refresh_from_db(), answer.refresh_from_db()
    assert folder.status == Status.ARCHIVED and folder.case_number == "2026/88"
    assert record.status == Status.ARCHIVED and record.record_number == "2026/88-1"
    assert record.archive_id == "j-1"
    assert answer.status == Status.FAILED
    assert answer.last_error == "Ukjent klasse (f-17)"


@pytest.mark.django_db
def test_the_archives_own_trouble_sends_the_registration_again_later(sent, queue, pki):
    from django.utils import timezone

    from naboskap.archive import fiks_io_receipts
    from naboskap.archive.models import Registration

    answer = sent[Registration.Kind.ANSWER]
    queue(
        "no.ks.fiks.arkiv.v1.feilmelding.serverfeil",
        sealed(error_message("serverfeil", "Databasen svarer ikke"), pki, "feilmelding.xml"),
        answers=answer.package,
    )

    assert fiks_io_receipts.receive() == 1

    answer.refresh_from_db()
    assert answer.status == Registration.Status.WAITING
    assert answer.next_attempt_at > timezone.now()
    assert answer.last_error == "Databasen svarer ikke (f-17)"


@pytest.mark.django_db
def test_a_message_stays_in_the_queue_when_recording_it_fails(sent, queue, pki, monkeypatch):
    from naboskap.archive import fiks_io_receipts, receipts
    from naboskap.archive.models import Registration
    from naboskap.archive.tests.test_archive import key, receipt

    record = sent[Registration.Kind.CONCERN]
    xml = receipt(
        '<registreringKvittering xsi:type="journalpostKvittering"><systemID>j-2</systemID>'
        + key(record.external_key)
        + "<journalaar>2026</journalaar><journalsekvensnummer>5</journalsekvensnummer>"
        "</registreringKvittering>"
    )
    queue(f"{MESSAGE_TYPE}.kvittering", sealed(xml, pki), answers=record.package)

    def database_away(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(receipts, "record", database_away)
    with pytest.raises(RuntimeError):
        fiks_io_receipts.receive()
    assert queue.waiting() == 1  # not acknowledged: the next run reads it

    monkeypatch.undo()
    assert fiks_io_receipts.receive() == 1
    record.refresh_from_db()
    assert record.status == Registration.Status.ARCHIVED and record.record_number == "2026/5"


def test_without_fiks_io_nothing_is_read(settings):
    from naboskap.archive import fiks_io_receipts

    settings.ARCHIVE_FIKS_IO_INTEGRATION_ID = ""
    assert fiks_io_receipts.receive() == 0
