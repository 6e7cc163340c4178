"""Microsoft Graph, app-only: finding someone's Microsoft Entra object id by email when the roster can't.

A Teams roster only lists the team's members. To link a person who is not (yet) in the team, the bot asks
Graph, with the bot's own app registration and the client-credentials grant:
``GET {graph_url}/v1.0/users/{email}?$select=id,displayName,mail,userPrincipalName`` (needs the
application permission ``User.Read.All``, granted by an admin).

The feature is optional: with ``WEEKNOTES_GRAPH_URL`` unset (or no client secret) it is off, every lookup
answers "off" with the reason, and nothing fails. Tokens come from MSAL, whose HTTP calls block, so MSAL
only ever runs in a worker thread; the Graph call itself is made with aiohttp.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.errors import WeeknotesError
from bot.settings import Settings

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com"
_EMAIL = re.compile(r"^[^@\s/\\#?]+@[^@\s/\\#?]+\.[^@\s/\\#?.]+$")


class GraphError(WeeknotesError):
    """Graph or the token service answered with an error (the message says which, never the secret)."""


@dataclass(frozen=True)
class GraphUser:
    """What Graph says about a user."""

    id: str
    display_name: str = ""
    mail: str = ""
    user_principal_name: str = ""


class LookupStatus(StrEnum):
    """How a lookup ended."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    OFF = "off"
    FAILED = "failed"


@dataclass(frozen=True)
class Lookup:
    """The result of a lookup: the user when found, otherwise why not (``note``, plain words)."""

    status: LookupStatus
    user: GraphUser | None = None
    note: str = ""


def graph_off_reason(settings: Settings) -> str:
    """Why Graph lookups are off for ``settings``, or ``""`` when they are on."""
    if not settings.graph_url:
        return "Graph lookups are off: WEEKNOTES_GRAPH_URL is not set."
    if not settings.app_id or not settings.app_password:
        return "Graph lookups are off: they need MicrosoftAppId and MicrosoftAppPassword (a client secret)."
    if not (settings.graph_authority or settings.app_tenant_id):
        return "Graph lookups are off: set MicrosoftAppTenantId (or WEEKNOTES_GRAPH_AUTHORITY)."
    return ""


def authority_for(settings: Settings) -> str:
    """The token authority: the configured one, or the public cloud's for the app's tenant."""
    return (settings.graph_authority or f"{PUBLIC_AUTHORITY_HOST}/{settings.app_tenant_id}").rstrip("/")


@dataclass
class GraphClient:
    """Graph lookups with one MSAL application (which caches the app token until it expires).

    Args:
        settings: where Graph and the authority are, and the app's credentials.
        verify: TLS verification for both the authority and Graph: ``True``, or a CA bundle path (tests).
        timeout: seconds for each HTTP call.
    """

    settings: Settings
    verify: bool | str = True
    timeout: float = 10.0
    _msal: Any = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    @property
    def enabled(self) -> bool:
        return not graph_off_reason(self.settings)

    def _acquire_blocking(self) -> dict[str, Any]:
        import msal

        if self._msal is None:
            custom = bool(self.settings.graph_authority)
            self._msal = msal.ConfidentialClientApplication(
                self.settings.app_id,
                client_credential=self.settings.app_password,
                authority=authority_for(self.settings),
                # A configured authority (a sovereign cloud, or a test's loopback) is not one MSAL knows.
                validate_authority=not custom,
                instance_discovery=False if custom else None,
                http_client=_Http(self.verify),
                timeout=self.timeout,
            )
        result: dict[str, Any] = self._msal.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        return result

    async def token(self) -> str:
        """An app-only access token for Graph.

        Raises:
            GraphError: the token service refused or could not be reached.
        """
        async with self._lock:
            try:
                result = await asyncio.to_thread(self._acquire_blocking)
            except Exception as error:  # MSAL raises ValueError, requests' errors, ...
                self._msal = None
                raise GraphError(f"could not get a Graph token: {type(error).__name__}") from error
        token = result.get("access_token")
        if not isinstance(token, str) or not token:
            code = result.get("error", "no token")
            raise GraphError(f"the token service refused the app: {code}")
        return token

    def _ssl(self) -> ssl.SSLContext | bool:
        if isinstance(self.verify, str):
            return ssl.create_default_context(cafile=self.verify)
        return bool(self.verify)

    async def user_by_email(self, email: str) -> GraphUser | None:
        """The user whose UPN (or, failing that, mail) is ``email``, or ``None`` if Graph has nobody.

        Raises:
            GraphError: Graph or the token service failed.
        """
        token = await self.token()
        base = self.settings.graph_url.rstrip("/")
        select = "$select=id,displayName,mail,userPrincipalName"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            url = f"{base}/v1.0/users/{quote(email, safe='@')}?{select}"
            async with session.get(url, headers=headers, ssl=self._ssl()) as response:
                if response.status == 200:
                    return _user(await response.json(content_type=None))
                if response.status not in (400, 404):
                    raise GraphError(f"Graph answered {response.status} for a user lookup")
            # Not a UPN: a guest or someone whose mail differs from their UPN.
            escaped = email.replace("'", "''")
            url = f"{base}/v1.0/users"
            params = {"$filter": f"mail eq '{escaped}'", "$select": select.removeprefix("$select=")}
            async with session.get(url, headers=headers, params=params, ssl=self._ssl()) as response:
                if response.status != 200:
                    raise GraphError(f"Graph answered {response.status} for a user search")
                found = (await response.json(content_type=None)).get("value") or []
                return _user(found[0]) if found else None

    async def lookup(self, email: str) -> Lookup:
        """Find ``email``; never raises: failures and "off" come back as a status with a note."""
        reason = graph_off_reason(self.settings)
        if reason:
            log.info("%s", reason)
            return Lookup(LookupStatus.OFF, note=reason)
        email = email.strip().lower()
        if not _EMAIL.match(email):
            return Lookup(LookupStatus.NOT_FOUND, note=f"{email[:80]!r} is not an email address.")
        try:
            user = await self.user_by_email(email)
        except (GraphError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("Graph lookup failed: %s", error if isinstance(error, GraphError) else type(error))
            return Lookup(LookupStatus.FAILED, note=f"Graph lookup failed ({type(error).__name__}).")
        if user is None:
            return Lookup(LookupStatus.NOT_FOUND, note=f"Graph has nobody with the address {email}.")
        return Lookup(LookupStatus.FOUND, user=user)


class _Http:
    """MSAL's HTTP client: ``requests``, with ``verify`` passed on every call.

    A session's own ``verify`` loses to ``REQUESTS_CA_BUNDLE`` in the environment; passed per call it wins.
    """

    def __init__(self, verify: bool | str) -> None:
        import requests

        self._session = requests.Session()
        self._verify = verify

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("verify", self._verify)
        return self._session.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("verify", self._verify)
        return self._session.post(url, **kwargs)

    def close(self) -> None:
        self._session.close()


def _user(data: Any) -> GraphUser | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        return None
    return GraphUser(
        id=data["id"],
        display_name=str(data.get("displayName") or ""),
        mail=str(data.get("mail") or "").lower(),
        user_principal_name=str(data.get("userPrincipalName") or "").lower(),
    )


async def lookup_by_email(settings: Settings, email: str, *, client: GraphClient | None = None) -> Lookup:
    """Look ``email`` up in Graph (see :meth:`GraphClient.lookup`); pass ``client`` to reuse its token."""
    return await (client or GraphClient(settings)).lookup(email)


async def resolve_by_email(
    settings: Settings, email: str, *, client: GraphClient | None = None
) -> GraphUser | None:
    """The Graph user for ``email``, or ``None`` when not found, Graph is off, or the lookup failed.

    Failures and "off" are logged, never raised, so a caller (setup, the cadence) can always go on.
    """
    return (await lookup_by_email(settings, email, client=client)).user
