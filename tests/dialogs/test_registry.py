"""One table of card actions: every verb a card can emit has a handler, and every handler a verb."""

from __future__ import annotations

from cards.actions import Verb
from dialogs import commands
from dialogs.registry import ACTIONS, COMMANDS, command_for


def test_every_card_verb_has_a_handler() -> None:
    missing = {verb.value for verb in Verb} - set(ACTIONS)
    assert not missing, f"verbs with no handler: {sorted(missing)}"


def test_every_handler_is_for_a_card_verb() -> None:
    unknown = set(ACTIONS) - {verb.value for verb in Verb}
    assert not unknown, f"handlers for verbs no card emits: {sorted(unknown)}"


def test_commands_match_case_insensitively_and_keep_the_rest() -> None:
    handler, rest = command_for("  SKIP  on leave ")
    assert handler is COMMANDS["skip"]
    assert rest == "on leave"


def test_unknown_text_goes_to_the_unknown_command_handler() -> None:
    handler, rest = command_for("tell me a joke")
    assert handler is commands.unknown_command
    assert rest == "tell me a joke"
