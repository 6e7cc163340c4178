"""Settings: defaults, overrides, and one clear message for every bad or missing value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import DEV_STORAGE, Environment, Settings

PRODUCTION = {
    "WEEKNOTES_ENV": "production",
    "MicrosoftAppId": "app-id",
    "MicrosoftAppPassword": "secret",
    "MicrosoftAppTenantId": "tenant-id",
    "WEEKNOTES_ALLOWED_TENANTS": "11111111-2222-3333-4444-555555555555",
    "WEEKNOTES_STORAGE": (
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eA==;EndpointSuffix=core.windows.net"
    ),
}


def test_defaults_are_local() -> None:
    settings = Settings.from_env({})
    assert settings.env is Environment.LOCAL
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    assert settings.storage == DEV_STORAGE
    assert settings.table_prefix == "weeknotes"
    assert settings.timezone == "Europe/London"
    assert settings.allowed_tenants == frozenset()
    assert not settings.auth_enabled


def test_production_with_everything_starts() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.env is Environment.PRODUCTION
    assert settings.auth_enabled
    assert settings.allowed_tenants == {"11111111-2222-3333-4444-555555555555"}


@pytest.mark.parametrize("missing", ["MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"])
def test_production_names_the_missing_setting(missing: str) -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(SettingsError) as error:
        Settings.from_env(environ)
    assert f"{missing} is missing" in str(error.value)
    assert "Traceback" not in str(error.value)


def test_managed_identity_needs_no_password() -> None:
    environ = {k: v for k, v in PRODUCTION.items() if k != "MicrosoftAppPassword"}
    environ["MicrosoftAppType"] = "UserAssignedMSI"
    assert Settings.from_env(environ).app_type == "UserAssignedMSI"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("WEEKNOTES_PORT", "eighty", "WEEKNOTES_PORT is 'eighty'; it must be a whole number"),
        ("WEEKNOTES_PORT", "70000", "WEEKNOTES_PORT is 70000; it must be between 1 and 65535"),
        ("WEEKNOTES_TIMEZONE", "Mars/Olympus", "WEEKNOTES_TIMEZONE is 'Mars/Olympus'"),
        ("WEEKNOTES_ENV", "staging", "WEEKNOTES_ENV is 'staging'; it must be one of: local, production"),
        ("WEEKNOTES_TABLE_PREFIX", "bad-prefix", "WEEKNOTES_TABLE_PREFIX is 'bad-prefix'"),
        ("WEEKNOTES_ALLOWED_TENANTS", "ok-1, not a guid", "WEEKNOTES_ALLOWED_TENANTS has 'not a guid'"),
        ("MicrosoftAppType", "Anonymous", "MicrosoftAppType is 'Anonymous'"),
        ("WEEKNOTES_HOST", "not a host!", "WEEKNOTES_HOST is 'not a host!'"),
    ],
)
def test_malformed_values_are_named(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({name: value})
    assert says in str(error.value)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"WEEKNOTES_ENV": "production", "WEEKNOTES_PORT": "x"})
    text = str(error.value)
    for name in (
        "MicrosoftAppId",
        "MicrosoftAppPassword",
        "MicrosoftAppTenantId",
        "WEEKNOTES_PORT",
        "WEEKNOTES_ALLOWED_TENANTS",
        "WEEKNOTES_STORAGE",
    ):
        assert name in text


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("WEEKNOTES_PORT=4000\nWEEKNOTES_TABLE_PREFIX=fromfile\n", encoding="utf-8")
    settings = Settings.from_env({"WEEKNOTES_PORT": "5000"}, dotenv=dotenv)
    assert settings.port == 5000
    assert settings.table_prefix == "fromfile"


def test_secrets_do_not_appear_in_repr() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert "secret" not in repr(settings)
    assert "AccountKey" not in repr(settings)
