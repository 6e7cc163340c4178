"""The ``weeknotes`` command: serve, and the administrative commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.errors import SettingsError, WeeknotesError
from bot.logs import configure_logging
from bot.settings import Settings


def _settings() -> Settings:
    return Settings.from_env(os.environ, dotenv=Path.cwd() / ".env")


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app

    settings = _settings()
    configure_logging(secrets=(settings.app_password, settings.storage))
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="weeknotes", description="Weeknotes: weekly updates in Teams.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the bot service")
    serve.set_defaults(run=_serve)
    from bot.cli_admin import add_admin_commands

    add_admin_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``weeknotes`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingsError as error:
        print(str(error), file=sys.stderr)
        return 2
    except WeeknotesError as error:
        print(f"weeknotes: {error}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
