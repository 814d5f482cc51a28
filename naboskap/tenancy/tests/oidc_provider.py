"""A small OpenID Connect provider for tests, served over HTTP on 127.0.0.1 from a thread.

It implements the authorization code flow as Entra ID and ID-porten do for a confidential
client: discovery, authorize (the "user" who logs in is whoever the test put in
`next_user`), token (client secret in the body, PKCE S256, an RS256-signed id_token), userinfo
and JWKS. Every request is kept in `requests` so tests can check what the client sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    claims: dict
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None


@dataclass
class MockOpenIDProvider:
    client_id: str = "naboskap-test"
    client_secret: str = "s3cret"
    # The claims of the user who "logs in" at the next authorize request.
    next_user: dict = field(default_factory=lambda: {"sub": "user-1"})
    # Overrides for the next id_token (e.g. a wrong audience).
    id_token_overrides: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)

    def __post_init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._grants: dict[str, Grant] = {}
        self._tokens: dict[str, dict] = {}
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    # Serving -------------------------------------------------------------------------

    def start(self) -> MockOpenIDProvider:
        self._server = make_server("127.0.0.1", 0, self._app, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def endpoint(self, name: str) -> str:
        return f"{self.issuer}/{name}"

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    # The WSGI application ------------------------------------------------------------

    def _app(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form = {}
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
        self.requests.append(
            {
                "method": environ["REQUEST_METHOD"],
                "path": path,
                "query": query,
                "form": form,
                "authorization": environ.get("HTTP_AUTHORIZATION", ""),
            }
        )
        handler = {
            "/.well-known/openid-configuration": self._discovery,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo,
            "/jwks": self._jwks,
        }.get(path)
        if handler is None:
            return self._json(start_response, {"error": "not_found"}, "404 Not Found")
        return handler(environ, query, form, start_response)

    @staticmethod
    def _json(start_response, data, status="200 OK", headers=()):
        body = json.dumps(data).encode()
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers],
        )
        return [body]

    def _discovery(self, environ, query, form, start_response):
        return self._json(
            start_response,
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.endpoint("authorize"),
                "token_endpoint": self.endpoint("token"),
                "userinfo_endpoint": self.endpoint("userinfo"),
                "jwks_uri": self.endpoint("jwks"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "profile", "email"],
            },
        )

    def _authorize(self, environ, query, form, start_response):
        redirect_uri = query.get("redirect_uri", "")
        if (
            query.get("client_id") != self.client_id
            or query.get("response_type") != "code"
            or "openid" not in query.get("scope", "").split()
            or not redirect_uri
        ):
            return self._json(start_response, {"error": "invalid_request"}, "400 Bad Request")
        code = secrets.token_urlsafe(16)
        self._grants[code] = Grant(
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            claims=dict(self.next_user),
            code_challenge=query.get("code_challenge"),
            code_challenge_method=query.get("code_challenge_method"),
            nonce=query.get("nonce"),
        )
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        parts = urlsplit(redirect_uri)
        joined = "&".join(filter(None, [parts.query, urlencode(params)]))
        location = urlunsplit(parts._replace(query=joined))
        start_response("302 Found", [("Location", location), ("Content-Length", "0")])
        return [b""]

    def _token_error(self, start_response, error):
        return self._json(start_response, {"error": error}, "400 Bad Request")

    def _token(self, environ, query, form, start_response):
        grant = self._grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return self._token_error(start_response, "invalid_grant")
        if form.get("client_id") != grant.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return self._token_error(start_response, "invalid_client")
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._token_error(start_response, "invalid_grant")
        if grant.code_challenge:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant.code_challenge_method != "S256" or expected != grant.code_challenge:
                return self._token_error(start_response, "invalid_grant")
        access_token = secrets.token_urlsafe(24)
        self._tokens[access_token] = grant.claims
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            **({"nonce": grant.nonce} if grant.nonce else {}),
            **grant.claims,
            **self.id_token_overrides,
        }
        id_token = jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self._kid})
        return self._json(
            start_response,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
            headers=[("Cache-Control", "no-store")],
        )

    def _userinfo(self, environ, query, form, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        claims = self._tokens.get(auth.removeprefix("Bearer ").strip())
        if not auth.startswith("Bearer ") or claims is None:
            return self._json(
                start_response,
                {"error": "invalid_token"},
                "401 Unauthorized",
                headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')],
            )
        return self._json(start_response, claims)

    def _jwks(self, environ, query, form, start_response):
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self._kid, "use": "sig", "alg": "RS256"})
        return self._json(start_response, {"keys": [jwk]})
