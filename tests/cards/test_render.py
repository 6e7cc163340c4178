"""Every card rendered by the real ``adaptivecards`` renderer in headless Chromium, used as a person would.

Screenshots land in ``artifacts/cards/<name>.png``. Note what the renderer sends when a button is pressed:
the action's ``data`` plus every input that has a value; an input left empty is left out, so the bot treats
a missing id as an empty answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from cards.common import escape_card_text, text_block
from cards.loader import fill_template
from cards.publish import build_section_cards
from cards.update import build_update_card
from tests.support.card_samples import LAPTOPS, LAPTOPS_LAST_WEEK, WEEK, WEEK_LABEL, all_cards, huge_section
from tests.support.render import CardRenderer

pytestmark = pytest.mark.browser

CARDS = all_cards()
CONTEXT = {"week": WEEK, "project": "laptops", "v": 1}


def render(renderer: CardRenderer, card: dict[str, Any], name: str) -> None:
    wide = card.get("msteams", {}).get("width") == "Full"
    rendered = renderer.render(card, name, wide=wide)
    assert rendered.problems == [], f"{name}: the renderer reported problems"
    assert rendered.screenshot.stat().st_size > 1000


def show_card_titles(card: dict[str, Any]) -> list[str]:
    return [action["title"] for action in card.get("actions", []) if action["type"] == "Action.ShowCard"]


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_renders_without_errors(renderer: CardRenderer, name: str) -> None:
    render(renderer, CARDS[name], name)
    assert renderer.blocked_requests == [], "the page tried to reach the network"


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_input_has_a_visible_label_before_it(renderer: CardRenderer, name: str) -> None:
    card = CARDS[name]
    render(renderer, card, name)
    checked = {
        field["id"]: field for field in renderer.inputs() if field["rendered"]
    }  # ShowCard inputs render when opened
    for title in show_card_titles(card):
        renderer.click(title)
        renderer.screenshot(f"{name}__{title}")
        checked.update({field["id"]: field for field in renderer.inputs() if field["rendered"]})
    expected = {field["id"] for field in renderer.inputs()}
    assert set(checked) == expected
    for input_id, field in checked.items():
        assert field["labelText"], f"{name}: {input_id} has no label in the page"
        assert field["visible"], f"{name}: the label of {input_id} is not visible"
        assert field["labelBeforeControl"], f"{name}: the label of {input_id} comes after it"


def test_submitting_a_full_update_sends_the_ids_the_bot_reads(renderer: CardRenderer) -> None:
    card = build_update_card(project=LAPTOPS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=None)
    render(renderer, card, "flow_full_update_empty")
    typed = {
        "status_reason": "on track",
        "overview": "Wave three is under way.\nSecond paragraph with *stars*.",
        "achievements": "Wave three started\n  - 45 devices swapped",
        "in_progress": "Collection route",
        "metric_0": "1,250",
        "metric_1": "abc",
        "data_period": "4 to 10 May 2026",
        "workstreams": "Deployment: in progress",
        "risks": "Supplier capacity",
        "planned": "Finish the libraries",
    }
    renderer.choose("rag", "amber")
    for input_id, value in typed.items():
        renderer.fill(input_id, value)
    renderer.screenshot("flow_full_update_filled")
    renderer.click("Submit update")
    [action] = renderer.executed()
    assert action["type"] == "Action.Execute"
    assert action["verb"] == "update.submit"
    assert action["data"] == {"verb": "update.submit", **CONTEXT, "rag": "amber", **typed}


def test_saving_a_draft_sends_what_was_prefilled_from_last_week(renderer: CardRenderer) -> None:
    card = build_update_card(
        project=LAPTOPS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=LAPTOPS_LAST_WEEK
    )
    render(renderer, card, "flow_draft")
    renderer.click("Save draft")
    [action] = renderer.executed()
    assert action["verb"] == "update.draft"
    assert action["data"] == {
        "verb": "update.draft",
        **CONTEXT,
        "rag": "amber",
        "overview": LAPTOPS_LAST_WEEK.answers["overview"],
        "achievements": LAPTOPS_LAST_WEEK.answers["planned"],
        "workstreams": LAPTOPS_LAST_WEEK.answers["workstreams"],
        "risks": LAPTOPS_LAST_WEEK.answers["risks"],
    }


def test_skipping_opens_a_reason_box_and_sends_it(renderer: CardRenderer) -> None:
    card = build_update_card(project=LAPTOPS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=None)
    render(renderer, card, "flow_skip")
    renderer.click("Skip this week")
    renderer.fill("skip_reason", "Annual leave")
    renderer.screenshot("flow_skip_open")
    renderer.click("Confirm skip")
    [action] = renderer.executed()
    assert action["verb"] == "update.skip"
    assert action["data"] == {"verb": "update.skip", **CONTEXT, "skip_reason": "Annual leave"}


def test_hand_over_sends_the_project(renderer: CardRenderer) -> None:
    card = build_update_card(project=LAPTOPS, week=WEEK, week_label=WEEK_LABEL, update=None, previous=None)
    render(renderer, card, "flow_handover")
    renderer.click("Hand over to deputy")
    [action] = renderer.executed()
    assert action["data"] == {"verb": "update.handover", **CONTEXT}


def test_a_card_shown_again_after_errors_keeps_what_was_typed(renderer: CardRenderer) -> None:
    render(renderer, CARDS["update_full_errors"], "flow_errors")
    text = renderer.visible_text()
    assert "'about 40' is not a number." in text
    assert "2 answers need a change before this can be submitted: see below." in text
    assert renderer.value_of("metric_0") == "about 40"
    assert renderer.value_of("overview") == "Typed *before* the error"


def test_digest_chase_and_note(renderer: CardRenderer) -> None:
    render(renderer, CARDS["digest_open"], "flow_digest")
    renderer.click("Chase")
    renderer.click("Add my note")
    renderer.fill("director_note", "A week of go-live decisions.")
    renderer.fill("highlights", "- The libraries\n- The intranet")
    renderer.screenshot("flow_digest_note_open")
    renderer.click("Save note")
    chase, note = renderer.executed()
    assert chase["data"] == {"verb": "review.chase", "week": WEEK, "project": "website", "v": 1}
    assert note["data"] == {
        "verb": "review.note",
        "week": WEEK,
        "v": 1,
        "director_note": "A week of go-live decisions.",
        "highlights": "- The libraries\n- The intranet",
    }


def test_required_setup_inputs_stop_the_button_until_filled(renderer: CardRenderer) -> None:
    render(renderer, CARDS["project_form_new"], "flow_project_form")
    renderer.click("Save project")
    assert renderer.executed() == []
    assert "Give the project a name." in renderer.visible_text()
    renderer.screenshot("flow_project_form_invalid")
    renderer.fill("project_name", "Intranet")
    renderer.choose("owner", "priya.shah@example.org")
    renderer.click("Save project")
    [action] = renderer.executed()
    assert action["data"] == {
        "verb": "setup.project",
        "mode": "save",
        "project": "",
        "v": 1,
        "project_name": "Intranet",
        "owner": "priya.shah@example.org",
        "template": "full",
    }


TRICKY = [
    "*not bold* and _not italic_",
    "[not a link](https://example.org)",
    "C:\\shared\\drive\\*",
    "- not a bullet",
    "1. not a numbered list",
    "# not a heading",
    "> not a quote",
    "fish &amp; chips & `code` ~~kept~~ <b>kept</b>",
    "{{DATE(2026-05-11T09:00:00Z, SHORT)}}",
]


def test_user_text_is_shown_exactly_as_typed(renderer: CardRenderer) -> None:
    body = [text_block(escape_card_text(text)) for text in TRICKY]
    card = fill_template("section", {"fallback": "Escaping", "body": body})
    render(renderer, card, "escaping")
    assert renderer.text_of(".ac-textBlock") == TRICKY
    assert renderer.count(":is(strong, em, a, li, h1, code, blockquote)") == 0


def test_bullets_render_as_nested_lists(renderer: CardRenderer) -> None:
    render(renderer, CARDS["section_full_0"], "lists")
    assert renderer.text_of("ul ul li") == ["45 devices swapped in two libraries"]


def test_a_split_section_renders_and_shows_every_item(renderer: CardRenderer) -> None:
    section = huge_section(parts=2, items=150, item_words=20)
    cards = build_section_cards(section)
    assert len(cards) > 1
    shown = ""
    for index, card in enumerate(cards):
        render(renderer, card, f"split_{index}")
        shown += renderer.visible_text()
    for part in section.parts:
        for item in part.items:
            assert item.text.split(" ")[0] + " " in shown
