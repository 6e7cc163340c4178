"""Cards that answer chat commands: help, status, and plain notices."""

from __future__ import annotations

from collections.abc import Sequence

from cards import words
from cards.common import Card, escape_card_text, fact_set, text_block
from cards.loader import fill_template

REVIEWER_COMMANDS: Sequence[tuple[str, str]] = (
    ("review", "Get this week's digest: who is missing, what changed"),
    ("preview", "See this week's weeknote as it will be published"),
    ("publish", "Publish this week's weeknote to the channel"),
)
ADMIN_COMMANDS: Sequence[tuple[str, str]] = (
    ("projects", "Set up projects, their owners, templates and metrics"),
    ("setup", "Set the schedule, the publishing channel and people's roles"),
)


def build_help_card(*, is_reviewer: bool, is_admin: bool = False) -> Card:
    """What the bot does and the commands it understands, including those only the reader's roles allow.

    Args:
        is_reviewer: Whether the reader is the director or an editor (review, preview, publish).
        is_admin: Whether the reader is the director or an admin (projects, setup).

    Returns:
        The card, with buttons for ``update`` and ``status``.
    """
    commands = [*(REVIEWER_COMMANDS if is_reviewer else ()), *(ADMIN_COMMANDS if is_admin else ())]
    reviewer_facts = [{"title": name, "value": what} for name, what in commands]
    return fill_template("help", {"fallback": words.FALLBACK, "reviewer_facts": reviewer_facts})


def build_status_card(*, week_label: str, rows: Sequence[tuple[str, str]]) -> Card:
    """Where each project's update stands this week.

    Args:
        week_label: The week as people read it.
        rows: (project name, state) per project; the state is ``submitted``, ``late``, ``draft``, ``missing``
            or ``skipped`` (anything else is shown as given).

    Returns:
        The card, with buttons to open the update cards and for help.
    """
    blocks: list[Card]
    if rows:
        blocks = [fact_set([(escape_card_text(name), _state_text(state)) for name, state in rows])]
    else:
        blocks = [text_block(words.NO_PROJECTS, isSubtle=True)]
    return fill_template(
        "status",
        {"fallback": words.FALLBACK, "week_label": escape_card_text(week_label), "rows": blocks},
    )


def _state_text(state: str) -> str:
    emoji = words.STATE_EMOJI.get(state.lower())
    text = escape_card_text(state)
    return f"{emoji} {text}" if emoji else text


def build_notice_card(title: str, text: str) -> Card:
    """A plain confirmation or error, as a card.

    Args:
        title: The heading, written by the bot.
        text: The message, written by the bot; it may use Markdown (``**help**``), so any user text in it
            must already be escaped with :func:`cards.common.escape_card_text`.

    Returns:
        The card.
    """
    return fill_template("notice", {"fallback": f"{title}: {text}", "title": title, "text": text})
