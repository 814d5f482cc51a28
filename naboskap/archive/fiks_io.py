"""Sending a package to the archive by Fiks IO (ADR 0033); the archive's answers are read
from Naboskap's account's queue by `fiks_io_receipts`.

One message is one package: an ASiC-E container (`mimetype` first and stored,
`arkivmelding.xml`, the documents, `META-INF/asicmanifest.xml` and a detached CAdES signature
`META-INF/signature.p7s` over it), encrypted as CMS EnvelopedData (AES-256-CBC) for the
certificate the archive's account publishes in the Fiks IO katalog, and posted to
`/fiks-io/api/v1/send` with the message type `arkivmelding.opprett` and a `klientMeldingId`
made from the package's name, so a resend is the same message to the archive. Access is a
Maskinporten token (scope `ks:fiks`, a JWT grant signed with the business certificate) and
the Fiks integration's id and password. Why each choice: ADR 0033.

Settings, read when used (none is needed unless an archive sends by Fiks IO):
- ARCHIVE_FIKS_IO_URL: Fiks' API, default https://api.fiks.ks.no (test:
  https://api.fiks.test.ks.no).
- ARCHIVE_FIKS_IO_ACCOUNT: Naboskap's own Fiks IO account id, the sender.
- ARCHIVE_FIKS_IO_INTEGRATION_ID, ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD: the Fiks integration.
- ARCHIVE_FIKS_IO_PRIVATE_KEY, ARCHIVE_FIKS_IO_CERTIFICATE: paths of the PEM key and
  certificate the container is signed with; unset, the business certificate signs (as KS's
  own clients do).
- ARCHIVE_MASKINPORTEN_URL: the token endpoint, default https://maskinporten.no/token (test:
  https://test.maskinporten.no/token).
- ARCHIVE_MASKINPORTEN_AUDIENCE: default https://maskinporten.no/ (test:
  https://test.maskinporten.no/).
- ARCHIVE_MASKINPORTEN_ISSUER: the Maskinporten client id.
- ARCHIVE_MASKINPORTEN_KEY, ARCHIVE_MASKINPORTEN_CERTIFICATE: paths of the business
  certificate's PEM key and certificate.

The token is kept in Django's cache until shortly before it expires, the archive's
certificate for an hour. No answer, a 5xx or a 429 is a `TemporaryFailure`; any other refusal
a `PermanentFailure` with the server's message.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import mimetypes
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from django.conf import settings
from django.core.cache import cache

from naboskap.archive.arkivmelding import MESSAGE_TYPE
from naboskap.archive.transports import (
    ENTRY_TIME,
    XML_NAME,
    Package,
    PermanentFailure,
    TemporaryFailure,
)

DEFAULT_URL = "https://api.fiks.ks.no"
DEFAULT_MASKINPORTEN_URL = "https://maskinporten.no/token"
DEFAULT_MASKINPORTEN_AUDIENCE = "https://maskinporten.no/"
SEND_PATH = "/fiks-io/api/v1/send"
KATALOG_PATH = "/fiks-io/katalog/api/v1/kontoer/{account}/offentligNokkel"
SCOPE = "ks:fiks"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_SECONDS = 120
# A token is not used in its last half minute: a send may take that long to arrive.
TOKEN_MARGIN = 30
CERTIFICATE_SECONDS = 3600
# Fiks IO's own default; an archive down over a long weekend still gets the message.
TTL_MS = 7 * 24 * 3600 * 1000
TIMEOUT = 30
# Room to upload a package with its PDFs.
SEND_TIMEOUT = 120
USER_AGENT = "Naboskap-Archive/1"
# Answers that say "not now" rather than "never".
TEMPORARY = {408, 425, 429}

MIMETYPE = "application/vnd.etsi.asic-e+zip"
MANIFEST_NAME = "META-INF/asicmanifest.xml"
SIGNATURE_NAME = "META-INF/signature.p7s"
# The ASiC namespace as KS's writers and readers spell it (ETSI's has "02918"; KS's .NET
# reader accepts both, the Java one only this).
ASIC_NS = "http://uri.etsi.org/2918/v1.2.1#"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
# A fixed namespace for klientMeldingId: the same package to the same account, the same id.
CLIENT_MESSAGE_NS = uuid.UUID("5b0c7e52-51e4-4c55-9a43-2f8a4c1f1d6e")

REQUIRED = [
    "ARCHIVE_FIKS_IO_ACCOUNT",
    "ARCHIVE_FIKS_IO_INTEGRATION_ID",
    "ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD",
    "ARCHIVE_MASKINPORTEN_ISSUER",
    "ARCHIVE_MASKINPORTEN_KEY",
    "ARCHIVE_MASKINPORTEN_CERTIFICATE",
]


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, "") or default)


def configured() -> bool:
    """Whether everything Fiks IO needs is set (the URLs have defaults)."""
    return all(_setting(name) for name in REQUIRED)


def api_url() -> str:
    return _setting("ARCHIVE_FIKS_IO_URL", DEFAULT_URL).rstrip("/")


# --- Keys and certificates -------------------------------------------------------------


def load_key(path: str) -> rsa.RSAPrivateKey:
    try:
        with open(path, "rb") as file:
            key = serialization.load_pem_private_key(file.read(), password=None)
    except OSError as error:
        raise TemporaryFailure(f"{path}: {error.strerror or error}") from error
    except (ValueError, TypeError) as error:
        raise PermanentFailure(f"{path}: not an unencrypted PEM private key") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PermanentFailure(f"{path}: not an RSA key")
    return key


def load_certificate(path: str) -> x509.Certificate:
    try:
        with open(path, "rb") as file:
            return x509.load_pem_x509_certificate(file.read())
    except OSError as error:
        raise TemporaryFailure(f"{path}: {error.strerror or error}") from error
    except ValueError as error:
        raise PermanentFailure(f"{path}: not a PEM certificate") from error


def business_pair() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The business certificate (virksomhetssertifikat) and its key: Maskinporten's."""
    return (
        load_key(_setting("ARCHIVE_MASKINPORTEN_KEY")),
        load_certificate(_setting("ARCHIVE_MASKINPORTEN_CERTIFICATE")),
    )


def signing_pair() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """What signs the container: its own key and certificate, or the business one."""
    key_path = _setting("ARCHIVE_FIKS_IO_PRIVATE_KEY")
    if not key_path:
        return business_pair()
    return load_key(key_path), load_certificate(_setting("ARCHIVE_FIKS_IO_CERTIFICATE"))


# --- HTTP ------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is the answer: credentials go only where they were configured


_opener = urllib.request.build_opener(_NoRedirects)


def _message(text: str) -> str:
    """What a refusal says: the JSON's message when there is one, else the text."""
    try:
        answer = json.loads(text)
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        for name in ("message", "error_description", "error", "detail", "title"):
            if answer.get(name):
                text = str(answer[name])
                break
    return " ".join(text.split())[:300]


def request(
    url: str, *, what: str, data: bytes | None = None, headers: dict, timeout: int = TIMEOUT
) -> bytes:
    """One HTTP exchange; returns the body of a 2xx answer, raises for anything else."""
    if not url.startswith(("https://", "http://")):
        raise PermanentFailure(f"{what}: not an http(s) address: {url}")
    method = "GET" if data is None else "POST"
    outgoing = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    for name, value in {"User-Agent": USER_AGENT, **headers}.items():
        outgoing.add_header(name, value)
    try:
        with _opener.open(outgoing, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        try:
            text = error.read(2000).decode(errors="replace")
        except Exception:
            text = ""
        error.close()
        reason = f"{what}: HTTP {error.code}"
        if text.strip():
            reason += f": {_message(text)}"
        temporary = error.code >= 500 or error.code in TEMPORARY
        failure = (TemporaryFailure if temporary else PermanentFailure)(reason)
        failure.status = error.code
        raise failure from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise TemporaryFailure(f"{what}: {type(error).__name__}: {reason}"[:500]) from error


def _json(body: bytes, what: str) -> dict:
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise TemporaryFailure(f"{what}: the answer is not JSON") from error
    if not isinstance(answer, dict):
        raise TemporaryFailure(f"{what}: the answer is not a JSON object")
    return answer


# --- Maskinporten ----------------------------------------------------------------------


def maskinporten_grant(
    *,
    key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    issuer: str,
    audience: str,
    scope: str = SCOPE,
    now: float | None = None,
) -> str:
    """The JWT grant Maskinporten swaps for a token: RS256, the business certificate in
    `x5c`, valid two minutes, never used twice (`jti`)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "aud": audience,
        "iss": issuer,
        "scope": scope,
        "iat": issued,
        "exp": issued + GRANT_SECONDS,
        "jti": str(uuid.uuid4()),
    }
    chain = [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()]
    return jwt.encode(claims, key, algorithm="RS256", headers={"x5c": chain})


def _token_key() -> str:
    return f"archive:fiks_io:token:{_setting('ARCHIVE_MASKINPORTEN_ISSUER')}"


def access_token() -> str:
    """A Maskinporten token for Fiks: from the cache, or fetched and kept until shortly
    before it expires."""
    key = _token_key()
    token = cache.get(key)
    if token:
        return token
    private_key, certificate = business_pair()
    grant = maskinporten_grant(
        key=private_key,
        certificate=certificate,
        issuer=_setting("ARCHIVE_MASKINPORTEN_ISSUER"),
        audience=_setting("ARCHIVE_MASKINPORTEN_AUDIENCE", DEFAULT_MASKINPORTEN_AUDIENCE),
    )
    body = urllib.parse.urlencode({"grant_type": GRANT_TYPE, "assertion": grant}).encode()
    answer = _json(
        request(
            _setting("ARCHIVE_MASKINPORTEN_URL", DEFAULT_MASKINPORTEN_URL),
            what="Maskinporten",
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        ),
        "Maskinporten",
    )
    token = answer.get("access_token")
    if not token:
        raise TemporaryFailure("Maskinporten: no access_token in the answer")
    try:
        keep = int(answer.get("expires_in", 0)) - TOKEN_MARGIN
    except (TypeError, ValueError):
        keep = 0
    if keep > 0:
        cache.set(key, token, timeout=keep)
    return token


def forget_token() -> None:
    cache.delete(_token_key())


def fiks_headers(token: str) -> dict:
    return {
        "Authorization": f"Bearer {token}",
        "IntegrasjonId": _setting("ARCHIVE_FIKS_IO_INTEGRATION_ID"),
        "IntegrasjonPassord": _setting("ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD"),
    }


# --- The archive's certificate -----------------------------------------------------------


def recipient_certificate(account: str, *, token: str) -> x509.Certificate:
    """The certificate the account publishes in the Fiks IO katalog, for encrypting to it
    (kept an hour)."""
    key = f"archive:fiks_io:certificate:{account}"
    pem = cache.get(key)
    fetched = not pem
    if fetched:
        url = api_url() + KATALOG_PATH.format(account=urllib.parse.quote(account, safe=""))
        answer = _json(
            request(
                url,
                what="Fiks IO katalog",
                headers={**fiks_headers(token), "Accept": "application/json"},
            ),
            "Fiks IO katalog",
        )
        pem = answer.get("nokkel") or answer.get("Nokkel") or ""
        if not pem:
            raise PermanentFailure(f"Fiks IO katalog: account {account} has no public key")
    try:
        certificate = _certificate_from_text(pem)
    except ValueError as error:
        raise PermanentFailure(f"Fiks IO katalog: account {account}: {error}") from error
    if fetched:
        cache.set(key, pem, timeout=CERTIFICATE_SECONDS)
    return certificate


def _certificate_from_text(text: str) -> x509.Certificate:
    if "-----BEGIN" in text:
        return x509.load_pem_x509_certificate(text.encode())
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text))
    except (ValueError, TypeError) as error:
        raise ValueError("the public key is not an X.509 certificate") from error


# --- The container -----------------------------------------------------------------------


# What packages hold, named the same on every host (the system's mime.types may differ).
MEDIA_TYPES = {".xml": "application/xml", ".pdf": "application/pdf"}
_builtin_types = mimetypes.MimeTypes()  # Python's own table only


def _media_type(name: str) -> str:
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    guessed, _encoding = _builtin_types.guess_type(name)
    return guessed or "application/octet-stream"


def manifest(entries: list[tuple[str, bytes]]) -> bytes:
    """`META-INF/asicmanifest.xml`: each file's SHA-256, the first as the root file."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f'<asic:ASiCManifest xmlns:asic="{ASIC_NS}" xmlns:ds="{DS_NS}">',
        f'  <asic:SigReference URI="{SIGNATURE_NAME}" MimeType="application/x-pkcs7-signature"/>',
    ]
    for number, (name, content) in enumerate(entries):
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
        root = ' Rootfile="true"' if number == 0 else ""
        lines += [
            f"  <asic:DataObjectReference URI={quoteattr(name)}"
            f" MimeType={quoteattr(_media_type(name))}{root}>",
            f'    <ds:DigestMethod Algorithm="{SHA256_URI}"/>',
            f"    <ds:DigestValue>{escape(digest)}</ds:DigestValue>",
            "  </asic:DataObjectReference>",
        ]
    lines.append("</asic:ASiCManifest>")
    return ("\n".join(lines) + "\n").encode()


def sign(data: bytes, key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> bytes:
    """A detached CMS (CAdES) signature over `data`, SHA-256, with the certificate."""
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(certificate, key, hashes.SHA256())
        # Binary: the bytes as they are (no MIME line endings) are what is signed.
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def asice(package: Package, key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> bytes:
    """The package as a signed ASiC-E: `mimetype` first and stored, `arkivmelding.xml`, the
    documents, the manifest, and its signature."""
    entries = [(XML_NAME, package.xml), *package.files.items()]
    names = [name for name, _content in entries]
    if len(set(names)) != len(names) or any(
        name == "mimetype" or name.startswith("META-INF/") for name in names
    ):
        raise PermanentFailure(f"{package.name}: file names clash in the container")
    listed = manifest(entries)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, "mimetype", MIMETYPE.encode(), stored=True)
        for name, content in entries:
            _write(archive, name, content)
        # The manifest before its signature: KS's Java reader checks it only in that order.
        _write(archive, MANIFEST_NAME, listed)
        _write(archive, SIGNATURE_NAME, sign(listed, key, certificate))
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, content: bytes, *, stored: bool = False):
    info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, content)


def encrypt(data: bytes, recipient_certificate: x509.Certificate) -> bytes:
    """CMS EnvelopedData (DER) for the recipient: AES-256-CBC (KS's .NET reader takes nothing
    else), the content key under RSA PKCS#1 v1.5."""
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(data)
        .add_recipient(recipient_certificate)
        .set_content_encryption_algorithm(algorithms.AES256)
        # Binary: the zip's bytes as they are, not turned into MIME text.
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


# --- The message -------------------------------------------------------------------------


def client_message_id(account: str, package: Package) -> str:
    """The same package to the same account always has the same id: a resend is seen as
    one."""
    return str(uuid.uuid5(CLIENT_MESSAGE_NS, f"{account}/{package.name}"))


def metadata(*, sender: str, recipient: str, package: Package) -> dict:
    return {
        "avsenderKontoId": sender,
        "mottakerKontoId": recipient,
        "meldingType": MESSAGE_TYPE,
        "ttl": TTL_MS,
        "headere": {"klientMeldingId": client_message_id(recipient, package)},
    }


def multipart(parts: list[tuple[str, str | None, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body of (name, file name, content type, content) parts; returns
    the body and its content type."""
    boundary = f"naboskap-{uuid.uuid4().hex}"
    body = io.BytesIO()
    for name, filename, content_type, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        body.write(f"--{boundary}\r\n".encode())
        body.write(f"Content-Disposition: {disposition}\r\n".encode())
        body.write(f"Content-Type: {content_type}\r\n\r\n".encode())
        body.write(content)
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


class FiksIOTransport:
    name = "fiks_io"

    def __init__(self, *, account: str) -> None:
        self.account = account  # the archive's Fiks IO account, the recipient

    def send(self, package: Package) -> str:
        """Sign, encrypt and send the package; returns Fiks IO's message id."""
        if not configured():
            missing = ", ".join(name for name in REQUIRED if not _setting(name))
            raise PermanentFailure(f"Fiks IO is not configured: {missing}")
        if not self.account:
            raise PermanentFailure("Fiks IO: the archive's account is not set")
        token = access_token()
        recipient = recipient_certificate(self.account, token=token)
        key, certificate = signing_pair()
        data = encrypt(asice(package, key, certificate), recipient)
        meta = metadata(
            sender=_setting("ARCHIVE_FIKS_IO_ACCOUNT"), recipient=self.account, package=package
        )
        body, content_type = multipart(
            [
                ("metadata", None, "application/json", json.dumps(meta).encode()),
                ("data", f"{package.name}.asice", "application/octet-stream", data),
            ]
        )
        try:
            answer = request(
                api_url() + SEND_PATH,
                what="Fiks IO",
                data=body,
                headers={
                    **fiks_headers(token),
                    "Content-Type": content_type,
                    "Accept": "application/json",
                },
                timeout=SEND_TIMEOUT,
            )
        except PermanentFailure as error:
            if getattr(error, "status", None) == 401:
                forget_token()  # the next try, by hand, starts with a new token
            raise
        try:
            message_id = json.loads(answer).get("meldingId")
        except (ValueError, AttributeError):
            message_id = None
        # Accepted all the same (sending again would send it twice): then it is known by
        # its klientMeldingId.
        return str(message_id or meta["headere"]["klientMeldingId"])
