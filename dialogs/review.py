"""The director's review: digest, chase, note, preview, publish, republish.

```mermaid
stateDiagram-v2
    [*] --> Digest: close (cadence) / "review" / "digest"
    Digest --> Digest: Chase (reminder sent) / Save note (card refreshed; errors keep the text)
    Digest --> Preview: Preview (the weeknote in this chat, as the channel will get it)
    Digest --> Publishing: Publish ("Publishing now...", then "Published")
    Publishing --> Published
    Published --> Changed: a PM edits an update (digest with Republish is sent)
    Changed --> Published: Republish (messages updated in place)
```

Every action is checked the same way: the sender must be a known person with the director or editor role
(read from storage, never from the card), and the card's week must be a real week that has started. A
project manager pressing a forwarded digest is told, politely, and the attempt is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from bot import messages
from bot.cadence.prompts import CHASE_NOTICE, prompt_person
from bot.domain.editions import current_week
from bot.domain.models import Edition, EditionState, Person, Project, UpdateState
from bot.domain.weeks import WeekError, validate_week, week_label, week_of
from bot.errors import ConcurrencyError, WeeknotesError
from bot.ports import Services
from bot.review import words
from bot.review.digest import build_digest
from bot.review.load import load_week
from bot.review.plan import MESSAGE_LIMIT, MessageTooLargeError, headline_size
from bot.review.publish import begin_preview, begin_publish, begin_republish, tell
from bot.teams.audit import record_audit
from cards.actions import Verb
from cards.common import MAX_ANSWER_CHARS, Card, error_block, text_block
from dialogs.context import is_reviewer, load_organisation
from dialogs.registry_types import ActionHandler, CommandHandler
from dialogs.turn import CardReply, ErrorReply, Reply, TextReply, Turn

SAVE_ATTEMPTS = 3


@dataclass(frozen=True)
class Review:
    """A checked reviewer and the week they act on."""

    person: Person
    week: str


async def check_reviewer(turn: Turn, action: str, week_value: object) -> Review | Reply:
    """The sender must be a director or editor (from storage) and ``week_value`` a week that has started.

    Args:
        turn: The turn.
        action: The verb or command, for the audit trail.
        week_value: The week the card (or the typed command) names.

    Returns:
        The checked reviewer and week, or the reply that refuses.
    """
    person = turn.actor.person
    if person is None:
        await turn.audit(action, outcome="refused", detail="unknown sender")
        return TextReply(messages.NOT_REGISTERED)
    if not is_reviewer(person):
        await turn.audit(
            action, target=str(week_value)[:20], outcome="refused", detail="not director or editor"
        )
        return TextReply(words.NOT_A_REVIEWER)
    if not isinstance(week_value, str):
        await turn.audit(action, outcome="refused", detail="no week")
        return ErrorReply(words.BAD_WEEK)
    try:
        week = validate_week(week_value[:20])
    except WeekError:
        await turn.audit(action, outcome="refused", detail="bad week")
        return ErrorReply(words.BAD_WEEK)
    organisation = await load_organisation(turn.services)
    today = turn.services.clock().astimezone(ZoneInfo(organisation.timezone)).date()
    if week > week_of(today):
        await turn.audit(action, target=week, outcome="refused", detail="future week")
        return TextReply(words.FUTURE_WEEK.format(label=week_label(week)))
    return Review(person, week)


async def _typed_week(turn: Turn, rest: str) -> str:
    """The week named after a typed command, or the week being collected now."""
    if rest.strip():
        return rest.strip()
    organisation = await load_organisation(turn.services)
    return current_week(organisation, turn.services.clock())


def _with_notice(card: Card, text: str, *, error: bool) -> Card:
    """``card`` with a line under its title (the digest's title and week label come first)."""
    block = error_block(text) if error else text_block(text, color="Good", weight="Bolder")
    card["body"].insert(2, block)
    return card


# ---- digest ------------------------------------------------------------------------------------------


async def digest_command(turn: Turn, rest: str) -> Reply:
    """``review`` / ``digest`` [week]: the digest card, now."""
    checked = await check_reviewer(turn, "review.digest", await _typed_week(turn, rest))
    if not isinstance(checked, Review):
        return checked
    return CardReply(await build_digest(turn.services, checked.week))


# ---- chase -------------------------------------------------------------------------------------------


async def chase(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``review.chase``: send the project's PM (or whoever it was handed over to) a reminder now."""
    checked = await check_reviewer(turn, Verb.REVIEW_CHASE, data.get("week"))
    if not isinstance(checked, Review):
        return checked
    store = turn.services.store
    project_id = data.get("project")
    if not isinstance(project_id, str) or not project_id:
        await turn.audit(Verb.REVIEW_CHASE, outcome="refused", detail="no project")
        return ErrorReply(messages.MALFORMED_ACTION)
    project = await store.projects.get(partition=Project.partition_key, key=project_id[:200])
    if project is None or not project.active:
        return TextReply(words.UNKNOWN_PROJECT)
    update = await store.updates.get(partition=checked.week, key=project.project_id)
    if update is not None and update.state is not UpdateState.DRAFT:
        state = "skipped" if update.state is UpdateState.SKIPPED else "submitted"
        return TextReply(words.CHASE_ALREADY_IN.format(project=project.name, state=state))
    email = (update.handed_over_to if update and update.handed_over_to else project.owner).lower()
    person = await store.people.get(partition=Person.partition_key, key=email)
    if person is None or not person.active:
        return TextReply(words.CHASE_NO_OWNER.format(project=project.name))
    notice = CHASE_NOTICE.format(director=checked.person.name)
    target = f"{project.project_id}@{checked.week}"
    # A proactive send may wait out Teams' throttling for up to a minute: after answering, never before.
    turn.services.tasks.start(
        _chase_job(turn.services, checked, person, notice, target), name=f"chase-{target}-{person.email}"
    )
    return TextReply(words.CHASED.format(name=person.name, project=project.name))


async def _chase_job(services: Services, review: Review, person: Person, notice: str, target: str) -> None:
    actor = review.person.email
    try:
        await prompt_person(services, week=review.week, person=person, notice=notice, only_missing=True)
    except WeeknotesError as error:
        await record_audit(
            services,
            actor=actor,
            action=Verb.REVIEW_CHASE,
            target=target,
            outcome="failed",
            detail=type(error).__name__,
        )
        await tell(services, actor, words.CHASE_FAILED.format(name=person.name))
        return
    await record_audit(services, actor=actor, action=Verb.REVIEW_CHASE, target=target, detail=person.email)


# ---- the director's note -----------------------------------------------------------------------------


def _typed(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key, "")
    if not isinstance(value, str):
        return None
    return "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").split("\n")).strip()


async def note(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``review.note``: store the director's note and highlights; on a problem, the digest comes back with
    what was typed still in the form and the problem above it."""
    checked = await check_reviewer(turn, Verb.REVIEW_NOTE, data.get("week"))
    if not isinstance(checked, Review):
        return checked
    director_note, highlights = _typed(data, "director_note"), _typed(data, "highlights")
    if director_note is None or highlights is None:
        await turn.audit(Verb.REVIEW_NOTE, outcome="refused", detail="not text")
        return ErrorReply(messages.MALFORMED_ACTION)
    services = turn.services
    records = await load_week(services.store, checked.week, timezone=services.settings.timezone)
    typed = replace(records.edition, director_note=director_note, highlights=highlights)
    problem = ""
    for field, text in (("Director's note", director_note), ("Highlights", highlights)):
        if len(text) > MAX_ANSWER_CHARS:
            problem = words.NOTE_TOO_LONG.format(field=field, length=len(text), limit=MAX_ANSWER_CHARS)
            break
    if not problem:
        size = headline_size(records.compile(typed))
        if size >= MESSAGE_LIMIT:
            problem = words.NOTE_TOO_BIG.format(size=size, limit=MESSAGE_LIMIT)
    if problem:
        await turn.audit(Verb.REVIEW_NOTE, target=checked.week, outcome="refused", detail=problem[:100])
        card = await build_digest(services, checked.week, records=records, edition=typed)
        return CardReply(_with_notice(card, problem, error=True))
    try:
        saved = await _save_note(turn, checked.week, director_note, highlights)
    except ConcurrencyError:
        card = await build_digest(services, checked.week, records=records, edition=typed)
        return CardReply(_with_notice(card, words.NOTE_CHANGED, error=True))
    await turn.audit(Verb.REVIEW_NOTE, target=checked.week)
    card = await build_digest(services, checked.week, records=replace(records, edition=saved))
    done = words.NOTE_SAVED_REPUBLISH if saved.needs_republish else words.NOTE_SAVED
    return CardReply(_with_notice(card, done, error=False))


async def _save_note(turn: Turn, week: str, director_note: str, highlights: str) -> Edition:
    store = turn.services.store
    for _ in range(SAVE_ATTEMPTS):
        edition = await store.editions.get(partition=Edition.partition_key, key=week) or Edition(week=week)
        changed = (edition.director_note, edition.highlights) != (director_note, highlights)
        published = edition.state is EditionState.PUBLISHED
        record = replace(
            edition,
            director_note=director_note,
            highlights=highlights,
            needs_republish=edition.needs_republish or (published and changed),
        )
        try:
            return await store.editions.save(record=record)
        except ConcurrencyError:
            continue
    raise ConcurrencyError(f"the edition {week} kept changing")


# ---- preview, publish, republish ---------------------------------------------------------------------


async def _preview(turn: Turn, action: str, week: object) -> Reply:
    checked = await check_reviewer(turn, action, week)
    if not isinstance(checked, Review):
        return checked
    try:
        text = await begin_preview(turn.services, checked.week, checked.person)
    except MessageTooLargeError:
        return TextReply(words.PREVIEW_TOO_BIG.format(label=week_label(checked.week)))
    await turn.audit(Verb.REVIEW_PREVIEW, target=checked.week)
    return TextReply(text)


async def _publish(turn: Turn, action: str, week: object) -> Reply:
    checked = await check_reviewer(turn, action, week)
    if not isinstance(checked, Review):
        return checked
    return TextReply(await begin_publish(turn.services, checked.week, checked.person))


async def _republish(turn: Turn, action: str, week: object) -> Reply:
    checked = await check_reviewer(turn, action, week)
    if not isinstance(checked, Review):
        return checked
    return TextReply(await begin_republish(turn.services, checked.week, checked.person))


async def preview(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``review.preview``: the weeknote in the reviewer's chat, exactly as the channel will get it."""
    return await _preview(turn, Verb.REVIEW_PREVIEW, data.get("week"))


async def publish(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``review.publish``: post the weeknote to the channel (after answering: it takes a while)."""
    return await _publish(turn, Verb.REVIEW_PUBLISH, data.get("week"))


async def republish(turn: Turn, data: Mapping[str, Any]) -> Reply:
    """``review.republish``: update the posted messages whose content changed, in place."""
    return await _republish(turn, Verb.REVIEW_REPUBLISH, data.get("week"))


async def preview_command(turn: Turn, rest: str) -> Reply:
    """``preview`` [week]."""
    return await _preview(turn, "review.preview", await _typed_week(turn, rest))


async def publish_command(turn: Turn, rest: str) -> Reply:
    """``publish`` [week]."""
    return await _publish(turn, "review.publish", await _typed_week(turn, rest))


async def republish_command(turn: Turn, rest: str) -> Reply:
    """``republish`` [week]."""
    return await _republish(turn, "review.republish", await _typed_week(turn, rest))


REVIEW_ACTIONS: Mapping[str, ActionHandler] = {
    Verb.REVIEW_CHASE: chase,
    Verb.REVIEW_NOTE: note,
    Verb.REVIEW_PREVIEW: preview,
    Verb.REVIEW_PUBLISH: publish,
    Verb.REVIEW_REPUBLISH: republish,
}
REVIEW_COMMANDS: Mapping[str, CommandHandler] = {
    "review": digest_command,
    "digest": digest_command,
    "preview": preview_command,
    "publish": publish_command,
    "republish": republish_command,
}
