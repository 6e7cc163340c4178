"""The reviewer's actions and commands over real HTTP: digest on demand, chase, the note and its limits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.models import ConversationRef, Edition, Person, Role
from bot.review.digest import send_digests
from cards.actions import emitted_verbs
from tests.review.support import (
    CLOSE_W20,
    WEEK,
    card_of,
    card_text,
    cards_in,
    press,
    say,
    submit_week,
    text_of,
)
from tests.support.botserver import BotServer
from tests.support.org import BRIEF, DIRECTOR, PM_ONE, PM_TWO, SUMMARY


def find_input(card: Any, input_id: str) -> dict[str, Any]:
    """The input ``input_id`` anywhere in ``card`` (ShowCards included)."""
    stack = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("id") == input_id and str(node.get("type", "")).startswith("Input."):
                return node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise AssertionError(f"no input {input_id}")


async def ready(bot: BotServer) -> None:
    await say(bot, DIRECTOR, "help")
    await submit_week(bot)
    bot.clock.now = CLOSE_W20


async def stored_edition(bot: BotServer) -> Edition | None:
    return await bot.services.store.editions.get(partition=Edition.partition_key, key=WEEK)


async def test_typing_review_or_digest_sends_the_digest_now(org: BotServer) -> None:
    await ready(org)
    for command in ("review", "digest", "review 2026-W20"):
        await say(org, DIRECTOR, command)
        card = cards_in(org.connector.sent(DIRECTOR.conversation_id))[-1]
        assert "Weeknote review" in card_text(card) and "week ending 15 May 2026" in card_text(card)
        assert "review.publish" in emitted_verbs(card)


async def test_a_pm_typing_review_or_publish_is_refused(org: BotServer) -> None:
    await ready(org)
    for command in ("review", "publish", "preview"):
        await say(org, PM_ONE, command)
        assert org.connector.sent(PM_ONE.conversation_id)[-1].text == (
            "Only the director or an editor can do that. Nothing was changed."
        )


async def test_typing_a_week_that_is_not_one_says_so(org: BotServer) -> None:
    await ready(org)
    await say(org, DIRECTOR, "review next tuesday")
    assert "can't read" in org.connector.sent(DIRECTOR.conversation_id)[-1].text


async def test_chasing_a_project_already_in_sends_nothing(org: BotServer) -> None:
    await ready(org)
    before = len(org.connector.sent())
    body = await press(org, DIRECTOR, "review.chase", {"week": WEEK, "project": BRIEF.project_id})
    assert text_of(body) == "Frontline services is already in (submitted): no reminder sent."
    assert len(org.connector.sent()) == before


async def test_chasing_an_unknown_project_or_unreachable_pm_says_so(org: BotServer) -> None:
    await ready(org)
    body = await press(org, DIRECTOR, "review.chase", {"week": WEEK, "project": "no-such-project"})
    assert "can't find that project" in text_of(body)
    # Owen's chat is not known and Teams has no account for him: the reminder cannot go.
    store = org.services.store
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=replace(owen, aad_object_id="", teams_user_id=""))
    await store.conversations.delete(record=ConversationRef(key=f"personal:{PM_TWO.email}", reference={}))
    body = await press(org, DIRECTOR, "review.chase", {"week": WEEK, "project": SUMMARY.project_id})
    assert text_of(body) == "Sending Owen Price a reminder for Purview pilot now."
    await org.services.tasks.drain()
    assert org.connector.sent(DIRECTOR.conversation_id)[-1].text == (
        "I couldn't reach Owen Price in Teams just now, so the reminder wasn't sent: try again later."
    )
    events = await org.services.store.audit.list(partition="2026-W21")
    assert [(e.action, e.outcome) for e in events if e.action == "review.chase"] == [
        ("review.chase", "failed")
    ]


async def test_a_note_too_long_comes_back_with_what_was_typed_and_the_problem(org: BotServer) -> None:
    await ready(org)
    typed = "A long week. " * 308  # 4,004 characters
    card = card_of(
        await press(
            org, DIRECTOR, "review.note", {"week": WEEK, "director_note": typed, "highlights": "- One"}
        )
    )
    assert "Director's note is 4,003 characters long; the most it can be is 4,000" in card_text(card)
    assert find_input(card, "director_note")["value"] == typed.strip()
    assert find_input(card, "highlights")["value"] == "- One"
    assert await stored_edition(org) is None


async def test_a_note_whose_message_would_be_too_big_is_refused_and_kept(org: BotServer) -> None:
    await ready(org)
    typed = "🚀" * 2500  # 2,500 characters, but 30 KB as the connector receives it
    card = card_of(await press(org, DIRECTOR, "review.note", {"week": WEEK, "director_note": typed}))
    assert "too long to fit in the weeknote's first message" in card_text(card)
    assert find_input(card, "director_note")["value"] == typed
    assert await stored_edition(org) is None


async def test_a_note_saved_after_publishing_asks_for_republish(org: BotServer) -> None:
    await ready(org)
    await press(org, DIRECTOR, "review.publish", {"week": WEEK})
    await org.services.tasks.drain()
    card = card_of(await press(org, DIRECTOR, "review.note", {"week": WEEK, "director_note": "Added later"}))
    assert "press Republish" in card_text(card)
    assert "review.republish" in emitted_verbs(card)
    edition = await stored_edition(org)
    assert edition is not None and edition.needs_republish and edition.director_note == "Added later"


async def test_the_digest_goes_to_the_director_and_every_editor(org: BotServer) -> None:
    await ready(org)
    store = org.services.store
    owen = await store.people.get(partition=Person.partition_key, key=PM_TWO.email)
    assert owen is not None
    await store.people.save(record=replace(owen, roles=frozenset({Role.PM, Role.EDITOR})))
    await send_digests(org.services, WEEK)
    for user in (DIRECTOR, PM_TWO):
        card = cards_in(org.connector.sent(user.conversation_id))[-1]
        assert "Weeknote review" in card_text(card)
    assert all(
        "Weeknote review" not in card_text(c) for c in cards_in(org.connector.sent(PM_ONE.conversation_id))
    )
