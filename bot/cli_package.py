"""Subcommands: package."""

from __future__ import annotations

from typing import Any


def add_package_commands(commands: Any) -> None:
    """Add the package subcommands."""
    return None
