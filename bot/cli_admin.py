"""Administrative subcommands, registered on the ``weeknotes`` parser."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.storage.protocol import Store

StoreJob = Callable[[Store, Settings, argparse.Namespace], Awaitable[int]]


def _settings() -> Settings:
    return Settings.from_env(os.environ, dotenv=Path.cwd() / ".env")


def with_store(job: StoreJob) -> Callable[[argparse.Namespace], int]:
    """Run ``job`` with an open store, from a synchronous CLI handler."""

    def run(args: argparse.Namespace) -> int:
        from bot.storage.tables import TableStore

        settings = _settings()

        async def main() -> int:
            store = await TableStore.open(
                connection_string=settings.storage, table_prefix=settings.table_prefix
            )
            try:
                return await job(store, settings, args)
            finally:
                await store.close()

        return asyncio.run(main())

    return run


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {error.strerror}") from error


def write_out(text: str, out: str | None) -> None:
    """Write to ``out`` (a file) or standard output."""
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


async def _org_import(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.org_file import parse_org_file
    from bot.org_import import apply_plan

    plan = parse_org_file(args.file)
    summary = await apply_plan(store, plan)
    print(f"Imported {plan.organisation.name}: {summary}")
    return 0


async def _org_export(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.models import Organisation, Person, Project
    from bot.org_file import export_org_file

    org = await store.organisation.get(partition=Organisation.partition_key, key=Organisation.row_key)
    if org is None:
        print("No organisation has been imported yet.", file=sys.stderr)
        return 1
    people = [p for p in await store.people.list(partition=Person.partition_key) if p.active]
    projects = [p for p in await store.projects.list(partition=Project.partition_key) if p.active]
    write_out(export_org_file(org, people, projects), args.out)
    return 0


def add_admin_commands(commands: Any) -> None:
    """Add the administrative subcommands to ``commands`` (an argparse subparsers object)."""
    org = commands.add_parser("org", help="import or export the organisation (people, projects, schedule)")
    org_commands = org.add_subparsers(dest="org_command", required=True)
    org_import = org_commands.add_parser("import", help="load an organisation YAML file (idempotent)")
    # A positional argument is stored under its own name: argparse refuses dest= for one.
    org_import.add_argument("file", type=_read_text, metavar="FILE")
    org_import.set_defaults(run=with_store(_org_import))
    org_export = org_commands.add_parser("export", help="write the organisation as YAML that imports back")
    org_export.add_argument("--out")
    org_export.set_defaults(run=with_store(_org_export))
    from bot.cli_more import add_more_commands

    add_more_commands(commands)
