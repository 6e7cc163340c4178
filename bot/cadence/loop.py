"""The in-process scheduler: calls the cadence tick every ``tick_seconds`` while the service runs."""

from __future__ import annotations

from bot.ports import Services


async def run_scheduler(services: Services) -> None:
    """Run until cancelled (the cadence feature fills this in)."""
    return None
