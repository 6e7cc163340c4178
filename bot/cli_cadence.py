"""Subcommands: tick, status."""

from __future__ import annotations

from typing import Any


def add_cadence_commands(commands: Any) -> None:
    """Add the tick, status subcommands."""
    return None
