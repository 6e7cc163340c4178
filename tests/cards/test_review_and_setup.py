"""The director's digest, the command cards and the setup forms."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.models import Rag, Schedule
from cards.actions import emitted_verbs, iter_actions
from cards.commands import build_help_card, build_notice_card, build_status_card
from cards.contract import card_problems, input_ids
from cards.review import build_digest_card
from cards.setup import (
    SCHEDULE_PATTERN,
    build_channel_form,
    build_project_form,
    build_projects_card,
    build_roles_form,
    build_schedule_form,
)
from tests.support.card_samples import LAPTOPS, PEOPLE, PROJECTS, WEEK, WEEK_LABEL
from tests.support.card_text import texts

Card = dict[str, Any]


def digest(**overrides: Any) -> Card:
    arguments: dict[str, Any] = {
        "week": WEEK,
        "week_label": WEEK_LABEL,
        "counts": {"submitted": 3, "late": 1, "skipped": 0, "missing": 2},
        "rag_overview": [("Laptop refresh", Rag.GREEN, "▲ from amber"), ("Intranet", None, "")],
        "missing": [("website", "Website *replacement*", "Sam Reed"), ("hr", "HR system", "Ana Diaz")],
        "changes": ["Laptop refresh moved from amber to green"],
        "engagement_lines": ["12 reactions"],
        "director_note": "",
        "highlights": "",
        "published": False,
        "needs_republish": False,
    }
    arguments.update(overrides)
    return build_digest_card(**arguments)


def action_titles(card: Card) -> list[str]:
    return [action["title"] for action in iter_actions(card)]


def test_digest_counts_overview_and_missing_with_chase_buttons() -> None:
    card = digest()
    facts = next(element for element in card["body"] if element["type"] == "FactSet")["facts"]
    assert facts == [
        {"title": "Submitted", "value": "3"},
        {"title": "Late", "value": "1"},
        {"title": "Skipped", "value": "0"},
        {"title": "Missing", "value": "2"},
    ]
    assert "Website \\*replacement\\* (Sam Reed)" in texts(card)
    chases = [action for action in iter_actions(card) if action.get("verb") == "review.chase"]
    assert [action["data"] for action in chases] == [
        {"verb": "review.chase", "week": WEEK, "project": "website", "v": 1},
        {"verb": "review.chase", "week": WEEK, "project": "hr", "v": 1},
    ]
    assert "Not set" in str(card)  # a project without a RAG


def test_digest_offers_publish_before_publishing_and_republish_after_a_change() -> None:
    assert emitted_verbs(digest()) >= {"review.publish", "review.preview", "review.note"}
    assert "review.republish" not in emitted_verbs(digest())
    changed = digest(published=True, needs_republish=True)
    assert "review.republish" in emitted_verbs(changed)
    assert "review.publish" not in emitted_verbs(changed)
    done = digest(published=True)
    assert not {"review.publish", "review.republish"} & emitted_verbs(done)
    assert "Published ✅" in texts(done)


def test_digest_note_form_is_prefilled_and_sends_the_week() -> None:
    card = digest(director_note="A good week.", highlights="- One\n- Two")
    note = next(action for action in card["actions"] if action["type"] == "Action.ShowCard")
    assert note["title"] == "Edit my note"
    fields = {element["id"]: element for element in note["card"]["body"]}
    assert (fields["director_note"]["label"], fields["director_note"]["value"]) == (
        "Director's note",
        "A good week.",
    )
    assert (fields["highlights"]["label"], fields["highlights"]["value"]) == ("Highlights", "- One\n- Two")
    assert note["card"]["actions"][0]["data"] == {"verb": "review.note", "week": WEEK, "v": 1}
    assert [text for text in texts(card) if text in {"- One", "- Two"}] == ["- One", "- Two"]
    assert digest()["actions"][0]["title"] == "Add my note"


def test_digest_with_nobody_missing_says_so() -> None:
    assert "Every project has reported. ✅" in texts(digest(missing=[]))


def test_help_card_lists_commands_and_reviewer_commands_for_reviewers() -> None:
    plain = build_help_card(is_reviewer=False)
    reviewer = build_help_card(is_reviewer=True)
    director = build_help_card(is_reviewer=True, is_admin=True)
    plain_commands = [fact["title"] for fact in plain["body"][3]["facts"]]
    assert plain_commands == ["update", "status", "skip", "help"]
    reviewer_commands = [*plain_commands, "review", "preview", "publish"]
    assert [fact["title"] for fact in reviewer["body"][3]["facts"]] == reviewer_commands
    director_commands = [fact["title"] for fact in director["body"][3]["facts"]]
    assert director_commands == [*reviewer_commands, "projects", "setup"]
    assert emitted_verbs(plain) == {"cmd.update", "cmd.status"}


def test_status_card_shows_each_project_with_its_state() -> None:
    card = build_status_card(
        week_label=WEEK_LABEL, rows=[("A *b*", "submitted"), ("C", "missing"), ("D", "odd")]
    )
    assert card["body"][2]["facts"] == [
        {"title": "A \\*b\\*", "value": "✅ submitted"},
        {"title": "C", "value": "⏳ missing"},
        {"title": "D", "value": "odd"},
    ]
    assert emitted_verbs(card) == {"cmd.update", "cmd.help"}


def test_notice_card_keeps_the_bots_markdown() -> None:
    card = build_notice_card("Saved", "Type **help** for more.")
    assert texts(card) == ["Saved", "Type **help** for more."]
    assert card_problems(card) == []


def test_projects_card_lists_projects_with_edit_buttons_and_an_add_form() -> None:
    card = build_projects_card(PROJECTS, {person.email: person.name for person in PEOPLE})
    assert "Owner: Priya Shah · Deputy: Tom Ellis · Template: full" in texts(card)
    edits = [action["data"] for action in iter_actions(card) if action["title"] == "Edit"]
    assert edits[0] == {"verb": "setup.project", "project": "laptops", "mode": "edit", "v": 1}
    add = card["actions"][0]
    assert (add["type"], add["title"]) == ("Action.ShowCard", "Add project")
    assert input_ids(add["card"]) == ["project_name", "owner", "deputy", "template", "metrics"]
    assert add["card"]["actions"][0]["data"] == {
        "verb": "setup.project",
        "mode": "save",
        "project": "",
        "v": 1,
    }


def test_project_form_prefills_an_existing_project_and_shows_errors() -> None:
    card = build_project_form(LAPTOPS, PEOPLE, errors={"owner": "Choose someone who is still here."})
    fields = {element["id"]: element for element in card["body"] if "id" in element}
    assert fields["project_name"]["value"] == "Laptop refresh"
    assert fields["owner"]["value"] == "priya.shah@example.org"
    assert fields["deputy"]["value"] == "tom.ellis@example.org"
    assert fields["template"]["value"] == "full"
    assert fields["metrics"]["value"] == "Devices deployed (devices)\nOpen support tickets (tickets)"
    assert {"title": "Priya Shah (priya.shah@example.org)", "value": "priya.shah@example.org"} in fields[
        "owner"
    ]["choices"]
    owner_at = next(index for index, element in enumerate(card["body"]) if element.get("id") == "owner")
    assert card["body"][owner_at + 1]["text"] == "Choose someone who is still here."
    assert card["actions"][0]["data"] == {
        "verb": "setup.project",
        "mode": "save",
        "project": "laptops",
        "v": 1,
    }
    assert fields["project_name"]["isRequired"] is True


def test_schedule_form_prefills_times_and_checks_their_shape() -> None:
    card = build_schedule_form(Schedule(prompt="wed 09:30"), "Europe/London")
    fields = {element["id"]: element for element in card["body"] if "id" in element}
    assert {key: fields[key]["value"] for key in ("prompt", "remind", "close", "timezone")} == {
        "prompt": "wed 09:30",
        "remind": "fri 10:00",
        "close": "mon 09:00",
        "timezone": "Europe/London",
    }
    assert fields["prompt"]["regex"] == SCHEDULE_PATTERN
    assert emitted_verbs(card) == {"setup.schedule"}


def test_schedule_pattern_accepts_day_and_time_only() -> None:
    pattern = re.compile(SCHEDULE_PATTERN)
    for good in ("thu 10:00", "Mon 9:05", " fri 23:59 "):
        assert pattern.match(good), good
    for bad in ("thursday 10:00", "thu 24:00", "thu 10", "10:00 thu", ""):
        assert not pattern.match(bad), bad


def test_roles_form_shows_current_roles_and_offers_every_role() -> None:
    card = build_roles_form(PEOPLE)
    facts = card["body"][1]["facts"]
    assert {"title": "Grace Holt", "value": "admin, director"} in facts
    roles = next(element for element in card["body"] if element.get("id") == "roles")
    assert roles["isMultiSelect"] is True
    assert [choice["value"] for choice in roles["choices"]] == ["director", "editor", "pm", "admin"]
    assert emitted_verbs(card) == {"setup.role"}


def test_channel_form_preselects_the_current_channel() -> None:
    card = build_channel_form([("19:a", "General"), ("19:b", "Weeknotes")], "19:b")
    channel = card["body"][2]
    assert channel["id"] == "channel"
    assert channel["value"] == "19:b"
    assert channel["choices"] == [
        {"title": "General", "value": "19:a"},
        {"title": "Weeknotes", "value": "19:b"},
    ]
    assert emitted_verbs(card) == {"setup.channel"}
