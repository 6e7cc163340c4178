"""Subcommands: export, history, channel."""

from __future__ import annotations

from typing import Any


def add_publish_commands(commands: Any) -> None:
    """Add the export, history, channel subcommands."""
    return None
