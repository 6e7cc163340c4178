"""Publishing the weeknote to the channel, republishing it in place, and previewing it.

```mermaid
stateDiagram-v2
    [*] --> Posting: Publish (claim taken)
    Posting --> Published: every slot posted (edition PUBLISHED)
    Posting --> Partial: a post failed / crash (claim released or goes stale)
    Partial --> Posting: Publish again (posts only the missing slots)
    Published --> Changed: an update edited (needs_republish)
    Changed --> Updating: Republish (claim taken)
    Updating --> Published: changed messages updated in place, extra replies posted
```

Every message is a slot (see :mod:`bot.review.plan`); each one posted is stored at once as a
:class:`PostedMessage` with the hash of its card, so a second Publish posts nothing, a Publish after a crash
posts only what is missing, and Republish updates only the messages whose card changed. One run at a time
per week: a :class:`Claim` (``review:publish``) is taken with an ETag before any posting and released after;
a claim older than :data:`CLAIM_TIMEOUT` (a crashed run) is taken over.

The slow part runs after the card action has been answered (``services.tasks``); the reviewer is told the
outcome in their chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.domain.models import Claim, Edition, EditionState, Person, PostedMessage, UpdateState
from bot.domain.weeks import week_label
from bot.errors import ConcurrencyError, WeeknotesError
from bot.ports import Services
from bot.review import words
from bot.review.load import WeekRecords, load_organisation, load_week
from bot.review.plan import HEADLINE, MessageTooLargeError, Planned, content_hash, plan_weeknote, slot_project
from bot.teams.audit import record_audit
from cards.commands import build_notice_card
from cards.common import Card, escape_card_text

log = logging.getLogger(__name__)

CLAIM_JOB = "review:publish"
CLAIM_TIMEOUT = timedelta(minutes=15)
SAVE_ATTEMPTS = 5


class PublishBusyError(WeeknotesError):
    """Another publish or republish of the same week is running."""


class NotPostedError(WeeknotesError):
    """The connector did not confirm a post (no activity id came back), so it is not recorded as posted."""


@dataclass
class SyncResult:
    """What one run did to the channel."""

    posted: int = 0
    updated: int = 0
    withdrawn: int = 0
    stale: bool = False
    """Some posted message no longer shows what it should (only when not updating in place)."""


# ---- the claim: one run per week ---------------------------------------------------------------------


async def claim_publishing(services: Services, week: str, owner: str) -> Claim:
    """Takes the week's publishing claim.

    Raises:
        PublishBusyError: Another run holds it (and it is not stale).
    """
    store = services.store
    now = services.clock()
    existing = await store.claims.get(partition=week, key=CLAIM_JOB)
    if (
        existing is not None
        and existing.state == "running"
        and existing.claimed_at is not None
        and now - existing.claimed_at < CLAIM_TIMEOUT
    ):
        raise PublishBusyError(f"{week} is being published by {existing.owner}")
    record = Claim(
        week=week,
        job=CLAIM_JOB,
        state="running",
        owner=owner,
        claimed_at=now,
        etag=existing.etag if existing else None,
    )
    try:
        return await store.claims.save(record=record)
    except ConcurrencyError as error:
        raise PublishBusyError(f"{week} is being published") from error


async def release_claim(services: Services, claim: Claim, *, state: str, detail: str = "") -> None:
    """Marks the run ``done`` or ``failed`` (never raises: a stale claim times out anyway)."""
    try:
        await services.store.claims.save(
            record=replace(claim, state=state, done_at=services.clock(), detail=detail[:500])
        )
    except WeeknotesError:
        log.warning("could not release the publishing claim of %s", claim.week)


# ---- posting -----------------------------------------------------------------------------------------


def withdrawn_card(title: str) -> Card:
    """What replaces a posted message whose slot is no longer in the weeknote."""
    return build_notice_card(
        escape_card_text(words.WITHDRAWN_TITLE.format(title=title)), words.WITHDRAWN_TEXT
    )


def _slot_title(slot: str, records: WeekRecords) -> str:
    project_id = slot_project(slot)
    project = records.project(project_id) if project_id else None
    if project is not None:
        return project.name
    return project_id or "Project status"


async def sync_channel(
    services: Services,
    records: WeekRecords,
    plan: list[Planned],
    *,
    update_changed: bool,
    result: SyncResult,
) -> SyncResult:
    """Brings the channel in line with ``plan``: posts missing slots; with ``update_changed``, also updates
    changed messages in place and replaces those no longer planned with a short notice.

    Each message is stored as soon as it is posted, so a failure part-way loses nothing already done.

    Args:
        services: The app's services.
        records: The week's records (for the names of withdrawn sections).
        plan: The messages, headline first.
        update_changed: Republishing (update in place) rather than publishing (post what is missing only).
        result: Counts, updated as the run goes (so a caller sees them even if this raises).

    Returns:
        ``result``.
    """
    store, messenger, week = services.store, services.messenger, records.week
    posted = {post.slot: post for post in await store.posts.list(partition=week)}
    for item in plan:
        stored = posted.get(item.slot)
        if stored is None:
            headline = posted.get(HEADLINE)
            if item.slot == HEADLINE:
                sent = await messenger.post_to_channel(card=item.card)
            else:
                assert headline is not None, "the plan starts with the headline"
                sent = await messenger.post_to_channel(card=item.card, reply_to=headline.conversation_id)
            if not sent.activity_id or not sent.conversation_id:
                # Recording it would make a retry skip a message the channel never got.
                raise NotPostedError(f"posting {item.slot} of {week} was not confirmed")
            posted[item.slot] = await store.posts.upsert(
                record=PostedMessage(
                    week, item.slot, sent.activity_id, sent.conversation_id, item.content_hash
                )
            )
            result.posted += 1
        elif stored.content_hash != item.content_hash:
            if not update_changed:
                result.stale = True
                continue
            await messenger.update_message(
                conversation_id=stored.conversation_id, activity_id=stored.activity_id, card=item.card
            )
            posted[item.slot] = await store.posts.upsert(
                record=replace(stored, content_hash=item.content_hash)
            )
            result.updated += 1
    planned = {item.slot for item in plan}
    for slot, stored in sorted(posted.items()):
        if slot in planned:
            continue
        card = withdrawn_card(_slot_title(slot, records))
        digest = content_hash(card)
        if stored.content_hash == digest:
            continue
        if not update_changed:
            result.stale = True
            continue
        await messenger.update_message(
            conversation_id=stored.conversation_id, activity_id=stored.activity_id, card=card
        )
        await store.posts.upsert(record=replace(stored, content_hash=digest))
        result.withdrawn += 1
    return result


async def channel_is_stale(services: Services, week: str) -> bool:
    """Whether what is posted for ``week`` differs from the weeknote compiled now."""
    records = await load_week(services.store, week, timezone=services.settings.timezone)
    plan = plan_weeknote(records.compile())
    posted = {post.slot: post for post in await services.store.posts.list(partition=week)}
    expected = {item.slot: item.content_hash for item in plan}
    for slot, post in posted.items():
        hash_now = expected.get(slot) or content_hash(withdrawn_card(_slot_title(slot, records)))
        if post.content_hash != hash_now:
            return True
    return any(slot not in posted for slot in expected)


async def _mark_published(services: Services, week: str, *, by: str, stale: bool) -> Edition:
    store = services.store
    now = services.clock()
    for _ in range(SAVE_ATTEMPTS):
        edition = await store.editions.get(partition=Edition.partition_key, key=week) or Edition(week=week)
        changed = replace(
            edition,
            state=EditionState.PUBLISHED,
            published_at=edition.published_at or now,
            published_by=edition.published_by or by,
            needs_republish=stale,
        )
        try:
            return await store.editions.save(record=changed)
        except ConcurrencyError:
            continue
    raise ConcurrencyError(f"the edition {week} kept changing while it was being marked published")


async def tell(services: Services, email: str, text: str) -> None:
    """Sends ``email`` a plain message; a failure is logged, never raised (the work itself is done)."""
    try:
        await services.messenger.send_to_person(email=email, text=text)
    except Exception:
        log.warning("could not tell %s how publishing went", email, exc_info=True)


def _reason(error: BaseException) -> str:
    if isinstance(error, MessageTooLargeError):
        return words.TOO_BIG
    return words.DELIVERY_FAILED


# ---- publish -----------------------------------------------------------------------------------------


async def begin_publish(services: Services, week: str, actor: Person) -> str:
    """Checks, takes the claim, starts publishing in the background; returns what to tell ``actor`` now."""
    store = services.store
    label = week_label(week)
    organisation = await load_organisation(store, timezone=services.settings.timezone)
    if not organisation.channel_id or not organisation.service_url:
        return words.NO_CHANNEL
    edition = await store.editions.get(partition=Edition.partition_key, key=week)
    if edition is not None and edition.state is EditionState.PUBLISHED:
        changed = edition.needs_republish
        return (words.ALREADY_PUBLISHED_CHANGED if changed else words.ALREADY_PUBLISHED).format(label=label)
    try:
        claim = await claim_publishing(services, week, actor.email)
    except PublishBusyError:
        return words.ALREADY_RUNNING.format(label=label)
    already = len(await store.posts.list(partition=week))
    submitted = any(u.state is UpdateState.SUBMITTED for u in await store.updates.list(partition=week))
    await record_audit(services, actor=actor.email, action="review.publish", target=week, detail="started")
    services.tasks.start(_publish_job(services, week, actor, claim), name=f"publish-{week}")
    if already:
        return words.PUBLISHING_REST.format(label=label, posted=words.messages(already))
    return (words.PUBLISHING if submitted else words.PUBLISHING_EMPTY).format(label=label)


async def _publish_job(services: Services, week: str, actor: Person, claim: Claim) -> None:
    label = week_label(week)
    result = SyncResult()
    try:
        records = await load_week(services.store, week, timezone=services.settings.timezone)
        plan = plan_weeknote(records.compile())
        await sync_channel(services, records, plan, update_changed=False, result=result)
        stale = result.stale or await channel_is_stale(services, week)
        await _mark_published(services, week, by=actor.email, stale=stale)
    except Exception as error:
        log.exception("publishing %s failed after %d posts", week, result.posted)
        await release_claim(services, claim, state="failed", detail=type(error).__name__)
        await record_audit(
            services,
            actor=actor.email,
            action="review.publish",
            target=week,
            outcome="failed",
            detail=f"{type(error).__name__} after {result.posted} posts",
        )
        total = len(await services.store.posts.list(partition=week))
        await tell(
            services,
            actor.email,
            words.PUBLISH_FAILED.format(label=label, posted=words.messages(total), reason=_reason(error)),
        )
        return
    await release_claim(services, claim, state="done", detail=f"posted {result.posted}")
    await record_audit(
        services, actor=actor.email, action="review.publish", target=week, detail=f"posted {result.posted}"
    )
    for hook in services.after_publish:
        try:
            await hook(week)
        except Exception:
            log.exception("an after-publish hook failed for %s", week)
    text = words.PUBLISHED_CHANGED if stale else words.PUBLISHED
    await tell(services, actor.email, text.format(label=label, posted=words.messages(result.posted)))


# ---- republish ---------------------------------------------------------------------------------------


async def begin_republish(services: Services, week: str, actor: Person) -> str:
    """Checks, takes the claim, starts republishing in the background; returns what to tell ``actor`` now."""
    store = services.store
    label = week_label(week)
    edition = await store.editions.get(partition=Edition.partition_key, key=week)
    if edition is None or edition.state is not EditionState.PUBLISHED:
        return words.NOT_PUBLISHED_YET.format(label=label)
    organisation = await load_organisation(store, timezone=services.settings.timezone)
    if not organisation.service_url:
        return words.NO_CHANNEL
    try:
        claim = await claim_publishing(services, week, actor.email)
    except PublishBusyError:
        return words.ALREADY_RUNNING.format(label=label)
    await record_audit(services, actor=actor.email, action="review.republish", target=week, detail="started")
    services.tasks.start(_republish_job(services, week, actor, claim), name=f"republish-{week}")
    return words.REPUBLISHING.format(label=label)


async def _republish_job(services: Services, week: str, actor: Person, claim: Claim) -> None:
    label = week_label(week)
    result = SyncResult()
    try:
        records = await load_week(services.store, week, timezone=services.settings.timezone)
        plan = plan_weeknote(records.compile())
        await sync_channel(services, records, plan, update_changed=True, result=result)
        stale = await channel_is_stale(services, week)
        await _mark_published(services, week, by=actor.email, stale=stale)
    except Exception as error:
        log.exception("republishing %s failed", week)
        await release_claim(services, claim, state="failed", detail=type(error).__name__)
        await record_audit(
            services,
            actor=actor.email,
            action="review.republish",
            target=week,
            outcome="failed",
            detail=type(error).__name__,
        )
        await tell(services, actor.email, words.REPUBLISH_FAILED.format(label=label, reason=_reason(error)))
        return
    changed = result.updated + result.posted + result.withdrawn
    await release_claim(services, claim, state="done", detail=f"updated {changed}")
    await record_audit(
        services,
        actor=actor.email,
        action="review.republish",
        target=week,
        detail=f"updated {result.updated + result.withdrawn}, posted {result.posted}",
    )
    if not changed:
        await tell(services, actor.email, words.REPUBLISHED_NOTHING.format(label=label))
        return
    await tell(
        services,
        actor.email,
        words.REPUBLISHED.format(
            label=label,
            updated=words.messages(result.updated + result.withdrawn),
            posted=words.messages(result.posted),
        ),
    )


# ---- preview -----------------------------------------------------------------------------------------


async def begin_preview(services: Services, week: str, actor: Person) -> str:
    """Plans the weeknote now and sends it to ``actor``'s chat in the background; returns what to say now.

    The preview is the very messages the channel would get (same plan, same cards, same splitting).
    """
    records = await load_week(services.store, week, timezone=services.settings.timezone)
    plan = plan_weeknote(records.compile())
    services.tasks.start(_preview_job(services, actor.email, plan), name=f"preview-{week}-{actor.email}")
    return words.PREVIEW_SENDING.format(label=week_label(week), count=words.messages(len(plan)))


async def _preview_job(services: Services, email: str, plan: list[Planned]) -> None:
    for item in plan:
        await services.messenger.send_to_person(email=email, card=item.card)
