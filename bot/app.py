"""The aiohttp application factory: no module globals, clients opened and closed with the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from aiohttp import web

from bot.cadence.loop import run_scheduler
from bot.health import healthz
from bot.ports import Services, utc_now
from bot.settings import Settings
from bot.storage.tables import TableStore
from bot.teams.route import MessagesRoute
from bot.teams.wiring import Credentials, wire_teams

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
ROUTE = web.AppKey("messages_route", MessagesRoute)


async def messages(request: web.Request) -> web.StreamResponse:
    """``POST /api/messages``."""
    return await request.app[ROUTE](request)


def create_app(
    settings: Settings,
    *,
    credentials: Credentials | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> web.Application:
    """Build the service for ``settings``.

    Args:
        settings: the validated settings.
        credentials: outbound credentials for the connector (default: from settings, via MSAL).
        clock: what "now" is (tests fix it).
    """
    app = web.Application(client_max_size=settings.max_body_bytes)

    async def services_ctx(app: web.Application) -> AsyncIterator[None]:
        store = await TableStore.open(connection_string=settings.storage, table_prefix=settings.table_prefix)
        try:
            services, app[ROUTE] = await wire_teams(settings, store, clock=clock, credentials=credentials)
            app[SERVICES] = services
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
