"""The reviewer's digest: sent to the director and every editor at close, on demand (``review``), after the
note is saved, and when a published weeknote changes (with Republish).

It shows the counts, the RAG overview with changes since last week, who is missing (with Chase buttons),
the note so far, and how last week's weeknote was received. A digest that would not fit in a message (a
very large organisation) leaves out, in turn, projects on track with no change, then some of the missing
projects and changes, saying how many were left out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.domain.compile import weeknote_stats
from bot.domain.models import Edition, EditionState, Person, Rag, Role
from bot.domain.weeknote import Weeknote
from bot.domain.weeks import previous_week, week_label
from bot.ports import Card, Services
from bot.review import words
from bot.review.engagement import week_engagement
from bot.review.load import WeekRecords, load_week
from bot.review.plan import MESSAGE_LIMIT, message_size
from cards.review import build_digest_card

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestView:
    """Everything the digest card shows, before it is fitted into a message."""

    week: str
    counts: dict[str, int]
    rag_overview: tuple[tuple[str, Rag | None, str], ...]
    missing: tuple[tuple[str, str, str], ...]
    changes: tuple[str, ...]
    engagement: tuple[str, ...]
    director_note: str
    highlights: str
    published: bool
    needs_republish: bool

    def card(self) -> Card:
        """The digest card for this view, as is."""
        return build_digest_card(
            week=self.week,
            week_label=week_label(self.week),
            counts=self.counts,
            rag_overview=self.rag_overview,
            missing=self.missing,
            changes=self.changes,
            engagement_lines=self.engagement,
            director_note=self.director_note,
            highlights=self.highlights,
            published=self.published,
            needs_republish=self.needs_republish,
        )


def digest_view(weeknote: Weeknote, edition: Edition, engagement: tuple[str, ...]) -> DigestView:
    """What the digest shows for a compiled week.

    Args:
        weeknote: The week, compiled.
        edition: Its edition (the note, and whether it is published).
        engagement: Last week's engagement lines (empty if last week was not published).
    """
    stats = weeknote_stats(weeknote)
    return DigestView(
        week=weeknote.week,
        counts={
            "submitted": stats.submitted,
            "late": stats.late,
            "skipped": stats.skipped,
            "missing": stats.missing,
        },
        rag_overview=weeknote.rag_overview,
        missing=tuple(
            (a.project_id, a.title, a.owner_name) for a in weeknote.absences if a.kind == "missing"
        ),
        changes=tuple(f"{s.title}: {change.text}" for s in weeknote.sections for change in s.changes),
        engagement=engagement,
        director_note=edition.director_note,
        highlights=edition.highlights,
        published=edition.state is EditionState.PUBLISHED,
        needs_republish=edition.state is EditionState.PUBLISHED and edition.needs_republish,
    )


_SEVERITY = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def fit_digest(view: DigestView, *, limit: int = MESSAGE_LIMIT) -> Card:
    """The digest card, trimmed until it fits in a message (see the module docstring).

    First the projects on track with no change leave the status table; then, a quarter at a time, whichever
    of the status table (least worrying rows first), the missing list and the changes is longest loses rows,
    and a line says how many of each are not shown. The counts always stay whole.
    """
    card = view.card()
    if message_size(card) < limit:
        return card
    quiet = [row for row in view.rag_overview if row[1] is Rag.GREEN and not row[2]]
    notes: list[str] = [words.DIGEST_QUIET_PROJECTS.format(count=len(quiet))] if quiet else []
    # Most worrying first, so trimming from the end drops the least worrying.
    overview = sorted(
        (row for row in view.rag_overview if row not in quiet),
        key=lambda row: (_SEVERITY.get(row[1], 3) if row[1] else 3, not row[2]),
    )
    missing, changes = list(view.missing), list(view.changes)
    left_overview = left_missing = left_changes = 0

    def build() -> Card:
        extra = list(notes)
        if left_overview:
            extra.append(words.DIGEST_MORE_STATUS.format(count=left_overview))
        if left_missing:
            extra.append(words.DIGEST_MORE_MISSING.format(count=left_missing))
        if left_changes:
            extra.append(words.DIGEST_MORE_CHANGES.format(count=left_changes))
        return replace(
            view, rag_overview=tuple(overview), missing=tuple(missing), changes=(*extra, *changes)
        ).card()

    card = build()
    while message_size(card) >= limit and (overview or missing or changes):
        longest = max(len(overview), len(missing), len(changes))
        cut = max(1, longest // 4)
        if len(overview) == longest:
            overview, left_overview = overview[:-cut], left_overview + cut
        elif len(missing) == longest:
            missing, left_missing = missing[:-cut], left_missing + cut
        else:
            changes, left_changes = changes[:-cut], left_changes + cut
        card = build()
    return card


async def engagement_lines(services: Services, week: str) -> tuple[str, ...]:
    """How the weeknote before ``week`` was received, or nothing if it was not published."""
    summary = await week_engagement(services.store, previous_week(week))
    return tuple(summary.lines()) if summary.published else ()


async def build_digest(
    services: Services, week: str, *, records: WeekRecords | None = None, edition: Edition | None = None
) -> Card:
    """The digest card for ``week``.

    Args:
        services: The app's services.
        week: A valid week id.
        records: The week's records, if already loaded.
        edition: The edition to show instead of the stored one (e.g. a note typed but not saved).
    """
    records = records or await load_week(services.store, week, timezone=services.settings.timezone)
    shown = edition or records.edition
    weeknote = records.compile(shown)
    return fit_digest(digest_view(weeknote, shown, await engagement_lines(services, week)))


def reviewers(people: tuple[Person, ...] | list[Person]) -> list[Person]:
    """The active director(s) and editors, by email."""
    found = [p for p in people if p.active and p.has_role(Role.DIRECTOR, Role.EDITOR)]
    return sorted(found, key=lambda p: p.email)


async def send_digests(services: Services, week: str) -> None:
    """Send the week's digest card to the director and every editor (1:1).

    One card is built and sent to each; someone who cannot be reached (blocked the bot, no Teams account
    yet) is logged and skipped, and the others still get theirs.
    """
    records = await load_week(services.store, week, timezone=services.settings.timezone)
    card = await build_digest(services, week, records=records)
    for person in reviewers(records.people):
        try:
            await services.messenger.send_to_person(email=person.email, card=card)
        except Exception:
            log.warning("could not send the %s digest to %s", week, person.email, exc_info=True)


async def notify_republish(services: Services, week: str) -> None:
    """A published weeknote changed: send the reviewers the digest, which now offers Republish."""
    await send_digests(services, week)
