"""``GET /healthz``: is the service up, and can it reach storage?"""

from __future__ import annotations

from aiohttp import web

from bot.errors import StorageError


async def healthz(request: web.Request) -> web.Response:
    """200 when storage answers, 503 with ``degraded`` when it does not (the service itself stays up)."""
    from bot.app import SERVICES

    services = request.app[SERVICES]
    try:
        await services.store.ping()
    except StorageError as error:
        return web.json_response(
            {"status": "degraded", "storage": "unavailable", "detail": str(error)[:200]}, status=503
        )
    return web.json_response({"status": "ok", "storage": "ok"})
