"""The aiohttp application factory: no module globals, clients opened and closed with the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.cadence.loop import run_scheduler
from bot.health import healthz
from bot.ports import Services, utc_now
from bot.settings import Settings
from bot.storage.tables import TableStore
from bot.teams.adapter import create_adapter
from bot.teams.audit import record_audit
from bot.teams.chat_dialogs import ChatDialogs
from bot.teams.handler import WeeknotesBot
from bot.teams.messenger import TeamsMessenger
from bot.teams.route import MessagesRoute
from bot.teams.state_storage import TableBotStorage

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
ROUTE = web.AppKey("messages_route", MessagesRoute)


async def messages(request: web.Request) -> web.StreamResponse:
    """``POST /api/messages``."""
    return await request.app[ROUTE](request)


def create_app(
    settings: Settings,
    *,
    credentials: ServiceClientCredentialsFactory | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    """Build the service for ``settings``.

    Args:
        settings: the validated settings.
        credentials: outbound credentials for the connector (default: from settings, via MSAL).
        clock: what "now" is (tests fix it).
    """
    app = web.Application(client_max_size=settings.max_body_bytes)
    adapter = create_adapter(settings, credentials)

    async def services_ctx(app: web.Application) -> AsyncIterator[None]:
        store = await TableStore.open(connection_string=settings.storage, table_prefix=settings.table_prefix)
        try:
            services = await _wire(app, settings, adapter, store, clock)
            scheduler = asyncio.create_task(run_scheduler(services), name="scheduler")
            yield
            scheduler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scheduler
            await services.tasks.drain()
        finally:
            await store.close()

    app.cleanup_ctx.append(services_ctx)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


async def _wire(
    app: web.Application,
    settings: Settings,
    adapter: CloudAdapter,
    store: TableStore,
    clock: Callable[[], datetime],
) -> Services:
    """Build the services, the bot and the /api/messages route on an open store."""
    messenger = TeamsMessenger(adapter, store, app_id=settings.app_id)
    services = Services(settings=settings, store=store, messenger=messenger, clock=clock)
    app[SERVICES] = services
    bot = WeeknotesBot(services, ChatDialogs(TableBotStorage(await store.open_table("botstate"))))
    adapter.on_turn_error = bot.on_turn_error

    async def tenant_refused(activity: object, tenant: str) -> None:
        await record_audit(
            services, actor=f"tenant:{tenant}", action="activity.refused", outcome="refused", detail="tenant"
        )

    app[ROUTE] = MessagesRoute(
        adapter, bot.on_turn, allowed_tenants=settings.allowed_tenants, on_tenant_refused=tenant_refused
    )
    return services
