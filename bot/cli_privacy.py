"""Subcommands: audit, person export/erase."""

from __future__ import annotations

from typing import Any


def add_privacy_commands(commands: Any) -> None:
    """Add the audit, person export/erase subcommands."""
    return None
