"""A loopback OpenID issuer with its own RSA key, minting Bot-Framework-shaped JWTs.

botbuilder fetches the metadata and keys with blocking ``requests``, so this server runs in a thread.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"


def new_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class LocalOidc:
    """Serves ``/.well-known/openidconfiguration`` and ``/keys``; mints tokens signed by its key."""

    def __init__(self, endorsements: tuple[str, ...] = ("msteams",)) -> None:
        self.key = new_key()
        self.kid = "test-" + uuid.uuid4().hex[:8]
        self.endorsements = list(endorsements)
        self._server: ThreadingHTTPServer | None = None
        self.requests = 0

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/.well-known/openidconfiguration"

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": self.kid, "use": "sig", "alg": "RS256", "endorsements": self.endorsements})
        return {"keys": [public]}

    def start(self) -> None:
        oidc = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                oidc.requests += 1
                if self.path.startswith("/.well-known/openidconfiguration"):
                    payload: dict[str, Any] = {
                        "issuer": ISSUER,
                        "jwks_uri": f"{oidc.base}/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path.startswith("/keys"):
                    payload = oidc.jwks()
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def mint(
        self,
        *,
        audience: str,
        service_url: str,
        issuer: str = ISSUER,
        lifetime: int = 3600,
        not_before: int | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        algorithm: str = "RS256",
        extra: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
    ) -> str:
        """A channel token as Teams sends it (change any part to forge a bad one)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 60 if not_before is None else not_before,
            "iat": now - 60,
            "exp": now + lifetime,
        }
        claims.update(extra or {})
        for name in drop:
            claims.pop(name, None)
        headers = {"kid": kid or self.kid}
        if algorithm == "HS256":
            return jwt.encode(
                claims, "a-shared-secret-of-enough-length-32b", algorithm="HS256", headers=headers
            )
        if algorithm == "none":
            return jwt.encode(claims, None, algorithm="none", headers=headers)  # type: ignore[arg-type]
        return jwt.encode(claims, key or self.key, algorithm=algorithm, headers=headers)
