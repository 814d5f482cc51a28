"""The archive's answers by Fiks IO (ADR 0033): what an archive that takes packages by Fiks IO
says back, read from Naboskap's own account's queue and recorded on the registrations.

Fiks IO delivers every message for an account to the AMQP queue `fiksio.konto.<account>`
(AMQP 0-9-1 over TLS, io.fiks.ks.no:5671; user name: the Fiks integration's id; password: the
integration's password, a space and a Maskinporten token). Each message carries its type,
its id, the sender's account and the id of the message it answers (`svar-til`) in headers,
and its payload as an ASiC-E container encrypted for the account's certificate (CMS, as
Naboskap sends). The archive answers a package three ways:

- `…arkivmelding.opprett.mottatt`: it has the package (no payload). Nothing changes here: the
  registration is already *sent*.
- `…arkivmelding.opprett.kvittering`: the receipt (`arkivmeldingKvittering`, read as the folder
  transport's receipts are, by `receipts.parse`): archived, with its numbers, or what failed.
- `no.ks.fiks.arkiv.v1.feilmelding.*`: the archive could not take it, with a message
  (`feilId`, `feilmelding`). `serverfeil` is the archive's own trouble: the registration is
  sent again later, as after a failed send. The others (an invalid request, something not
  found) will not pass on another try: the registration has failed, with the message.

The worker drains the queue in its `archive_receipts` job (every ten minutes) with
`basic_get`, so no process waits on a connection: a message is acknowledged only once what it
says is saved, so a crash before that leaves it in the queue for the next run. A message that
cannot be read (not for an archive Naboskap knows, not decryptable) is logged with its id and
acknowledged: it would never read better.

Settings, beside fiks_io's:
- ARCHIVE_FIKS_IO_AMQP_URL: default amqps://io.fiks.ks.no:5671/ (test:
  amqps://io.fiks.test.ks.no:5671/); the user and password come from the integration.
- ARCHIVE_FIKS_IO_ACCOUNT_KEY, ARCHIVE_FIKS_IO_ACCOUNT_CERTIFICATE: paths of the PEM key and
  certificate of Naboskap's account (the certificate given to the account in Fiks
  forvaltning), which answers are encrypted for; unset, the signing pair (fiks_io).
"""

from __future__ import annotations

import io
import logging
import xml.etree.ElementTree as ET
import zipfile

import pika
import pika.exceptions
from cryptography.hazmat.primitives.serialization import pkcs7
from django.db import transaction

from naboskap.archive import delivery, fiks_io, receipts, transports
from naboskap.archive.arkivmelding import MESSAGE_TYPE
from naboskap.archive.models import Registration, Settings

logger = logging.getLogger(__name__)

DEFAULT_AMQP_URL = "amqps://io.fiks.ks.no:5671/"
QUEUE_PREFIX = "fiksio.konto."
RECEIVED = f"{MESSAGE_TYPE}.mottatt"
RECEIPT = f"{MESSAGE_TYPE}.kvittering"
ERROR_PREFIX = "no.ks.fiks.arkiv.v1.feilmelding."
SERVER_ERROR = f"{ERROR_PREFIX}serverfeil"
# At most this many messages a run: the next run, ten minutes on, takes the rest.
MAX_MESSAGES = 500


class Unreadable(ValueError):
    """A message that will never read better: logged and acknowledged."""


def queue_name() -> str:
    return QUEUE_PREFIX + fiks_io._setting("ARCHIVE_FIKS_IO_ACCOUNT")


def parameters() -> pika.URLParameters:
    """Where and as whom: the URL's host, port, virtual host and TLS; the integration's
    credentials with a fresh Maskinporten token."""
    found = pika.URLParameters(fiks_io._setting("ARCHIVE_FIKS_IO_AMQP_URL", DEFAULT_AMQP_URL))
    password = fiks_io._setting("ARCHIVE_FIKS_IO_INTEGRATION_PASSWORD")
    found.credentials = pika.PlainCredentials(
        fiks_io._setting("ARCHIVE_FIKS_IO_INTEGRATION_ID"), f"{password} {fiks_io.access_token()}"
    )
    return found


def account_pair():
    """The key and certificate answers to Naboskap's account are encrypted for."""
    key_path = fiks_io._setting("ARCHIVE_FIKS_IO_ACCOUNT_KEY")
    if not key_path:
        return fiks_io.signing_pair()
    return (
        fiks_io.load_key(key_path),
        fiks_io.load_certificate(fiks_io._setting("ARCHIVE_FIKS_IO_ACCOUNT_CERTIFICATE")),
    )


def _header(headers: dict, name: str) -> str:
    value = headers.get(name, "")
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


def payload(body: bytes, key, certificate) -> bytes:
    """The XML document in the decrypted ASiC-E container (the first one outside
    META-INF)."""
    try:
        container = pkcs7.pkcs7_decrypt_der(body, certificate, key, [])
    except ValueError as error:
        raise Unreadable(f"cannot be decrypted: {error}") from error
    try:
        with zipfile.ZipFile(io.BytesIO(container)) as found:
            names = [
                name
                for name in found.namelist()
                if name.lower().endswith(".xml") and not name.startswith("META-INF/")
            ]
            if not names:
                raise Unreadable("the container holds no XML document")
            return found.read(names[0])
    except zipfile.BadZipFile as error:
        raise Unreadable(f"not an ASiC-E container: {error}") from error


def error_text(xml: bytes) -> str:
    """ "feilmelding (feilId)" of a Fiks Arkiv error message, read by element names."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 (the archive's own message)
    except ET.ParseError as error:
        raise Unreadable(f"the error message is not XML: {error}") from error
    texts = {receipts.local_name(e.tag): (e.text or "").strip() for e in root.iter()}
    message = texts.get("feilmelding") or receipts.local_name(root.tag)
    return f"{message} ({texts['feilId']})" if texts.get("feilId") else message


def handle(headers: dict, body: bytes, *, key, certificate) -> str:
    """Record what one message says; returns a word for the log. Raises Unreadable."""
    kind = _header(headers, "type")
    sender = _header(headers, "avsender-id")
    archive = Settings.objects.filter(fiks_io_account=sender).select_related("municipality")
    archive = archive.first() if sender else None
    if archive is None:
        raise Unreadable(f"from an account no municipality archives to ({sender or 'none'})")
    if kind == RECEIVED:
        return "received"
    if kind == RECEIPT:
        try:
            answers = receipts.parse(payload(body, key, certificate))
        except ValueError as error:  # not a receipt (Unreadable is one too)
            raise Unreadable(str(error)) from error
        with transaction.atomic():
            receipts.record(answers, municipality=archive.municipality)
        return "receipt"
    if kind.startswith(ERROR_PREFIX):
        reason = error_text(payload(body, key, certificate))
        answered = _header(headers, "svar-til")
        found = Registration.objects.filter(
            municipality=archive.municipality, package=answered, status=Registration.Status.SENT
        ).first()
        if answered and found is not None:
            delivery.refused(found, reason, temporary=kind == SERVER_ERROR)
        return "error"
    raise Unreadable(f"of a type Naboskap does not read ({kind or 'none'})")


def receive(limit: int = MAX_MESSAGES) -> int:
    """Drain the account's queue (up to `limit` messages); returns how many were read.
    Nothing to do unless Fiks IO is configured."""
    if not fiks_io.configured():
        return 0
    key, certificate = account_pair()
    try:
        connection = pika.BlockingConnection(parameters())
    except pika.exceptions.AMQPError as error:
        raise transports.TemporaryFailure(
            f"Fiks IO: the queue could not be reached: {error!r}"
        ) from error
    read = 0
    try:
        channel = connection.channel()
        while read < limit:
            method, properties, body = channel.basic_get(queue_name(), auto_ack=False)
            if method is None:
                break
            headers = properties.headers or {}
            try:
                handle(headers, body, key=key, certificate=certificate)
            except Unreadable as error:
                logger.warning(
                    "Fiks IO message %s could not be read: %s",
                    _header(headers, "melding-id"),
                    error,
                )
            except Exception:
                channel.basic_nack(method.delivery_tag, requeue=True)
                raise
            channel.basic_ack(method.delivery_tag)
            read += 1
    finally:
        connection.close()
    return read
