"""Reactions and comments on the weeknote's posts: read from Teams activities, recorded by
:mod:`bot.review.engagement`.

Teams sends ``messageReaction`` only for the bot's own messages (``replyToId`` names the message), and, with
the RSC permission ``ChannelMessage.Read.Group``, every message in the channel: a reply in one of our
weeknote threads (conversation ``<channel>;messageid=<headline id>``) is a comment. Anything about a message
we did not post is ignored.
"""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.ports import Services
from bot.review.engagement import find_target, find_thread, record_comment, record_reactions
from bot.teams.identity import resolve_actor

log = logging.getLogger(__name__)


async def _person(context: TurnContext, services: Services) -> str:
    """Who sent the activity: their email if we know them, else their AAD (or Teams) id."""
    actor = await resolve_actor(context, services.store)
    if actor.person is not None:
        return actor.person.email
    if actor.aad_object_id:
        return f"aad:{actor.aad_object_id}"
    return f"teams:{actor.teams_user_id}"


def _from_bot(activity: Activity) -> bool:
    sender = activity.from_property
    recipient = activity.recipient
    return bool(sender and recipient and sender.id and sender.id == recipient.id)


async def on_reactions(context: TurnContext, services: Services) -> None:
    """A ``messageReaction`` activity: reactions added or removed on one of our posts."""
    activity = context.activity
    reply_to = str(activity.reply_to_id or "")
    conversation_type = getattr(activity.conversation, "conversation_type", "") or "personal"
    if not reply_to or conversation_type == "personal" or _from_bot(activity):
        return  # a reaction in someone's chat with the bot (to a digest, a card) is not about the weeknote
    added = [str(r.type) for r in activity.reactions_added or [] if getattr(r, "type", None)]
    removed = [str(r.type) for r in activity.reactions_removed or [] if getattr(r, "type", None)]
    if not added and not removed:
        return
    conversation = str(activity.conversation.id if activity.conversation else "")
    target = await find_target(services.store, conversation_id=conversation, activity_id=reply_to)
    if target is None:
        log.info("reaction on message %s ignored: not one of the weeknote's posts", reply_to)
        return
    person = await _person(context, services)
    await record_reactions(
        services.store, target, person=person, added=added, removed=removed, at=services.clock()
    )


async def on_channel_message(context: TurnContext, services: Services) -> bool:
    """A message in a channel thread; True if it was a comment on a weeknote post (and recorded)."""
    activity = context.activity
    conversation = str(activity.conversation.id if activity.conversation else "")
    if ";messageid=" not in conversation or not activity.id or _from_bot(activity):
        return False
    reply_to = str(activity.reply_to_id or "")
    target = await find_thread(services.store, conversation_id=conversation, reply_to_id=reply_to)
    if target is None:
        return False
    text = TurnContext.remove_recipient_mention(activity) or activity.text or ""
    person = await _person(context, services)
    await record_comment(
        services.store,
        target,
        comment_id=str(activity.id),
        person=person,
        text=str(text),
        at=services.clock(),
    )
    return True
