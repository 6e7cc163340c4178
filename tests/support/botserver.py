"""The real Weeknotes app on an ephemeral loopback port, authenticated like Teams, with a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from botframework.connector.auth import MicrosoftAppCredentials, ServiceClientCredentialsFactory

from bot.app import SERVICES, create_app
from bot.ports import Services
from bot.settings import Settings
from tests.support.connector import FakeConnector
from tests.support.oidc import LocalOidc
from tests.support.teams import APP_ID, TENANT

OUTBOUND_TOKEN = "outbound-test-token"
APP_PASSWORD = "app-password-that-must-never-be-logged"


class _StaticCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """Outbound credentials with a fixed token: no call to the login service."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return OUTBOUND_TOKEN


class StaticCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Injected through the adapter's credentials factory (auth stays on)."""

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> MicrosoftAppCredentials:
        return _StaticCredentials(app_id, APP_PASSWORD, oauth_scope=oauth_scope)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 5, 14, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


def bot_settings(connection_string: str, table_prefix: str, oidc: LocalOidc, **overrides: Any) -> Settings:
    """Settings as a production-like instance, pointed at loopback services."""
    settings = Settings(
        app_id=APP_ID,
        app_password=APP_PASSWORD,
        app_tenant_id=TENANT,
        storage=connection_string,
        table_prefix=table_prefix,
        allowed_tenants=frozenset({TENANT}),
        openid_metadata_url=oidc.metadata_url,
    )
    return replace(settings, **overrides)


class BotServer:
    """A running app and a client that talks to it as Teams would."""

    def __init__(self, settings: Settings, connector: FakeConnector, oidc: LocalOidc, clock: Clock) -> None:
        self.settings = settings
        self.connector = connector
        self.oidc = oidc
        self.clock = clock
        self.app = create_app(settings, credentials=StaticCredentialsFactory(), clock=clock)
        self._runner = web.AppRunner(self.app, access_log=None)
        self.url = ""
        self.http: aiohttp.ClientSession | None = None

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self.http = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self._runner.cleanup()

    def token(self, **overrides: Any) -> str:
        return self.oidc.mint(audience=APP_ID, service_url=self.connector.url, **overrides)

    async def post(
        self, activity: dict[str, Any], *, token: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """POST an activity to /api/messages; returns (status, parsed JSON body or text)."""
        assert self.http is not None
        sent_headers = {"Authorization": f"Bearer {token or self.token()}"}
        sent_headers.update(headers or {})
        async with self.http.post(
            f"{self.url}/api/messages", json=activity, headers=sent_headers
        ) as response:
            text = await response.text()
            try:
                body: Any = await response.json(content_type=None) if text else None
            except ValueError:
                body = text
            return response.status, body
