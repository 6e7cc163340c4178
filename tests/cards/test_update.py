"""The PM's update card and the read-only view of an update."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.domain.models import Rag, Template, Update, UpdateState
from cards.common import MAX_ANSWER_CHARS
from cards.contract import card_problems, input_ids
from cards.fields import FIELDS, LIST_PLACEHOLDER
from cards.fields import input_ids as field_input_ids
from cards.update import build_update_card, build_update_summary_card
from tests.support.card_samples import (
    DESK,
    DESK_DRAFT,
    LAPTOPS,
    LAPTOPS_LAST_WEEK,
    LAPTOPS_THIS_WEEK,
    RECORDS,
    RECORDS_SKIPPED,
    REPAIRS,
    REPAIRS_LAST_WEEK,
    WEEK,
    WEEK_LABEL,
    full_section,
)
from tests.support.card_text import texts

Card = dict[str, Any]

FULL_LABELS = {
    "rag": "Overall status",
    "status_reason": "Status reason",
    "overview": "Project overview",
    "achievements": "Key achievements this week",
    "in_progress": "Work in progress",
    "metric_0": "Devices deployed (devices)",
    "metric_1": "Open support tickets (tickets)",
    "data_period": "Data period (e.g. 3 to 10 May 2026)",
    "workstreams": "Workstreams (one per line, e.g. Deployment: complete)",
    "risks": "Risks and issues",
    "planned": "Planned activities",
}
BRIEF_LABELS = {
    "rag": "Overall status",
    "status_reason": "Status reason",
    "outcomes": "Key outcomes in last period",
    "next_activities": "Key activities in next period",
}


def update_card(**overrides: Any) -> Card:
    arguments: dict[str, Any] = {
        "project": LAPTOPS,
        "week": WEEK,
        "week_label": WEEK_LABEL,
        "update": None,
        "previous": None,
    }
    arguments.update(overrides)
    return build_update_card(**arguments)


def inputs(card: Card) -> dict[str, Card]:
    found: dict[str, Card] = {}
    stack: list[Any] = [card]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def actions_by_title(card: Card) -> dict[str, Card]:
    found = {action["title"]: action for action in card.get("actions", [])}
    for action in card.get("actions", []):
        if action["type"] == "Action.ShowCard":
            found.update({inner["title"]: inner for inner in action["card"]["actions"]})
    return found


def test_full_card_has_the_agreed_inputs_and_labels_in_order() -> None:
    card = update_card()
    assert input_ids(card) == [*FULL_LABELS, "skip_reason"]
    assert {key: value["label"] for key, value in inputs(card).items() if key != "skip_reason"} == FULL_LABELS
    assert list(field_input_ids(Template.FULL, 2)) == list(FULL_LABELS)


def test_brief_summary_and_team_cards_have_their_inputs_and_no_rag_where_there_is_none() -> None:
    brief = update_card(project=REPAIRS)
    assert {
        key: value["label"] for key, value in inputs(brief).items() if key != "skip_reason"
    } == BRIEF_LABELS
    summary = update_card(project=RECORDS)
    assert input_ids(summary) == ["summary", "skip_reason"]
    assert inputs(summary)["summary"]["label"] == "Project summary"
    team = update_card(project=DESK)
    assert input_ids(team) == ["update", "skip_reason"]
    assert inputs(team)["update"]["label"] == "Update"


def test_rag_is_a_choice_of_green_amber_red_with_emoji() -> None:
    rag = inputs(update_card())["rag"]
    assert rag["type"] == "Input.ChoiceSet"
    assert rag["choices"] == [
        {"title": "🟢 Green", "value": "green"},
        {"title": "🟠 Amber", "value": "amber"},
        {"title": "🔴 Red", "value": "red"},
    ]


@pytest.mark.parametrize("template", list(Template))
def test_answer_inputs_are_text_with_the_limit_and_list_help(template: Template) -> None:
    project = replace(LAPTOPS, template=template)
    found = inputs(update_card(project=project))
    for field in FIELDS[template]:
        element = found[field.id]
        if field.id == "rag":
            continue
        assert element["type"] == "Input.Text"
        assert element["maxLength"] == MAX_ANSWER_CHARS
        assert element["isMultiline"] is field.multiline
        if field.kind == "list" and field.id != "workstreams":
            assert (
                element["placeholder"]
                == LIST_PLACEHOLDER
                == ("One item per line; indent a line by two spaces for a sub-point.")
            )


def test_metric_inputs_are_text_with_last_weeks_value_as_placeholder() -> None:
    found = inputs(update_card(update=LAPTOPS_THIS_WEEK, previous=LAPTOPS_LAST_WEEK))
    assert found["metric_0"]["type"] == "Input.Text"
    assert found["metric_0"]["placeholder"] == "Last week: 1,180"
    assert found["metric_0"]["value"] == "1225"
    assert found["metric_1"]["placeholder"] == "Last week: 64"
    assert "value" not in found["metric_1"]  # reported blank this week


def test_a_new_week_carries_over_status_overview_workstreams_risks_and_offers_plans_as_achievements() -> None:
    card = update_card(previous=LAPTOPS_LAST_WEEK)
    values = {key: element.get("value") for key, element in inputs(card).items()}
    assert values["rag"] == "amber"
    assert values["overview"] == LAPTOPS_LAST_WEEK.answers["overview"]
    assert values["workstreams"] == LAPTOPS_LAST_WEEK.answers["workstreams"]
    assert values["risks"] == LAPTOPS_LAST_WEEK.answers["risks"]
    assert values["achievements"] == LAPTOPS_LAST_WEEK.answers["planned"]
    for not_carried in ("status_reason", "in_progress", "planned", "data_period", "metric_0", "metric_1"):
        assert values[not_carried] is None, not_carried
    assert "Prefilled from last week's planned activities: edit or delete what didn't happen." in texts(card)


def test_brief_card_offers_last_weeks_next_activities_as_outcomes() -> None:
    values = {
        key: element.get("value")
        for key, element in inputs(update_card(project=REPAIRS, previous=REPAIRS_LAST_WEEK)).items()
    }
    assert values["rag"] == "amber"
    assert values["outcomes"] == REPAIRS_LAST_WEEK.answers["next_activities"]
    assert values["status_reason"] is None


def test_an_existing_update_wins_over_last_week() -> None:
    card = update_card(update=LAPTOPS_THIS_WEEK, previous=LAPTOPS_LAST_WEEK)
    values = {key: element.get("value") for key, element in inputs(card).items()}
    assert values["rag"] == "green"
    assert values["achievements"] == LAPTOPS_THIS_WEEK.answers["achievements"]
    assert values["status_reason"] == "on track"
    assert not any("Prefilled" in text for text in texts(card))


def test_what_was_typed_wins_over_everything_and_is_kept_verbatim() -> None:
    typed = {
        "rag": "red",
        "overview": "  *kept* exactly\nas typed  ",
        "achievements": "",
        "metric_0": "about 40",
    }
    card = update_card(update=LAPTOPS_THIS_WEEK, previous=LAPTOPS_LAST_WEEK, values=typed)
    values = {key: element.get("value") for key, element in inputs(card).items()}
    assert values["rag"] == "red"
    assert values["overview"] == typed["overview"]
    assert values["achievements"] is None  # emptied on purpose: not refilled from the stored update
    assert values["metric_0"] == "about 40"


def test_errors_show_under_their_input_and_at_the_top() -> None:
    card = update_card(
        values={"metric_0": "abc"},
        errors={"metric_0": "'abc' is not a number.", "week": "This week has closed."},
        notice="Draft saved at 10:42",
    )
    body = card["body"]
    position = next(index for index, element in enumerate(body) if element.get("id") == "metric_0")
    assert body[position + 1]["text"] == "'abc' is not a number."
    assert body[position + 1]["color"] == "Attention"
    top = [element["text"] for element in body[2:5]]
    assert top == [
        "Draft saved at 10:42",
        "2 answers need a change before this can be submitted: see below.",
        "This week has closed.",
    ]


def test_title_subtitle_and_actions_carry_the_context() -> None:
    card = update_card(previous=LAPTOPS_LAST_WEEK)
    assert card["body"][0]["text"] == "Laptop refresh"
    assert card["body"][1]["text"] == "Update for w/c 11 May 2026"
    actions = actions_by_title(card)
    assert actions["Submit update"]["verb"] == "update.submit"
    assert actions["Submit update"]["style"] == "positive"
    assert actions["Save draft"]["verb"] == "update.draft"
    assert actions["Skip this week"]["type"] == "Action.ShowCard"
    skip_input = actions["Skip this week"]["card"]["body"][0]
    assert (skip_input["id"], skip_input["label"]) == ("skip_reason", "Reason (optional, e.g. annual leave)")
    assert actions["Confirm skip"]["verb"] == "update.skip"
    for title in ("Submit update", "Save draft", "Confirm skip", "Hand over to deputy"):
        assert actions[title]["data"] == {
            "verb": actions[title]["verb"],
            "week": WEEK,
            "project": "laptops",
            "v": 1,
        }


def test_hand_over_only_for_the_owner_of_a_project_with_a_deputy() -> None:
    assert "Hand over to deputy" in actions_by_title(update_card())
    assert "Hand over to deputy" not in actions_by_title(update_card(viewer_is_owner=False))
    assert "Hand over to deputy" not in actions_by_title(update_card(project=REPAIRS))


def test_user_text_in_the_title_is_escaped_but_values_are_not() -> None:
    project = replace(LAPTOPS, name="*Phase 2* [pilot]")
    card = update_card(project=project, values={"overview": "*Phase 2* [pilot]"})
    assert card["body"][0]["text"] == "\\*Phase 2\\* \\[pilot\\]"
    assert inputs(card)["overview"]["value"] == "*Phase 2* [pilot]"


def test_the_largest_possible_update_is_still_a_valid_card() -> None:
    answers = {field.id: "x" * MAX_ANSWER_CHARS for field in FIELDS[Template.BRIEF] if field.id != "rag"}
    update = Update(WEEK, REPAIRS.project_id, rag=Rag.RED, answers=answers)
    assert card_problems(update_card(project=REPAIRS, update=update)) == []


def summary(**overrides: Any) -> Card:
    arguments: dict[str, Any] = {
        "project": LAPTOPS,
        "week_label": WEEK_LABEL,
        "section": full_section(),
        "update": LAPTOPS_THIS_WEEK,
        "can_edit": True,
    }
    arguments.update(overrides)
    return build_update_summary_card(**arguments)


def test_summary_shows_the_section_with_bullets_and_sub_bullets() -> None:
    shown = texts(summary())
    assert shown[:3] == ["Laptop refresh", "Update for w/c 11 May 2026", "Submitted ✅"]
    assert "- Wave three started\n  - 45 devices swapped in two libraries" in shown
    assert "📈 Snapshot (week on week)" in shown


def test_summary_header_says_late_skipped_or_draft() -> None:
    assert texts(summary(update=replace(LAPTOPS_THIS_WEEK, late=True)))[2] == "Submitted ✅ (late)"
    skipped = summary(project=RECORDS, section=None, update=RECORDS_SKIPPED)
    assert texts(skipped)[2:] == ["Skipped ⏭️: Annual leave"]
    draft = texts(summary(project=DESK, section=None, update=DESK_DRAFT))
    assert draft[2] == "Draft saved, not submitted yet 📝"
    assert draft[3:] == [
        "Update",
        "Product: intranet",
        "- not started: 4, in progress: 9, completed: 21",
        "Looking ahead",
    ]


def test_summary_edit_button_only_when_editing_is_allowed() -> None:
    card = summary()
    data = {"verb": "update.edit", "week": WEEK, "project": "laptops", "v": 1}
    assert card["actions"] == [
        {
            "type": "Action.Execute",
            "title": "Edit",
            "verb": "update.edit",
            "data": data,
            "fallback": {"type": "Action.Submit", "title": "Edit", "data": data},
        }
    ]
    assert "actions" not in summary(can_edit=False)


def test_summary_adds_metric_sentences_unless_the_section_has_them() -> None:
    sentence = "Devices deployed increased by 3.8% (from 1,180 to 1,225 devices)"
    with_section = texts(summary(metric_lines=[sentence]))
    assert with_section.count(f"- {sentence}") == 1
    raw = texts(summary(section=None, metric_lines=[sentence]))
    assert "📈 Metrics" in raw
    assert f"- {sentence}" in raw
    assert "Overall status: 🟢 Green" in raw


def test_summary_of_a_submitted_update_without_section_shows_answers_under_labels() -> None:
    shown = texts(summary(section=None, update=replace(LAPTOPS_THIS_WEEK, state=UpdateState.SUBMITTED)))
    assert "Key achievements this week" in shown
    assert "Wave three started" in shown
    assert "  - 45 devices swapped in two libraries" in shown
