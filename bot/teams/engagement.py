"""Reactions and comments on the weeknote's posts (filled in by the publishing feature)."""

from __future__ import annotations

from botbuilder.core import TurnContext

from bot.ports import Services


async def on_reactions(context: TurnContext, services: Services) -> None:
    """A ``messageReaction`` activity: reactions added or removed on one of our posts."""
    return None


async def on_channel_message(context: TurnContext, services: Services) -> bool:
    """A message in a channel thread; True if it was a comment on a weeknote post (and recorded)."""
    return False
