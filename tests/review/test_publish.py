"""Publishing over real HTTP: once only, resumed after a crash, republished in place, refused to PMs, every
message under 28 KB as the connector receives it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.models import AuditEvent, Edition, EditionState, Organisation, Person, Role
from bot.ports import Card, Messenger, Sent
from bot.review.plan import MESSAGE_LIMIT
from cards.actions import emitted_verbs
from tests.review.support import (
    CLOSE_W20,
    WEEK,
    MeasuringConnector,
    card_of,
    card_text,
    cards_in,
    channel_reply,
    full_update,
    huge_answers,
    many_projects,
    press,
    reaction,
    say,
    submit_week,
    text_of,
    unthrottled,
)
from tests.support.botserver import BotServer
from tests.support.connector import Recorded
from tests.support.org import DIRECTOR, FULL, PM_ONE, PM_TWO, SUMMARY

LABEL = "week ending 15 May 2026"


def channel_posts(bot: BotServer) -> list[Recorded]:
    """Every message posted in the channel: headlines (new conversations) and replies in their threads."""
    threads = {
        c.conversation_id for c in bot.connector.calls if c.method == "CREATE" and c.body.get("isGroup")
    }
    return [c for c in bot.connector.sent() if c.conversation_id in threads]


async def ready(bot: BotServer) -> None:
    """The week is in, it is Monday after close, the director's chat is known."""
    await say(bot, DIRECTOR, "help")
    await submit_week(bot)
    bot.clock.now = CLOSE_W20


async def publish(bot: BotServer, user: Any = DIRECTOR, verb: str = "review.publish") -> str:
    body = await press(bot, user, verb, {"week": WEEK})
    await bot.services.tasks.drain()
    return text_of(body)


async def edition(bot: BotServer) -> Edition:
    found = await bot.services.store.editions.get(partition=Edition.partition_key, key=WEEK)
    assert found is not None
    return found


async def test_publishing_twice_posts_once(org: BotServer) -> None:
    await ready(org)
    published: list[str] = []

    async def after_publish(week: str) -> None:
        published.append(week)

    org.services.after_publish.append(after_publish)
    first = await press(org, DIRECTOR, "review.publish", {"week": WEEK})
    second = await press(org, DIRECTOR, "review.publish", {"week": WEEK})  # while the first is posting
    assert text_of(first).startswith(f"Publishing the weeknote for {LABEL} now")
    assert (
        text_of(second)
        == f"The weeknote for {LABEL} is being published right now: I'll tell you when it's done."
    )
    await org.services.tasks.drain()
    assert len(channel_posts(org)) == 4
    third = await publish(org)
    assert third == f"The weeknote for {LABEL} was published already: nothing was posted again."
    assert len(channel_posts(org)) == 4
    assert len(await org.services.store.posts.list(partition=WEEK)) == 4
    assert (await edition(org)).state is EditionState.PUBLISHED
    assert published == [WEEK], "the after-publish hooks ran once"


class CrashingMessenger:
    """The real messenger, until ``after`` channel posts: then every post fails as if the process died."""

    def __init__(self, inner: Messenger, after: int) -> None:
        self.inner = inner
        self.after = after
        self.posts = 0

    async def send_to_person(
        self, *, email: str, card: Card | None = None, text: str = "", **kw: Any
    ) -> Sent:
        return await self.inner.send_to_person(email=email, card=card, text=text, **kw)

    async def post_to_channel(self, *, card: Card, reply_to: str = "") -> Sent:
        if self.posts >= self.after:
            raise RuntimeError("the process died mid-publish")
        self.posts += 1
        return await self.inner.post_to_channel(card=card, reply_to=reply_to)

    async def update_message(self, *, conversation_id: str, activity_id: str, card: Card) -> None:
        await self.inner.update_message(conversation_id=conversation_id, activity_id=activity_id, card=card)


async def test_a_crash_mid_publish_then_publish_again_posts_only_what_is_missing(org: BotServer) -> None:
    await ready(org)
    real = org.services.messenger
    org.services.messenger = CrashingMessenger(real, after=2)
    before = len(org.connector.sent(DIRECTOR.conversation_id))
    await publish(org)
    [told] = org.connector.sent(DIRECTOR.conversation_id)[before:]
    assert told.text.startswith(f"Publishing the weeknote for {LABEL} stopped part way (2 messages posted)")
    assert len(channel_posts(org)) == 2
    assert await org.services.store.editions.get(partition=Edition.partition_key, key=WEEK) is None

    org.services.messenger = real
    answer = await publish(org)
    assert answer.startswith(
        f"Publishing the rest of the weeknote for {LABEL} now (2 messages posted already)"
    )
    posts = channel_posts(org)
    assert len(posts) == 4, "the two already posted were not posted again"
    stored = await org.services.store.posts.list(partition=WEEK)
    assert sorted(p.activity_id for p in stored) == sorted(c.activity_id for c in posts)
    [thread] = {p.conversation_id for p in stored}
    assert all(c.conversation_id == thread for c in posts), "the rest went into the same thread"
    assert (await edition(org)).state is EditionState.PUBLISHED


async def test_republish_after_an_edit_updates_only_the_changed_section(org: BotServer) -> None:
    await ready(org)
    await publish(org)
    posts = {p.slot: p for p in await org.services.store.posts.list(partition=WEEK)}
    assert org.connector.updates() == []

    # Priya edits OneDrive's update after publishing: the director is sent the digest with Republish.
    before = len(org.connector.sent(DIRECTOR.conversation_id))
    data = {"project": FULL.project_id, "week": WEEK, "rag": "green", "status_reason": "holding steady"}
    card_of(await press(org, PM_ONE, "update.submit", {**data, "achievements": "Usage report published"}))
    await org.services.tasks.drain()
    assert (await edition(org)).needs_republish
    [notice] = cards_in(org.connector.sent(DIRECTOR.conversation_id)[before:])
    assert "review.republish" in emitted_verbs(notice) and "review.publish" not in emitted_verbs(notice)
    assert "changed since" in card_text(notice)

    before = len(org.connector.sent(DIRECTOR.conversation_id))
    answer = await publish(org, verb="review.republish")
    assert answer == f"Updating the weeknote for {LABEL} in the channel now: I'll tell you when it's done."
    [update] = org.connector.updates()
    assert update.activity_id == posts["section:onedrive-adoption:0"].activity_id
    assert "Usage report published" in card_text(update.body)
    [told] = org.connector.sent(DIRECTOR.conversation_id)[before:]
    assert told.text == f"Republished the weeknote for {LABEL}: 1 message updated in place, 0 messages added."
    assert not (await edition(org)).needs_republish
    assert len(channel_posts(org)) == 4

    # Nothing changed since: republishing again touches nothing.
    await publish(org, verb="review.republish")
    assert len(org.connector.updates()) == 1


async def test_republish_posts_extra_replies_when_a_section_grows(org: BotServer) -> None:
    await ready(org)
    await publish(org)
    data = {"project": FULL.project_id, "week": WEEK, "rag": "green", **huge_answers(1)}
    card_of(await press(org, PM_ONE, "update.submit", data))
    await org.services.tasks.drain()
    await publish(org, verb="review.republish")
    stored = {p.slot: p for p in await org.services.store.posts.list(partition=WEEK)}
    assert "section:onedrive-adoption:1" in stored
    assert [u.activity_id for u in org.connector.updates()] == [
        stored["section:onedrive-adoption:0"].activity_id
    ]
    extra = channel_posts(org)[-1]
    assert extra.activity_id == stored["section:onedrive-adoption:1"].activity_id
    assert extra.conversation_id == stored["headline"].conversation_id
    assert "OneDrive adoption (continued)" in card_text(extra.cards)


async def test_a_skipped_section_after_publishing_is_withdrawn_in_place(org: BotServer) -> None:
    await ready(org)
    await publish(org)
    skip = {"project": FULL.project_id, "week": WEEK, "skip_reason": "annual leave"}
    card_of(await press(org, PM_ONE, "update.skip", skip))
    await org.services.tasks.drain()
    await publish(org, verb="review.republish")
    stored = {p.slot: p for p in await org.services.store.posts.list(partition=WEEK)}
    updated = {u.activity_id: u for u in org.connector.updates()}
    assert set(updated) == {stored["headline"].activity_id, stored["section:onedrive-adoption:0"].activity_id}
    withdrawn = card_text(updated[stored["section:onedrive-adoption:0"].activity_id].body)
    assert "removed when it was updated" in withdrawn and "Wave" not in withdrawn
    assert "OneDrive adoption (skipped)" in card_text(updated[stored["headline"].activity_id].body)


@pytest.mark.parametrize(
    ("verb", "extra"),
    [
        ("review.publish", {}),
        ("review.republish", {}),
        ("review.preview", {}),
        ("review.note", {"director_note": "I am the director now"}),
        ("review.chase", {"project": SUMMARY.project_id}),
    ],
)
async def test_a_pm_pressing_a_forwarded_digest_is_refused_and_audited(
    org: BotServer, verb: str, extra: dict[str, str]
) -> None:
    await ready(org)
    sent_before = len(org.connector.sent())
    body = await press(org, PM_TWO, verb, {"week": WEEK, **extra})
    assert text_of(body) == "Only the director or an editor can do that. Nothing was changed."
    await org.services.tasks.drain()
    assert channel_posts(org) == [] and len(org.connector.sent()) == sent_before
    found = await org.services.store.editions.get(partition=Edition.partition_key, key=WEEK)
    assert found is None or not found.director_note
    events = await org.services.store.audit.list(partition="2026-W21")
    assert [(e.actor, e.action, e.outcome) for e in events if e.outcome == "refused"] == [
        (PM_TWO.email, verb, "refused")
    ]
    assert isinstance(events[0], AuditEvent)


async def test_an_editor_may_publish_and_a_typed_publish_works(org: BotServer) -> None:
    await ready(org)
    store = org.services.store
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=Person(**{**owen.__dict__, "roles": frozenset({Role.PM, Role.EDITOR})}))
    await say(org, PM_TWO, "publish")
    await org.services.tasks.drain()
    assert len(channel_posts(org)) == 4
    assert (await edition(org)).published_by == PM_TWO.email


async def test_a_week_with_nothing_submitted_publishes_its_absences(org: BotServer) -> None:
    await say(org, DIRECTOR, "help")
    org.clock.now = CLOSE_W20
    answer = await publish(org)
    assert "No project has sent an update, so it lists everyone as not reported" in answer
    [headline] = channel_posts(org)
    assert "Not reported this week: OneDrive adoption, Frontline services" in card_text(headline.cards)


async def test_publishing_without_a_channel_says_how_to_set_one(org: BotServer) -> None:
    await ready(org)
    store = org.services.store
    organisation = await store.organisation.get(
        partition=Organisation.partition_key, key=Organisation.row_key
    )
    assert organisation is not None
    await store.organisation.save(record=Organisation(**{**organisation.__dict__, "channel_id": ""}))
    answer = await publish(org)
    assert "weeknotes channel set CHANNEL_ID" in answer
    assert channel_posts(org) == []


@pytest.mark.parametrize("week", ["2026-W60", "last week", 20])
async def test_a_card_naming_no_real_week_is_refused(org: BotServer, week: Any) -> None:
    await ready(org)
    body = await press(org, DIRECTOR, "review.publish", {"week": week})
    assert body["statusCode"] == 400 and "can't read" in body["value"]["message"]
    assert channel_posts(org) == []


async def test_a_future_week_cannot_be_published(org: BotServer) -> None:
    await ready(org)
    body = await press(org, DIRECTOR, "review.publish", {"week": "2026-W30"})
    assert (
        text_of(body)
        == "week ending 24 July 2026 hasn't started yet, so there is nothing to review or publish for it."
    )


async def test_reactions_and_replies_on_messages_we_did_not_post_are_ignored(org: BotServer) -> None:
    await ready(org)
    await publish(org)
    headline = next(p for p in await org.services.store.posts.list(partition=WEEK) if p.slot == "headline")
    url = org.connector.url
    other_thread = "19:team-general@thread.tacv2;messageid=1700000000000"
    # The director likes the confirmation in their own chat: not about the weeknote.
    personal_reaction = reaction(DIRECTOR, url, conversation_id=DIRECTOR.conversation_id, reply_to="x")
    personal_reaction["conversation"] = {"id": DIRECTOR.conversation_id, "conversationType": "personal"}
    personal_reaction["reactionsAdded"] = [{"type": "like"}]
    for activity in (
        reaction(PM_ONE, url, conversation_id=headline.conversation_id, reply_to="not-ours", added=("like",)),
        reaction(PM_ONE, url, conversation_id=other_thread, reply_to="1700000000000", added=("heart",)),
        reaction(PM_ONE, url, conversation_id="19:team-general@thread.tacv2", reply_to="x", added=("like",)),
        channel_reply(PM_TWO, url, conversation_id=other_thread, text="Lunch anyone?"),
        personal_reaction,
    ):
        status, _ = await org.post(activity)
        assert status == 200
    assert await org.services.store.engagement.list(partition=WEEK) == []


async def test_a_repeated_reaction_or_reply_is_stored_once(org: BotServer) -> None:
    await ready(org)
    await publish(org)
    headline = next(p for p in await org.services.store.posts.list(partition=WEEK) if p.slot == "headline")
    url, thread = org.connector.url, headline.conversation_id
    like = reaction(PM_ONE, url, conversation_id=thread, reply_to=headline.activity_id, added=("like",))
    comment = channel_reply(PM_TWO, url, conversation_id=thread, text="Nice")
    for activity in (like, like, comment, comment):
        await org.post(activity)
    stored = await org.services.store.engagement.list(partition=WEEK)
    assert sorted(e.kind for e in stored) == ["comment", "like"]


async def test_forty_long_sections_every_message_the_connector_receives_is_under_28_kb(
    org: BotServer,
) -> None:
    """Every request body is measured as it arrived (the SDK sends ASCII-escaped JSON, so each emoji,
    curly quote and dash counts 6 or 12 bytes)."""
    connector = org.connector
    assert isinstance(connector, MeasuringConnector)
    unthrottled(org)
    await say(org, DIRECTOR, "help")
    store = org.services.store
    projects = many_projects(PM_ONE.email, 40)
    for project in projects:
        await store.projects.save(record=project)
    for number, project in enumerate(projects):
        if number % 5 == 0:
            answers = huge_answers(number)
            update = full_update(project, WEEK, PM_ONE.email, number)
            update = type(update)(**{**update.__dict__, "answers": answers, "etag": None})
        else:
            update = full_update(project, WEEK, PM_ONE.email, number)
        await store.updates.save(record=update)
    note = {
        "week": WEEK,
        "director_note": "\n".join(
            f"- Key activity {n}: “good progress” – more to come 🚀" for n in range(60)
        ),
        "highlights": "\n".join(f"- Highlight {n} 🌟" for n in range(40)),
    }
    card_of(await press(org, DIRECTOR, "review.note", note))
    org.clock.now = CLOSE_W20
    await publish(org)

    posts = channel_posts(org)
    stored = await store.posts.list(partition=WEEK)
    assert len(posts) == len(stored) >= 1 + 40 + 8  # the headline, every section, the long ones in parts
    assert {s.slot for s in stored} >= {f"section:project-{n:02d}:1" for n in range(0, 40, 5)}
    measured = [c for c in connector.calls if c.method in {"CREATE", "SEND", "REPLY", "UPDATE"}]
    sizes = [connector.raw_size(c) for c in measured]
    assert max(sizes) < MESSAGE_LIMIT, f"largest message {max(sizes)} bytes"
    assert max(sizes) > MESSAGE_LIMIT // 2, "the long sections really were long"
    for call in measured:
        assert connector.raw_size(call) == len(json.dumps(call.body)), "the raw body is plain ASCII JSON"


async def test_a_reply_the_connector_refuses_is_not_recorded_and_is_posted_by_the_next_publish(
    org: BotServer,
) -> None:
    await ready(org)
    org.connector.fail(r"POST /v3/conversations/[^/]*messageid[^/]*/activities", 400, times=1)
    before = len(org.connector.sent(DIRECTOR.conversation_id))
    await publish(org)
    [told] = org.connector.sent(DIRECTOR.conversation_id)[before:]
    assert "stopped part way (1 message posted): Teams didn't accept a message" in told.text
    assert [p.slot for p in await org.services.store.posts.list(partition=WEEK)] == ["headline"]
    await publish(org)
    stored = await org.services.store.posts.list(partition=WEEK)
    assert len(stored) == 4 and all(p.activity_id for p in stored)
    assert (await edition(org)).state is EditionState.PUBLISHED
