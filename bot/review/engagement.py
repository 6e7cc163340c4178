"""Reactions and comments on the weeknote in the channel: recorded per message and person, summarised for
the next digest.

Only our own posts count: a reaction's target and a comment's thread are looked up among the stored
:class:`~bot.domain.models.PostedMessage` records; anything else is ignored. Recording is idempotent (Teams
may deliver an activity twice): a reaction is keyed by (message, person, type), a comment by its id.

SDK-free: the Teams seam (``bot/teams/engagement.py``) reads the activity and calls these functions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import Engagement, PostedMessage, Project
from bot.review import words
from bot.review.plan import HEADLINE, slot_project
from bot.storage.protocol import Store

COMMENT = "comment"
MAX_COMMENT_CHARS = 4000
RECENT_WEEKS = 26
"""How many published weeks back a reaction's message is looked for when its thread is not known."""
_REACTION_TYPE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class Target:
    """One of our posts that engagement is about, and the thread it is in."""

    post: PostedMessage
    headline: PostedMessage


async def find_target(store: Store, *, conversation_id: str, activity_id: str) -> Target | None:
    """The post ``activity_id`` in conversation ``conversation_id`` if we posted it, else ``None``.

    A thread's conversation id names its first message (``<channel>;messageid=<id>``), which finds the week
    at once; a bare channel id makes us look through the recent weeks' posts.

    Args:
        store: The store.
        conversation_id: The conversation the activity came from.
        activity_id: The message reacted to or replied to (may be empty: then the thread's headline).
    """
    headlines = await store.posts.list_by_key(key=HEADLINE)
    in_thread = [h for h in headlines if h.conversation_id == conversation_id]
    candidates = in_thread or sorted(headlines, key=lambda h: h.week, reverse=True)[:RECENT_WEEKS]
    for headline in candidates:
        if not activity_id or activity_id == headline.activity_id:
            return Target(headline, headline)
        for post in await store.posts.list(partition=headline.week):
            if post.activity_id == activity_id:
                return Target(post, headline)
        if in_thread:
            # A reply to something in our thread that is not ours (a comment): the thread is ours.
            return None
    return None


def reaction_kind(kind: str) -> str | None:
    """A reaction type as stored (``like``, ``heart`` ...), or ``None`` if it is not a sensible name."""
    kind = kind.strip()
    return kind if _REACTION_TYPE.match(kind) else None


async def find_thread(store: Store, *, conversation_id: str, reply_to_id: str = "") -> Target | None:
    """The post a reply in a channel thread is about, if the thread is one of our weeknotes.

    Args:
        store: The store.
        conversation_id: The thread (``<channel>;messageid=<headline id>``).
        reply_to_id: What the reply answers, if Teams said (a section's message); else the headline.
    """
    if ";messageid=" not in conversation_id:
        return None
    headlines = await store.posts.list_by_key(key=HEADLINE)
    headline = next((h for h in headlines if h.conversation_id == conversation_id), None)
    if headline is None:
        return None
    if not reply_to_id or reply_to_id == headline.activity_id:
        return Target(headline, headline)
    posts = await store.posts.list(partition=headline.week)
    post = next((p for p in posts if p.activity_id == reply_to_id), headline)
    return Target(post, headline)


async def record_reactions(
    store: Store, target: Target, *, person: str, added: Iterable[str], removed: Iterable[str], at: datetime
) -> None:
    """Stores reactions added and deletes reactions removed on one of our posts (idempotent).

    Args:
        store: The store.
        target: The post (from :func:`find_target`).
        person: Who reacted (their email, or ``aad:<id>`` if we do not know them).
        added: Reaction types added.
        removed: Reaction types removed.
        at: When.
    """
    post = target.post
    for kind in filter(None, map(reaction_kind, added)):
        await store.engagement.upsert(
            record=Engagement(week=post.week, activity_id=post.activity_id, person=person, kind=kind, at=at)
        )
    for kind in filter(None, map(reaction_kind, removed)):
        await store.engagement.delete(
            record=Engagement(week=post.week, activity_id=post.activity_id, person=person, kind=kind)
        )


async def record_comment(
    store: Store, target: Target, *, comment_id: str, person: str, text: str, at: datetime
) -> None:
    """Stores a reply in one of our weeknote threads as a comment (idempotent: keyed by its id).

    Args:
        store: The store.
        target: The post it is about (from :func:`find_thread`).
        comment_id: The reply's own activity id.
        person: Who wrote it.
        text: What they wrote (cut to :data:`MAX_COMMENT_CHARS`).
        at: When.
    """
    await store.engagement.upsert(
        record=Engagement(
            week=target.headline.week,
            activity_id=target.post.activity_id,
            person=person,
            kind=COMMENT,
            text=text.strip()[:MAX_COMMENT_CHARS],
            comment_id=comment_id,
            at=at,
        )
    )


@dataclass(frozen=True)
class EngagementSummary:
    """How a week's weeknote was received."""

    published: bool
    reactions: dict[str, int]
    comments: int
    top_title: str = ""
    top_count: int = 0

    def lines(self) -> list[str]:
        """The summary as the digest shows it, one line each (plain text)."""
        if not self.published:
            return [words.ENGAGEMENT_NOT_PUBLISHED]
        if self.reactions:
            ranked = sorted(self.reactions.items(), key=lambda item: (-item[1], item[0]))
            shown = ", ".join(f"{count} {words.REACTION_NAMES.get(kind, kind)}" for kind, count in ranked)
            lines = [words.ENGAGEMENT_REACTIONS.format(reactions=shown)]
        else:
            lines = [words.ENGAGEMENT_NO_REACTIONS]
        lines.append(words.ENGAGEMENT_COMMENTS.format(count=self.comments))
        if self.top_title:
            noun = "reaction or comment" if self.top_count == 1 else "reactions and comments"
            lines.append(words.ENGAGEMENT_TOP.format(title=self.top_title, count=self.top_count, noun=noun))
        return lines


def summarise(
    posts: Sequence[PostedMessage], records: Sequence[Engagement], projects: Sequence[Project]
) -> EngagementSummary:
    """Counts reactions by type and comments, and finds the section with the most of both.

    Args:
        posts: The week's posted messages.
        records: The week's engagement records.
        projects: Every project, to name the most discussed section.

    Returns:
        The summary (``published`` is False when nothing was posted that week).
    """
    slots = {post.activity_id: post.slot for post in posts}
    reactions = Counter(r.kind for r in records if r.kind != COMMENT)
    comments = sum(1 for r in records if r.kind == COMMENT)
    per_section = Counter(
        project for r in records if (project := slot_project(slots.get(r.activity_id, ""))) is not None
    )
    names = {p.project_id: p.name for p in projects}
    top_title, top_count = "", 0
    if per_section:
        # Most engagement first; ties go to the project that comes first by name, so the line is stable.
        project_id, top_count = min(
            per_section.items(), key=lambda item: (-item[1], names.get(item[0], item[0]).casefold())
        )
        top_title = names.get(project_id, project_id)
    return EngagementSummary(bool(posts), dict(reactions), comments, top_title, top_count)


async def week_engagement(store: Store, week: str) -> EngagementSummary:
    """The engagement summary of ``week``'s published weeknote."""
    posts = await store.posts.list(partition=week)
    records = await store.engagement.list(partition=week)
    projects = await store.projects.list(partition=Project.partition_key)
    return summarise(posts, records, projects)
