"""Every card keeps the contract (header, labelled inputs, unique ids, known verbs); templates fill."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cards.actions import Verb, emitted_verbs, iter_actions
from cards.common import CARD_VERSION, CONTRACT_VERSION, SCHEMA_URL
from cards.contract import card_problems, input_ids
from cards.loader import TemplateError, fill_template, load_template, template_names
from tests.support.card_samples import all_cards

CARDS = all_cards()


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_keeps_the_contract(name: str) -> None:
    assert card_problems(CARDS[name]) == []


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_action_carries_its_verb_in_data(name: str) -> None:
    for action in iter_actions(CARDS[name]):
        if action["type"] == "Action.Execute":
            assert action["data"]["verb"] == action["verb"]
            assert action["data"]["v"] == CONTRACT_VERSION


def test_every_verb_is_reachable_and_nothing_else_is_emitted() -> None:
    emitted: set[str] = set()
    for card in CARDS.values():
        emitted |= emitted_verbs(card)
    assert emitted <= set(Verb)
    assert emitted == set(Verb), f"no sample card emits {set(Verb) - emitted}"


def test_verbs_are_the_agreed_list() -> None:
    assert {verb.value for verb in Verb} == {
        "update.submit",
        "update.draft",
        "update.skip",
        "update.handover",
        "update.edit",
        "review.chase",
        "review.note",
        "review.preview",
        "review.publish",
        "review.republish",
        "setup.project",
        "setup.schedule",
        "setup.channel",
        "setup.role",
        "cmd.update",
        "cmd.status",
        "cmd.help",
    }


def test_emitted_verbs_walks_nested_actions() -> None:
    card = {
        "type": "AdaptiveCard",
        "body": [
            {"type": "Container", "selectAction": {"type": "Action.Execute", "verb": "a", "data": {}}},
            {"type": "ActionSet", "actions": [{"type": "Action.Submit", "data": {"verb": "b"}}]},
        ],
        "actions": [
            {
                "type": "Action.ShowCard",
                "card": {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "verb": "c"}]},
            },
            {"type": "Action.Execute"},
        ],
    }
    assert emitted_verbs(card) == {"a", "b", "c", ""}


def test_contract_check_finds_problems() -> None:
    broken: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": [
            {"type": "Input.Text", "id": "a", "maxLength": 10},
            {"type": "Input.Text", "id": "a", "label": "A", "isRequired": True, "maxLength": 10},
            {"type": "TextBlock", "text": "x"},
            {"type": "Image", "url": "https://example.org/x.png"},
        ],
        "actions": [
            {"type": "Action.Submit", "title": "Go", "data": {}},
            {"type": "Action.Execute", "title": "Go", "verb": "nope", "data": {"verb": "other"}},
        ],
    }
    problems = "\n".join(card_problems(broken))
    for expected in (
        "$schema",
        "version is '1.2'",
        "no fallbackText",
        "has no label",
        "duplicate input id 'a'",
        "has no errorMessage",
        "does not wrap",
        "unknown element type 'Image'",
        "has a URL",
        "Action.Submit",
        "verb 'nope' is not a Verb",
        "data verb 'other'",
        "data v is None",
    ):
        assert expected in problems


@pytest.mark.parametrize("name", template_names())
def test_template_is_a_card_of_the_agreed_version(name: str) -> None:
    template = load_template(name)
    assert template["type"] == "AdaptiveCard"
    assert template["$schema"] == SCHEMA_URL
    assert template["version"] == CARD_VERSION


def test_templates_are_loaded_from_the_package_not_the_working_directory(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_template("help")["type"] == "AdaptiveCard"


def test_fill_template_requires_every_value_and_no_more() -> None:
    with pytest.raises(TemplateError, match="needs a value for 'text'"):
        fill_template("notice", {"fallback": "f", "title": "t"})
    with pytest.raises(TemplateError, match="no placeholder for \\['extra'\\]"):
        fill_template("notice", {"fallback": "f", "title": "t", "text": "x", "extra": 1})
    with pytest.raises(TemplateError, match="must be a list"):
        fill_template("section", {"fallback": "f", "body": "not a list"})


def test_fill_template_never_reads_placeholders_inside_values() -> None:
    card = fill_template("notice", {"fallback": "{{title}}", "title": "{{text}}", "text": "{{*x}}"})
    assert card["fallbackText"] == "{{title}}"
    assert card["body"][0]["text"] == "{{text}}"
    assert card["body"][1]["text"] == "{{*x}}"


def test_fill_template_does_not_share_objects_with_values() -> None:
    body = [{"type": "TextBlock", "text": "a", "wrap": True}]
    card = fill_template("section", {"fallback": "f", "body": body})
    card["body"][0]["text"] = "changed"
    assert body[0]["text"] == "a"
    assert fill_template("section", {"fallback": "f", "body": body})["body"][0]["text"] == "a"


def test_cards_are_plain_json() -> None:
    for name, card in CARDS.items():
        assert json.loads(json.dumps(card)) == card, name


def test_input_ids_lists_show_card_inputs_too() -> None:
    assert input_ids(CARDS["update_summary_template"]) == ["summary", "skip_reason"]


def test_card_inputs_are_the_answer_fields_the_domain_compiles() -> None:
    """``cards.fields`` (what the card asks) and ``bot.domain.answers`` (what compiling reads) must agree."""
    from bot.domain.answers import TEMPLATE_FIELDS
    from bot.domain.models import Template
    from cards.fields import FIELDS, Kind

    for template in Template:
        asked = tuple(field.id for field in FIELDS[template] if field.kind is not Kind.RAG)
        assert asked == TEMPLATE_FIELDS[template], template
