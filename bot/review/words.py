"""What the review and publishing feature says to people, in one place (UK English, plain words).

Placeholders are filled with ``str.format``. Texts sent as plain messages may use Teams' Markdown
(``**bold**``); anything a person typed is escaped before it is put in.
"""

from __future__ import annotations

# Who may review.
NOT_A_REVIEWER = "Only the director or an editor can do that. Nothing was changed."
BAD_WEEK = "That card names a week I can't read. Type **review** for this week's digest."
FUTURE_WEEK = "{label} hasn't started yet, so there is nothing to review or publish for it."

# Chase.
CHASED = "Sending {name} a reminder for {project} now."
CHASE_ALREADY_IN = "{project} is already in ({state}): no reminder sent."
CHASE_NO_OWNER = "I don't know who answers for {project}, so no reminder was sent."
CHASE_FAILED = "I couldn't reach {name} in Teams just now, so the reminder wasn't sent: try again later."
UNKNOWN_PROJECT = "I can't find that project any more. Type **review** for a fresh digest."

# The director's note.
NOTE_SAVED = "Note saved. It will open the weeknote."
NOTE_SAVED_REPUBLISH = "Note saved. The weeknote is already published: press Republish to update the channel."
NOTE_TOO_LONG = "{field} is {length:,} characters long; the most it can be is {limit:,}. Please shorten it."
NOTE_TOO_BIG = (
    "Your note and highlights are too long to fit in the weeknote's first message "
    "({size:,} bytes of {limit:,}). Please shorten them."
)
NOTE_CHANGED = (
    "Someone else changed the note at the same time. Your text is still in the card: save it again."
)

# Preview.
PREVIEW_SENDING = "Here is the weeknote for {label} as the channel will see it ({count}, following now)."
PREVIEW_TOO_BIG = (
    "The weeknote for {label} can't be shown: one of its messages would be larger than Teams allows. "
    "Shorten your note and highlights, then try again."
)

# Publish and republish.
NO_CHANNEL = (
    "No channel is set for publishing yet. Add the app to the team, or ask an admin to run "
    "`weeknotes channel set CHANNEL_ID`."
)
PUBLISHING = "Publishing the weeknote for {label} now: I'll tell you when it's done."
PUBLISHING_EMPTY = (
    "Publishing the weeknote for {label} now. No project has sent an update, so it lists everyone "
    "as not reported. I'll tell you when it's done."
)
PUBLISHING_REST = (
    "Publishing the rest of the weeknote for {label} now ({posted} posted already). "
    "I'll tell you when it's done."
)
ALREADY_PUBLISHED = "The weeknote for {label} was published already: nothing was posted again."
ALREADY_PUBLISHED_CHANGED = (
    "The weeknote for {label} was published already and has changed since: press Republish to update "
    "the channel."
)
ALREADY_RUNNING = "The weeknote for {label} is being published right now: I'll tell you when it's done."
PUBLISHED = "Published the weeknote for {label} to the channel ({posted})."
PUBLISHED_CHANGED = (
    "Published the weeknote for {label} to the channel ({posted}). Some updates changed while "
    "it was being published: press Republish to bring the channel up to date."
)
PUBLISH_FAILED = (
    "Publishing the weeknote for {label} stopped part way ({posted} posted): {reason}. "
    "Press Publish again to post the rest; nothing is posted twice."
)
NOT_PUBLISHED_YET = "The weeknote for {label} hasn't been published yet: press Publish first."
REPUBLISHING = "Updating the weeknote for {label} in the channel now: I'll tell you when it's done."
REPUBLISHED = "Republished the weeknote for {label}: {updated} updated in place, {posted} added."
REPUBLISHED_NOTHING = "The weeknote for {label} in the channel is already up to date: nothing to change."
REPUBLISH_FAILED = (
    "Republishing the weeknote for {label} stopped part way: {reason}. Press Republish again to finish."
)
WITHDRAWN_TITLE = "{title}"
WITHDRAWN_TEXT = "This part of the weeknote was removed when it was updated."
TOO_BIG = "a message would be larger than Teams allows"
DELIVERY_FAILED = "Teams didn't accept a message"

# Engagement, in the digest.
REACTION_NAMES = {
    "like": "👍 like",
    "heart": "❤️ heart",
    "laugh": "😆 laugh",
    "surprised": "😮 surprised",
    "sad": "😢 sad",
    "angry": "😡 angry",
}
ENGAGEMENT_REACTIONS = "Reactions: {reactions}"
ENGAGEMENT_NO_REACTIONS = "No reactions yet"
ENGAGEMENT_COMMENTS = "Comments: {count}"
ENGAGEMENT_TOP = "Most discussed: {title} ({count} {noun})"
ENGAGEMENT_NOT_PUBLISHED = "It wasn't published in the channel."

# The digest, when it is too big to list everything.
DIGEST_MORE_MISSING = "{count} more projects are not in yet (type **review** again once some are in)"
DIGEST_QUIET_PROJECTS = "{count} projects on track with no change are not listed"
DIGEST_MORE_STATUS = "{count} more projects' status not shown (see the preview)"
DIGEST_MORE_CHANGES = "{count} more changes (see the preview)"


def messages(count: int) -> str:
    """``1 message``, ``4 messages``."""
    return f"{count} message" if count == 1 else f"{count} messages"
