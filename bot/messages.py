"""Every sentence the bot says to people, in one place (UK English, plain words)."""

from __future__ import annotations

GREETING_PERSONAL = (
    "Hello {name}, I'm Weeknotes. Each week I'll ask you for your projects' updates here, "
    "and put them together into the weeknote. Type **help** to see what I can do."
)
GREETING_UNKNOWN = (
    "Hello, I'm Weeknotes. I don't have you in this organisation's list yet: ask your director "
    "or an admin to add you, then type **help**."
)
NOT_REGISTERED = (
    "I don't have you in this organisation's list yet, so I can't take updates from you. "
    "Ask your director or an admin to add you."
)
UNKNOWN_COMMAND = "Sorry, I didn't understand \u201c{text}\u201d. Here's what I can do:"
TURN_FAILED = (
    "Sorry, something went wrong on my side while handling that. Nothing you typed has been lost: "
    "please try again in a minute."
)
STORAGE_DOWN = (
    "I couldn't save that just now because storage is unavailable. Nothing you typed has been lost: "
    "press the button again in a minute."
)
TENANT_REFUSED = "refused: tenant {tenant} is not allowed"
MALFORMED_ACTION = "That card sent something I couldn't read. Please type **update** to get a fresh card."
UNKNOWN_ACTION = "That button isn't one I know (it may be from an older version). Type **update** for a fresh card."
NOT_YOURS = "You can't answer for {project}: it belongs to {owner}. Nothing was changed."
UNKNOWN_PROJECT = "I can't find that project any more. Type **update** for your current projects."
STALE_CARD = (
    "This card is for {card_week}, which is closed. Type **update** for this week's card ({week})."
)
EDITION_PUBLISHED = "The weeknote for {week} has been published, so this update can no longer be changed."
ROLE_REQUIRED = "Only the director or an editor can do that. Nothing was changed."
NO_PROJECTS = "You don't own or deputise any projects this week, so there's nothing to update."
STILL_SAVED = "Everything you typed is still in the card."
