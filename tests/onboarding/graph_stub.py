"""A loopback Microsoft identity platform and Microsoft Graph, over HTTPS, served from a thread.

MSAL only talks HTTPS (it refuses an ``http://`` authority) and fetches OpenID discovery and tokens with
blocking ``requests``, so the stub is a plain ``http.server`` in its own thread with a self-signed
certificate for 127.0.0.1; clients trust it through ``ca_path``.

Served:
- ``GET /{tenant}/v2.0/.well-known/openid-configuration``: discovery, pointing at the token endpoint here;
- ``POST /{tenant}/oauth2/v2.0/token``: client credentials; the right secret gets ``TOKEN``;
- ``GET /v1.0/users/{email}`` and ``GET /v1.0/users?$filter=mail eq '...'``: the users in ``users``
  (on ``graph_url``, and on ``plain_graph_url`` without TLS).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TOKEN = "graph-app-token"


def write_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for 127.0.0.1 and localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "stub.crt", folder / "stub.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class GraphStub:
    """The stub; ``authority`` and ``graph_url`` go into the bot's settings."""

    def __init__(self, folder: Path, *, tenant: str, client_id: str, secret: str) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.secret = secret
        self.users: dict[str, dict[str, str]] = {}
        self.requests: list[tuple[str, str]] = []
        self.token_requests: list[dict[str, list[str]]] = []
        self.ca_path, key_path = write_certificate(folder)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_path, key_path)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self._server.server_address[1]}"
        # Graph itself also plain HTTP (``plain_graph_url``), for a bot whose aiohttp has no test CA.
        self._plain = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.plain_graph_url = f"http://127.0.0.1:{self._plain.server_address[1]}"
        self._threads = [
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            for server in (self._server, self._plain)
        ]

    @property
    def authority(self) -> str:
        return f"{self.base}/{self.tenant}"

    @property
    def graph_url(self) -> str:
        return self.base

    def add_user(self, email: str, object_id: str, name: str, *, upn: str = "") -> None:
        """A user Graph knows: found by UPN (``upn`` or ``email``), or by ``mail``."""
        self.users[object_id] = {
            "id": object_id,
            "displayName": name,
            "mail": email,
            "userPrincipalName": upn or email,
        }

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        for server in (self._server, self._plain):
            server.shutdown()
            server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                stub.requests.append(("GET", self.path))
                if url.path == f"/{stub.tenant}/v2.0/.well-known/openid-configuration":
                    root = f"{stub.base}/{stub.tenant}"
                    self._json(
                        200,
                        {
                            "issuer": f"{root}/v2.0",
                            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                            "token_endpoint": f"{root}/oauth2/v2.0/token",
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        },
                    )
                    return
                if not url.path.startswith("/v1.0/users"):
                    self._json(404, {"error": {"code": "NotFound"}})
                    return
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._json(401, {"error": {"code": "InvalidAuthenticationToken"}})
                    return
                if url.path == "/v1.0/users":
                    wanted = parse_qs(url.query).get("$filter", [""])[0]
                    found = [u for u in stub.users.values() if wanted == f"mail eq '{u['mail']}'"]
                    self._json(200, {"value": found})
                    return
                key = unquote(url.path.removeprefix("/v1.0/users/")).lower()
                user = next(
                    (u for u in stub.users.values() if key in (u["id"], u["userPrincipalName"].lower())),
                    None,
                )
                if user is None:
                    self._json(404, {"error": {"code": "Request_ResourceNotFound"}})
                else:
                    self._json(200, user)

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                stub.requests.append(("POST", self.path))
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                if url.path != f"/{stub.tenant}/oauth2/v2.0/token":
                    self._json(404, {"error": "not_found"})
                    return
                stub.token_requests.append(form)
                ok = (
                    form.get("grant_type") == ["client_credentials"]
                    and form.get("client_id") == [stub.client_id]
                    and form.get("client_secret") == [stub.secret]
                    and form.get("scope", [""])[0].split() == ["https://graph.microsoft.com/.default"]
                )
                if not ok:
                    self._json(401, {"error": "invalid_client", "error_description": "bad secret"})
                    return
                self._json(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": TOKEN})

        return Handler
