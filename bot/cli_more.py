"""Further subcommands, one module per feature, so that features do not edit each other's files."""

from __future__ import annotations

from typing import Any


def add_more_commands(commands: Any) -> None:
    """Add the cadence, publishing, privacy and packaging subcommands."""
    from bot.cli_cadence import add_cadence_commands
    from bot.cli_package import add_package_commands
    from bot.cli_privacy import add_privacy_commands
    from bot.cli_publish import add_publish_commands

    add_cadence_commands(commands)
    add_publish_commands(commands)
    add_privacy_commands(commands)
    add_package_commands(commands)
