"""Subcommands: ``audit`` (the audit trail of a week) and ``person export|erase`` (UK GDPR)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli_admin import with_store, write_out
from bot.settings import Settings
from bot.storage.protocol import Store


def _now() -> Any:
    from bot.ports import utc_now

    return utc_now()


async def _audit(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.weeks import WeekError, validate_week
    from bot.privacy.person import plain

    try:
        week = validate_week(args.week)
    except WeekError as error:
        print(f"weeknotes: {error}", file=sys.stderr)
        return 2
    events = sorted(await store.audit.list(partition=week), key=lambda e: (e.at, e.event_id))
    if args.actor:
        events = [e for e in events if e.actor.lower() == args.actor.lower()]
    if args.json:
        write_out(json.dumps([plain(e) for e in events], ensure_ascii=False, indent=2), args.out)
        return 0
    if not events:
        write_out(f"No audit events in {week}.", args.out)
        return 0
    lines = [f"Audit trail for {week}: {len(events)} event(s)", "when\twho\twhat\ttarget\toutcome\tdetail"]
    lines += [
        "\t".join(
            _one_line(v)
            for v in (f"{e.at:%Y-%m-%d %H:%M:%S}Z", e.actor, e.action, e.target, e.outcome, e.detail)
        )
        for e in events
    ]
    write_out("\n".join(lines), args.out)
    return 0


def _one_line(value: str) -> str:
    """Audit fields come from the wire: never let one forge extra lines or columns in the listing."""
    return "".join(c if c.isprintable() and c != "\t" else " " for c in value)


async def _export(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.privacy.person import export_person
    from bot.teams.audit import new_audit_event

    now = _now()
    exported = await export_person(store, args.email, now=now)
    write_out(json.dumps(exported, ensure_ascii=False, indent=2, sort_keys=True), args.out)
    await store.audit.save(
        record=new_audit_event(now, actor="cli", action="person.export", target=exported["email"])
    )
    return 0


async def _erase(store: Store, settings: Settings, args: argparse.Namespace) -> int:
    from bot.privacy.person import erase_person
    from bot.privacy.retention import retention_weeks_of
    from bot.teams.audit import new_audit_event

    if not args.yes:
        print(
            f"This removes or anonymises everything stored about {args.email}, for good. "
            "Run `weeknotes person export` first if they asked for a copy, then add --yes.",
            file=sys.stderr,
        )
        return 2
    now = _now()
    weeks = await retention_weeks_of(store, settings.retention_weeks)
    report = await erase_person(store, args.email, now=now, retention_weeks=weeks)
    await store.audit.save(
        record=new_audit_event(
            now, actor="cli", action="person.erase", target=report.pseudonym, detail=report.summary()
        )
    )
    print(report.summary())
    return 0


def add_privacy_commands(commands: Any) -> None:
    """Add the audit, person export/erase subcommands."""
    audit = commands.add_parser("audit", help="list the audit trail of one week")
    audit.add_argument("--week", required=True, help="ISO week, e.g. 2026-W20")
    audit.add_argument("--actor", help="only events by this actor (an email, or erased-...)")
    audit.add_argument("--json", action="store_true", help="JSON instead of a tab-separated listing")
    audit.add_argument("--out", help="write to this file instead of standard output")
    audit.set_defaults(run=with_store(_audit))

    person = commands.add_parser("person", help="a person's data (UK GDPR): export or erase")
    person_commands = person.add_subparsers(dest="person_command", required=True)
    export = person_commands.add_parser("export", help="everything stored about a person, as JSON")
    export.add_argument("email")
    export.add_argument("--out", help="write to this file instead of standard output")
    export.set_defaults(run=with_store(_export))
    erase = person_commands.add_parser("erase", help="remove or anonymise everything stored about a person")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    erase.set_defaults(run=with_store(_erase))
