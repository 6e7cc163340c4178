"""``weeknotes package``: the Teams app package (manifest and icons, zipped) ready to upload."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def _package(args: argparse.Namespace) -> int:
    from bot.package import build_package

    path = build_package(args.app_id, Path(args.out), bot_domain=args.domain or None)
    print(f"Wrote {path}: upload it in the Teams admin centre, or in Teams under Apps > Manage your apps.")
    return 0


def add_package_commands(commands: Any) -> None:
    """Add ``package`` to ``commands`` (an argparse subparsers object)."""
    package = commands.add_parser(
        "package",
        help="build the Teams app package (weeknotes.zip) to upload to Teams",
        description="Build the Teams app package: the manifest with the app id filled in, and the icons.",
    )
    package.add_argument(
        "--app-id", required=True, help="the bot's Microsoft Entra application (client) id, a GUID"
    )
    package.add_argument(
        "--out", default="weeknotes.zip", help="the zip to write, or a folder to write weeknotes.zip into"
    )
    package.add_argument(
        "--domain", default="", help="the host name the bot is served from, for validDomains (optional)"
    )
    package.set_defaults(run=_package)
