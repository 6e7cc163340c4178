"""The director's digest at close (filled in by the review feature)."""

from __future__ import annotations

from bot.ports import Services


async def send_digests(services: Services, week: str) -> None:
    """Send the week's digest card to the director and every editor (1:1)."""
    return None
