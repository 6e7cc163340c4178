"""The Teams side of the app, put together: adapter, messenger, bot and the /api/messages route.

``bot.app`` calls :func:`wire_teams` once the store is open; nothing outside ``bot/teams`` and ``dialogs``
needs to name the SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.ports import Services
from bot.settings import Settings
from bot.storage.tables import TableStore
from bot.teams.adapter import create_adapter
from bot.teams.audit import record_audit
from bot.teams.chat_dialogs import ChatDialogs
from bot.teams.handler import WeeknotesBot
from bot.teams.messenger import TeamsMessenger
from bot.teams.route import MessagesRoute
from bot.teams.state_storage import TableBotStorage

if TYPE_CHECKING:
    from botframework.connector.auth import ServiceClientCredentialsFactory as Credentials
else:
    Credentials = Any

__all__ = ["Credentials", "wire_teams"]


async def wire_teams(
    settings: Settings,
    store: TableStore,
    *,
    clock: Callable[[], datetime],
    credentials: Credentials | None = None,
) -> tuple[Services, MessagesRoute]:
    """The services and the /api/messages route, on an open store.

    Args:
        settings: The validated settings.
        store: The open store.
        clock: What "now" is (tests fix it).
        credentials: Outbound credentials for the connector (default: from settings, via MSAL).
    """
    adapter = create_adapter(settings, credentials)
    messenger = TeamsMessenger(adapter, store, app_id=settings.app_id)
    services = Services(settings=settings, store=store, messenger=messenger, clock=clock)
    bot = WeeknotesBot(services, ChatDialogs(TableBotStorage(await store.open_table("botstate"))))
    adapter.on_turn_error = bot.on_turn_error

    async def tenant_refused(activity: object, tenant: str) -> None:
        await record_audit(
            services, actor=f"tenant:{tenant}", action="activity.refused", outcome="refused", detail="tenant"
        )

    route = MessagesRoute(
        adapter, bot.on_turn, allowed_tenants=settings.allowed_tenants, on_tenant_refused=tenant_refused
    )
    return services, route
