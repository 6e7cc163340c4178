"""Retention: deleting answers older than the organisation keeps (filled in by the privacy feature)."""

from __future__ import annotations

from datetime import datetime

from bot.ports import Services


async def apply_retention(services: Services, now: datetime) -> int:
    """Delete what is older than ``WEEKNOTES_RETENTION_WEEKS``; returns how many records went."""
    return 0
