"""Fixtures shared by every test: offline guard, a real Azurite, unique table prefixes."""

from __future__ import annotations

import ipaddress
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.support.azurite import Azurite
from tests.support.botserver import BotServer, Clock, bot_settings
from tests.support.connector import FakeConnector
from tests.support.oidc import LocalOidc


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host in {"localhost", ""}:
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths and the like never leave the machine


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach an address outside loopback."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach {address!r}: tests stay on loopback")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach {address!r}: tests stay on loopback")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite Table service for the whole run."""
    service = Azurite()
    service.start()
    yield service
    service.close()


@pytest.fixture
def table_prefix() -> str:
    """A table-name prefix no other test uses, so tests never see each other's data."""
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def oidc() -> Iterator[LocalOidc]:
    """A loopback OpenID issuer the bot trusts (like Teams' login.botframework.com)."""
    issuer = LocalOidc()
    issuer.start()
    yield issuer
    issuer.stop()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """A recording fake Bot Connector on an ephemeral port."""
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def clock() -> Clock:
    """A fixed, movable clock (Thursday 14 May 2026, 10:00 London)."""
    return Clock()


@pytest.fixture
async def bot(
    azurite: Azurite, table_prefix: str, oidc: LocalOidc, connector: FakeConnector, clock: Clock
) -> AsyncIterator[BotServer]:
    """The real app over HTTP, with Azurite behind it and the fake connector in front."""
    server = BotServer(bot_settings(azurite.connection_string, table_prefix, oidc), connector, oidc, clock)
    await server.start()
    yield server
    await server.stop()
