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
UNKNOWN_ACTION = (
    "That button isn't one I know (it may be from an older version). Type **update** for a fresh card."
)
NOT_YOURS = "You can't answer for {project}: it belongs to {owner}. Nothing was changed."
UNKNOWN_PROJECT = "I can't find that project any more. Type **update** for your current projects."
STALE_CARD = "This card is for {card_week}, which is closed. Type **update** for this week's card ({week})."
EDITION_PUBLISHED = "The weeknote for {week} has been published, so this update can no longer be changed."
ROLE_REQUIRED = "Only the director or an editor can do that. Nothing was changed."
NO_PROJECTS = "You don't own or deputise any projects this week, so there's nothing to update."
STILL_SAVED = "Everything you typed is still in the card."

# ---- Onboarding (bot/teams/onboarding.py) and setup from chat (dialogs/setup.py) ----
HELLO_TEAM = (
    "Hello {team}! I'm Weeknotes. Each week I'll ask every project manager, in a 1:1 chat, for their "
    "projects' updates ({prompt}), remind anyone who hasn't answered ({remind}), and close the week for the "
    "director's review ({close}). Once it's reviewed, I'll publish the weeknote in this channel."
)
HELLO_SET_UP = "Set up and found in this team: {names}."
HELLO_MISSING = (
    "In the organisation list but not found in this team: {names}. Add them to the team (or check their "
    "email address) so that I can reach them."
)
HELLO_NOBODY = (
    "Nobody is set up yet: an admin can load the organisation file (weeknotes org import), "
    "or the director can message me **projects** in a 1:1 chat."
)
HELLO_NO_ROSTER = "I couldn't read this team's members just now, so I'll link people as they message me."
HELLO_NEXT = "Project managers: message me **update** at any time. Type **help** to see what I can do."
HELLO_PROJECT_COUNT = ("", "1 project", "{count} projects")
HELLO_OTHER_TEAM = (
    "Hello, I'm Weeknotes. I already publish {organisation}'s weeknote in another team, so I won't post "
    "anything here. To move me, remove me from that team first."
)

SETUP_REFUSED = "Only the director or an admin can change the set-up. Nothing was changed."
SETUP_HELP = (
    "Set-up, for the director and admins:\n\n"
    "- **projects**: every project, with buttons to edit one or add one\n"
    "- **setup schedule**: when I ask, remind and close the week, and the time zone\n"
    "- **setup channel**: the channel the weeknote is published in\n"
    "- **setup roles**: who is director, editor, project manager or admin"
)
SETUP_NO_CHANNELS = "I don't know the team's channels yet: add me to the team first, then try again."
SETUP_UNKNOWN_PROJECT = "I can't find a project called \u201c{name}\u201d. Type **projects** to see them all."
SETUP_CHANGED_MEANWHILE = (
    "Someone else changed this while you were editing, so nothing was saved. "
    "Type **projects** (or **setup**) for a fresh card."
)
SETUP_SCHEDULE_SAVED = (
    "Schedule saved: I'll ask on {prompt}, remind on {remind} and close the week on {close} ({timezone})."
)
SETUP_CHANNEL_SAVED = "From now on the weeknote is published in {channel}."
SETUP_UNKNOWN_CHANNEL = "That channel isn't one of the team's channels I know. Nothing was changed."
SETUP_UNKNOWN_PERSON = "I don't have {email} in the organisation's list. Nothing was changed."
SETUP_NO_ROLES = "Give {name} at least one role. Nothing was changed."
SETUP_BAD_ROLE = (
    "\u201c{role}\u201d isn't a role; roles are director, editor, pm and admin. Nothing was changed."
)
SETUP_OWNER_NEEDS_ROLE = (
    "{name} answers for {projects}, so they need the role pm or director. "
    "Hand the projects over first. Nothing was changed."
)
SETUP_LAST_ADMIN = (
    "{name} is the last director or admin: give someone else one of those roles first. Nothing was changed."
)
SETUP_LINKED_BY_GRAPH = "Linked {name} to their Microsoft 365 account, so I can reach them in Teams."
SETUP_NOT_LINKED = (
    "{name} isn't linked to Teams yet: I'll link them when they're in the team or message me. ({why})"
)

# Problems with what was typed in the project and schedule forms (shown in red under the input).
FORM_NAME_MISSING = "Give the project a name."
FORM_NAME_LINE = "Keep the name on one line."
FORM_NAME_TOO_LONG = "Keep the name to {limit} characters (it has {length})."
FORM_NAME_NO_SLUG = "Use some letters or digits in the name."
FORM_NAME_TAKEN = "There's already a project called \u201c{name}\u201d."
FORM_NAME_PAUSED = "A paused project is already called \u201c{name}\u201d: edit that one instead."
FORM_OWNER_MISSING = "Choose who owns the project."
FORM_PERSON_UNKNOWN = "{email} isn't in the organisation's list of people: add them first."
FORM_PERSON_ROLE = "{name} needs the role pm or director to answer for a project."
FORM_PERSON_INACTIVE = "{name} is no longer active: choose someone else."
FORM_DEPUTY_IS_OWNER = "The deputy is the owner: choose someone else, or no deputy."
FORM_TEMPLATE = "Choose one of the four templates."
FORM_METRICS_NOT_FULL = "Only the full template shows metrics: choose full, or leave metrics empty."
FORM_METRIC_LINE = "Line {number}: write a metric as Name (unit), e.g. Active users (users)."
FORM_METRIC_TWICE = "Line {number}: \u201c{name}\u201d is already a metric of this project."
FORM_EXPORT_PROBLEM = "This wouldn't export cleanly: {problem}"
FORM_TIMEZONE = "\u201c{zone}\u201d isn't a time zone I know: use a name like Europe/London."
