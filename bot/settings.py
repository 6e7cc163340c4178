"""Settings: one frozen object, built once from the environment and validated with plain messages."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import SettingsError

DEV_STORAGE = "UseDevelopmentStorage=true"


class Environment(StrEnum):
    """Where the service runs."""

    LOCAL = "local"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment. Tests build it directly."""

    app_id: str = ""
    app_password: str = field(default="", repr=False)
    app_tenant_id: str = ""
    app_type: str = "SingleTenant"
    storage: str = field(default=DEV_STORAGE, repr=False)
    table_prefix: str = "weeknotes"
    host: str = "127.0.0.1"
    port: int = 3978
    timezone: str = "Europe/London"
    allowed_tenants: frozenset[str] = frozenset()
    env: Environment = Environment.LOCAL
    retention_weeks: int = 0
    tick_seconds: float = 60.0
    max_body_bytes: int = 256 * 1024
    # Authentication endpoints; empty means Microsoft's public cloud. Tests point them at loopback.
    openid_metadata_url: str = ""
    token_issuer: str = ""
    oauth_scope: str = ""
    login_url: str = ""
    graph_url: str = ""
    graph_authority: str = ""

    @property
    def auth_enabled(self) -> bool:
        """Inbound tokens are validated whenever an app id is set (always, in production)."""
        return bool(self.app_id)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, dotenv: Path | None = None) -> Settings:
        """Build settings from ``environ`` (and a ``.env`` file, whose values ``environ`` overrides).

        Raises:
            SettingsError: naming every variable that is missing or malformed.
        """
        values = dict(_read_dotenv(dotenv)) if dotenv else {}
        values.update(environ)
        reader = _Reader(values)
        settings = cls(
            app_id=reader.text("MicrosoftAppId"),
            app_password=reader.text("MicrosoftAppPassword"),
            app_tenant_id=reader.text("MicrosoftAppTenantId"),
            app_type=reader.choice(
                "MicrosoftAppType", ("SingleTenant", "UserAssignedMSI", "MultiTenant"), "SingleTenant"
            ),
            storage=reader.text("WEEKNOTES_STORAGE", DEV_STORAGE),
            table_prefix=reader.table_prefix("WEEKNOTES_TABLE_PREFIX", "weeknotes"),
            host=reader.host("WEEKNOTES_HOST", "127.0.0.1"),
            port=reader.integer("WEEKNOTES_PORT", 3978, low=1, high=65535),
            timezone=reader.zone("WEEKNOTES_TIMEZONE", "Europe/London"),
            allowed_tenants=reader.id_set("WEEKNOTES_ALLOWED_TENANTS"),
            env=Environment(reader.choice("WEEKNOTES_ENV", tuple(Environment), "local")),
            retention_weeks=reader.integer("WEEKNOTES_RETENTION_WEEKS", 0, low=0, high=10_000),
            tick_seconds=float(reader.integer("WEEKNOTES_TICK_SECONDS", 60, low=1, high=3600)),
            openid_metadata_url=reader.text("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"),
            token_issuer=reader.text("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"),
            oauth_scope=reader.text("TO_CHANNEL_FROM_BOT_OAUTH_SCOPE"),
            login_url=reader.text("TO_CHANNEL_FROM_BOT_LOGIN_URL"),
            graph_url=reader.text("WEEKNOTES_GRAPH_URL"),
            graph_authority=reader.text("WEEKNOTES_GRAPH_AUTHORITY"),
        )
        if settings.env is Environment.PRODUCTION:
            reader.require_production(settings)
        reader.raise_if_problems()
        return settings


class _Reader:
    """Reads variables, collecting every problem so that one error names them all."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values
        self.problems: list[str] = []

    def text(self, name: str, default: str = "") -> str:
        return self._values.get(name, "").strip() or default

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name, default)
        if value not in allowed:
            self.problems.append(f"{name} is {value!r}; it must be one of: {', '.join(allowed)}.")
            return default
        return value

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name} is {raw!r}; it must be a whole number.")
            return default
        if not low <= value <= high:
            self.problems.append(f"{name} is {value}; it must be between {low} and {high}.")
            return default
        return value

    def host(self, name: str, default: str) -> str:
        value = self.text(name, default)
        if value == "localhost":
            return value
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not value.replace("-", "").replace(".", "").isalnum():
                self.problems.append(f"{name} is {value!r}; it must be an IP address or a host name.")
                return default
        return value

    def zone(self, name: str, default: str) -> str:
        value = self.text(name, default)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problems.append(f"{name} is {value!r}; it must be an IANA time zone such as Europe/London.")
            return default
        return value

    def table_prefix(self, name: str, default: str) -> str:
        value = self.text(name, default)
        if not (value.isascii() and value.isalnum() and value[0].isalpha() and len(value) <= 40):
            self.problems.append(
                f"{name} is {value!r}; it must be letters and digits only, start with a letter, "
                "and be at most 40 characters."
            )
            return default
        return value

    def id_set(self, name: str) -> frozenset[str]:
        raw = self.text(name)
        items = [item.strip() for item in raw.split(",") if item.strip()]
        bad = [item for item in items if not all(c.isalnum() or c == "-" for c in item)]
        if bad:
            self.problems.append(
                f"{name} has {', '.join(map(repr, bad))}; tenant ids are GUIDs, comma-separated."
            )
        return frozenset(item.lower() for item in items)

    def require_production(self, settings: Settings) -> None:
        needs_password = settings.app_type != "UserAssignedMSI"
        required = {
            "MicrosoftAppId": settings.app_id,
            "MicrosoftAppTenantId": settings.app_tenant_id,
        }
        if needs_password:
            required["MicrosoftAppPassword"] = settings.app_password
        for name, value in required.items():
            if not value:
                self.problems.append(f"{name} is missing; production needs it (WEEKNOTES_ENV=production).")
        if not settings.allowed_tenants:
            self.problems.append(
                "WEEKNOTES_ALLOWED_TENANTS is empty; production must name the tenants it serves."
            )
        if settings.storage == DEV_STORAGE:
            self.problems.append(
                "WEEKNOTES_STORAGE is the local Azurite default; production needs a real account."
            )

    def raise_if_problems(self) -> None:
        if self.problems:
            raise SettingsError("Weeknotes cannot start:\n- " + "\n- ".join(self.problems))


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(path).items() if value is not None}
