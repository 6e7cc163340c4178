"""Subcommands: export, history, channel.

- ``weeknotes export --week 2026-W20 --format md|html|json [--out FILE]``: the week compiled from storage,
  as Markdown, a self-contained HTML page, or JSON (published or not: an unpublished week is exported as it
  stands).
- ``weeknotes history --project NAME [--format text|csv]``: a project's RAG and metrics week by week
  (``NAME`` is the project's id or name, any case).
- ``weeknotes channel set CHANNEL_ID [--service-url URL]``: where the weeknote is published;
  ``weeknotes channel show`` prints it.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

from bot.cli_admin import with_store, write_out
from bot.settings import Settings
from bot.storage.protocol import Store

EXPORT_FORMATS = {"md": "markdown", "markdown": "markdown", "html": "html", "json": "json"}
_CHANNEL_ID = re.compile(r"^19:[A-Za-z0-9_.\-]+@thread\.(tacv2|skype)$")


def _week(text: str) -> str:
    from bot.domain.weeks import WeekError, validate_week

    try:
        return validate_week(text)
    except WeekError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


async def _export(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.export import render
    from bot.review.load import load_week

    records = await load_week(store, args.week, timezone=settings.timezone)
    write_out(render(records.compile(), EXPORT_FORMATS[args.format]), args.out)
    return 0


async def _history(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.history import history_csv, project_history
    from bot.domain.models import Project

    wanted = args.project.strip().casefold()
    projects = await store.projects.list(partition=Project.partition_key)
    matches = [p for p in projects if wanted in {p.project_id.casefold(), p.name.casefold()}]
    if not matches:
        known = ", ".join(sorted(p.name for p in projects)) or "none yet"
        print(f"No project called {args.project!r}. Projects: {known}.", file=sys.stderr)
        return 1
    project = matches[0]
    rows = project_history(project, await store.updates.list_by_key(key=project.project_id))
    text = history_csv(project, rows)
    write_out(text if args.format == "csv" else _table(text), args.out)
    return 0


def _table(csv_text: str) -> str:
    """CSV as aligned columns for reading in a terminal."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_text)))
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


async def _channel_set(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.models import Organisation

    organisation = await store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    if organisation is None:
        print(
            "No organisation has been imported yet: run `weeknotes org import FILE` first.", file=sys.stderr
        )
        return 1
    changed = replace(
        organisation,
        channel_id=args.channel_id,
        service_url=args.service_url or organisation.service_url,
    )
    await store.organisation.save(record=changed)
    print(f"The weeknote will be published to channel {changed.channel_id}.")
    if not changed.service_url:
        print(
            "No service URL is known yet: add the app to the team (or pass --service-url) before publishing.",
            file=sys.stderr,
        )
    return 0


async def _channel_show(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.models import Organisation

    organisation = await store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    if organisation is None or not organisation.channel_id:
        print("No channel is set for publishing yet.")
        return 1
    print(f"channel: {organisation.channel_id}")
    print(f"service URL: {organisation.service_url or '(not known yet)'}")
    return 0


def _channel_id(text: str) -> str:
    text = text.strip()
    if not _CHANNEL_ID.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Teams channel id: it looks like 19:abc123...@thread.tacv2 "
            "(in Teams: the channel's ... menu, Get link to channel, the part after /channel/, URL-decoded)"
        )
    return text


def _service_url(text: str) -> str:
    parsed = urlparse(text.strip())
    if parsed.scheme not in {"https", "http"} or not parsed.netloc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a URL such as https://smba.trafficmanager.net/emea/"
        )
    return text.strip()


def add_publish_commands(commands: Any) -> None:
    """Add the export, history, channel subcommands."""
    export = commands.add_parser("export", help="write a week's weeknote as Markdown, HTML or JSON")
    export.add_argument("--week", required=True, type=_week, help="the ISO week, e.g. 2026-W20")
    export.add_argument("--format", default="md", choices=sorted(EXPORT_FORMATS), help="default: md")
    export.add_argument("--out", help="the file to write (default: standard output)")
    export.set_defaults(run=with_store(_export))

    history = commands.add_parser("history", help="a project's RAG and metrics week by week")
    history.add_argument("--project", required=True, help="the project's id or name")
    history.add_argument("--format", default="text", choices=["text", "csv"], help="default: text")
    history.add_argument("--out", help="the file to write (default: standard output)")
    history.set_defaults(run=with_store(_history))

    channel = commands.add_parser("channel", help="the channel the weeknote is published to")
    channel_commands = channel.add_subparsers(dest="channel_command", required=True)
    channel_set = channel_commands.add_parser("set", help="publish to this channel from now on")
    channel_set.add_argument("channel_id", type=_channel_id, metavar="CHANNEL_ID")
    channel_set.add_argument("--service-url", type=_service_url, help="the Bot Connector URL for the team")
    channel_set.set_defaults(run=with_store(_channel_set))
    channel_show = channel_commands.add_parser("show", help="print where the weeknote is published")
    channel_show.set_defaults(run=with_store(_channel_show))
