"""Graph lookups by email (msal client credentials, app-only) against a loopback authority and Graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.graph import GraphClient, LookupStatus, graph_off_reason, lookup_by_email, resolve_by_email
from bot.settings import Settings
from tests.onboarding.graph_stub import GraphStub

TENANT = "11111111-2222-3333-4444-555555555555"
APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"
SECRET = "graph-secret-that-must-never-be-logged"


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[GraphStub]:
    server = GraphStub(tmp_path, tenant=TENANT, client_id=APP_ID, secret=SECRET)
    server.add_user("megan.lloyd@example.org", "aad-megan", "Megan Lloyd")
    server.add_user(
        "guest.person@partner.example", "aad-guest", "Guest Person", upn="guest_partner#EXT#@x.org"
    )
    server.start()
    yield server
    server.stop()


def settings_for(stub: GraphStub, **overrides: str) -> Settings:
    values = {
        "app_id": APP_ID,
        "app_password": SECRET,
        "app_tenant_id": TENANT,
        "graph_url": stub.graph_url,
        "graph_authority": stub.authority,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def test_a_user_is_found_by_email_with_an_app_only_token(stub: GraphStub) -> None:
    client = GraphClient(settings_for(stub), verify=str(stub.ca_path))
    lookup = await client.lookup("Megan.Lloyd@example.org")
    assert lookup.status is LookupStatus.FOUND and lookup.user is not None
    assert lookup.user.id == "aad-megan"
    assert lookup.user.display_name == "Megan Lloyd"
    [token_request] = stub.token_requests
    assert token_request["grant_type"] == ["client_credentials"]
    assert token_request["client_id"] == [APP_ID]
    assert ("GET", f"/{TENANT}/v2.0/.well-known/openid-configuration") in stub.requests
    user_calls = [path for method, path in stub.requests if path.startswith("/v1.0/users/")]
    assert user_calls == ["/v1.0/users/megan.lloyd@example.org?$select=id,displayName,mail,userPrincipalName"]


async def test_the_token_is_reused_for_the_next_lookup(stub: GraphStub) -> None:
    client = GraphClient(settings_for(stub), verify=str(stub.ca_path))
    assert (await client.lookup("megan.lloyd@example.org")).status is LookupStatus.FOUND
    assert (await client.lookup("nobody@example.org")).status is LookupStatus.NOT_FOUND
    assert len(stub.token_requests) == 1


async def test_someone_whose_mail_is_not_their_upn_is_found_by_mail(stub: GraphStub) -> None:
    client = GraphClient(settings_for(stub), verify=str(stub.ca_path))
    user = (await client.lookup("guest.person@partner.example")).user
    assert user is not None and user.id == "aad-guest"


async def test_nobody_found_is_none_not_an_error(stub: GraphStub) -> None:
    client = GraphClient(settings_for(stub), verify=str(stub.ca_path))
    lookup = await client.lookup("rory.nobody@example.org")
    assert lookup.status is LookupStatus.NOT_FOUND and lookup.user is None
    assert "rory.nobody@example.org" in lookup.note


async def test_a_refused_secret_is_a_failed_lookup_that_never_shows_the_secret(
    stub: GraphStub, caplog: pytest.LogCaptureFixture
) -> None:
    client = GraphClient(settings_for(stub, app_password="wrong-secret"), verify=str(stub.ca_path))
    lookup = await client.lookup("megan.lloyd@example.org")
    assert lookup.status is LookupStatus.FAILED and lookup.user is None
    assert "wrong-secret" not in caplog.text and "wrong-secret" not in lookup.note
    assert not [path for _, path in stub.requests if path.startswith("/v1.0/")]


async def test_an_untrusted_certificate_is_refused(stub: GraphStub) -> None:
    lookup = await GraphClient(settings_for(stub)).lookup("megan.lloyd@example.org")
    assert lookup.status is LookupStatus.FAILED
    assert stub.token_requests == []


async def test_resolve_by_email_is_none_when_graph_is_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="bot.graph")
    settings = Settings(app_id=APP_ID, app_password=SECRET, app_tenant_id=TENANT)
    assert await resolve_by_email(settings, "megan.lloyd@example.org") is None
    lookup = await lookup_by_email(settings, "megan.lloyd@example.org")
    assert lookup.status is LookupStatus.OFF
    assert "WEEKNOTES_GRAPH_URL is not set" in lookup.note
    assert "WEEKNOTES_GRAPH_URL is not set" in caplog.text


def test_graph_needs_a_secret_and_a_tenant() -> None:
    on = Settings(app_id=APP_ID, app_password=SECRET, app_tenant_id=TENANT, graph_url="https://g")
    assert graph_off_reason(on) == ""
    assert "MicrosoftAppPassword" in graph_off_reason(Settings(app_id=APP_ID, graph_url="https://g"))
    no_tenant = Settings(app_id=APP_ID, app_password=SECRET, graph_url="https://g")
    assert "MicrosoftAppTenantId" in graph_off_reason(no_tenant)
