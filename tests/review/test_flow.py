"""The whole review path over real HTTP, Azurite behind and the fake connector in front:
close -> digest -> chase -> note -> preview -> publish -> reactions (added, removed) -> thread replies ->
next week's digest shows how the weeknote was received."""

from __future__ import annotations

from bot.domain.models import Edition, EditionState
from bot.review.digest import send_digests
from cards.actions import emitted_verbs
from tests.review.support import (
    CLOSE_W20,
    CLOSE_W21,
    NEXT_WEEK,
    WEEK,
    card_of,
    card_text,
    cards_in,
    channel_reply,
    press,
    reaction,
    say,
    submit_week,
    text_of,
)
from tests.support.botserver import BotServer
from tests.support.org import DIRECTOR, PM_ONE, PM_TWO, SUMMARY


async def test_close_digest_chase_note_preview_publish_react_comment_next_digest(org: BotServer) -> None:
    connector, services = org.connector, org.services
    await say(org, DIRECTOR, "help")  # the director has talked to the bot: their chat is known
    await submit_week(org)

    # Close: the cadence sends the digest to the director (and editors).
    org.clock.now = CLOSE_W20
    await send_digests(services, WEEK)
    [digest] = cards_in(connector.sent(DIRECTOR.conversation_id))[-1:]
    text = card_text(digest)
    assert "Weeknote review" in text and "week ending 15 May 2026" in text
    facts = {f["title"]: f["value"] for f in digest["body"][2]["facts"]}
    assert facts == {"Submitted": "3", "Late": "0", "Skipped": "0", "Missing": "1"}
    assert "Purview pilot (Owen Price)" in text
    assert "OneDrive adoption: Amber → Green" in text and "▲ from amber" in text
    assert {"review.chase", "review.note", "review.preview", "review.publish"} == emitted_verbs(digest)

    # Chase: Owen gets Purview's card now (only what is missing: Frontline is in).
    before = len(connector.sent(PM_TWO.conversation_id))
    body = await press(org, DIRECTOR, "review.chase", {"week": WEEK, "project": SUMMARY.project_id})
    assert text_of(body) == "Sending Owen Price a reminder for Purview pilot now."
    await services.tasks.drain()
    [chased] = cards_in(connector.sent(PM_TWO.conversation_id)[before:])
    assert "Purview pilot" in card_text(chased)
    assert "Dana Director is putting the weeknote together" in card_text(chased)

    # Note: the digest comes back with the note in it.
    note = {"week": WEEK, "director_note": "A busy week.\n- Good chat on data", "highlights": "- Laptops"}
    refreshed = card_of(await press(org, DIRECTOR, "review.note", note))
    assert "Note saved" in card_text(refreshed) and "A busy week." in card_text(refreshed)
    edition = await services.store.editions.get(partition=Edition.partition_key, key=WEEK)
    assert edition is not None and edition.director_note == note["director_note"]

    # Preview: the weeknote arrives in the director's chat.
    before = len(connector.sent(DIRECTOR.conversation_id))
    body = await press(org, DIRECTOR, "review.preview", {"week": WEEK})
    assert "(4 messages, following now)" in text_of(body)  # headline + three sections
    await services.tasks.drain()
    preview = cards_in(connector.sent(DIRECTOR.conversation_id)[before:])
    assert "Weeknote: week ending 15 May 2026" in card_text(preview[0])
    assert "A busy week." in card_text(preview[0]) and "Purview pilot" in card_text(preview[0])

    # Publish: answered at once, posted after, then the director is told.
    before = len(connector.sent(DIRECTOR.conversation_id))
    body = await press(org, DIRECTOR, "review.publish", {"week": WEEK})
    assert text_of(body).startswith("Publishing the weeknote for week ending 15 May 2026 now")
    await services.tasks.drain()
    [done] = connector.sent(DIRECTOR.conversation_id)[before:]
    assert done.text == "Published the weeknote for week ending 15 May 2026 to the channel (4 messages)."
    [headline_call] = [c for c in connector.calls if c.method == "CREATE" and c.body.get("isGroup")]
    thread = headline_call.conversation_id
    channel = connector.sent(thread)  # the headline (a new conversation), then the replies in its thread
    assert channel[0] is headline_call and all(c.method != "CREATE" for c in channel[1:])
    assert cards_in(channel) == preview, "the preview is exactly what the channel got"
    posts = {p.slot: p for p in await services.store.posts.list(partition=WEEK)}
    assert sorted(posts) == [
        "headline",
        "section:frontline:0",
        "section:onedrive-adoption:0",
        "section:product-drupal:0",
    ]
    assert posts["headline"].conversation_id == thread
    edition = await services.store.editions.get(partition=Edition.partition_key, key=WEEK)
    assert edition is not None and edition.state is EditionState.PUBLISHED and not edition.needs_republish
    assert edition.published_by == DIRECTOR.email

    # Reactions: added, one removed again.
    onedrive = posts["section:onedrive-adoption:0"].activity_id
    url = connector.url
    for user, kinds in ((PM_ONE, ("like",)), (PM_TWO, ("like", "heart")), (DIRECTOR, ("laugh",))):
        status, _ = await org.post(
            reaction(user, url, conversation_id=thread, reply_to=onedrive, added=kinds)
        )
        assert status == 200
    await org.post(reaction(PM_TWO, url, conversation_id=thread, reply_to=onedrive, removed=("heart",)))
    await org.post(
        reaction(
            PM_ONE, url, conversation_id=thread, reply_to=posts["headline"].activity_id, added=("heart",)
        )
    )
    stored = await services.store.engagement.list(partition=WEEK)
    assert sorted((e.activity_id == onedrive, e.person, e.kind) for e in stored) == [
        (False, PM_ONE.email, "heart"),
        (True, DIRECTOR.email, "laugh"),
        (True, PM_TWO.email, "like"),
        (True, PM_ONE.email, "like"),
    ]

    # Thread replies: stored as comments, not answered.
    sent_before = len(connector.sent())
    await org.post(channel_reply(PM_TWO, url, conversation_id=thread, text="Great progress on OneDrive!"))
    await org.post(
        channel_reply(PM_ONE, url, conversation_id=thread, text="Thanks, more next week", reply_to=onedrive)
    )
    assert len(connector.sent()) == sent_before, "comments are recorded, never answered"
    comments = [e for e in await services.store.engagement.list(partition=WEEK) if e.kind == "comment"]
    assert sorted((c.person, c.text, c.activity_id) for c in comments) == sorted(
        [
            (PM_TWO.email, "Great progress on OneDrive!", posts["headline"].activity_id),
            (PM_ONE.email, "Thanks, more next week", onedrive),
        ]
    )

    # Next week: the digest shows last week's engagement.
    org.clock.now = CLOSE_W21
    await send_digests(services, NEXT_WEEK)
    next_digest = cards_in(connector.sent(DIRECTOR.conversation_id))[-1]
    text = card_text(next_digest)
    assert "Last week's weeknote" in text
    assert "Reactions: 2 👍 like, 1 ❤️ heart, 1 😆 laugh" in text
    assert "Comments: 2" in text
    assert "Most discussed: OneDrive adoption (4 reactions and comments)" in text
