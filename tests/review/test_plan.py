"""Planning the channel messages (pure): slots, sizes as the connector receives them, overflow."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.domain.models import Rag, Template
from bot.domain.weeknote import Absence, Item, Part, Section, Weeknote
from bot.review.plan import (
    MESSAGE_LIMIT,
    MessageTooLargeError,
    content_hash,
    fit_section,
    headline_size,
    message_size,
    plan_weeknote,
    section_slot,
    slot_project,
)


def section(project_id: str, items: list[str]) -> Section:
    return Section(
        project_id=project_id,
        title=f"Project {project_id}",
        author_line="Priya Shah, Project Manager",
        template=Template.FULL,
        rag=Rag.GREEN,
        status_line="Overall status: 🟢 on track",
        parts=(
            Part("achievements", "✅", "Key achievements this week", items=tuple(Item(t) for t in items)),
        ),
    )


def weeknote(sections: list[Section], *, overview_rows: int = 0, note: str = "") -> Weeknote:
    return Weeknote(
        week="2026-W20",
        label="week ending 15 May 2026",
        organisation="DDaT",
        director_name="Dana Director",
        director_title="Director",
        director_note=note,
        sections=tuple(sections),
        absences=(Absence("gone", "Gone project", "Owen Price", "missing"),),
        rag_overview=tuple(
            (f"Project number {n} with a long name", Rag.AMBER, "▼ from green") for n in range(overview_rows)
        ),
    )


def test_a_short_weeknote_is_a_headline_and_one_card_per_section() -> None:
    plan = plan_weeknote(weeknote([section("a", ["One"]), section("b", ["Two"])], overview_rows=2))
    assert [p.slot for p in plan] == ["headline", "section:a:0", "section:b:0"]
    assert all(p.size == message_size(p.card) < MESSAGE_LIMIT for p in plan)
    assert plan[1].title == "Project a"


def test_text_that_escapes_to_many_bytes_is_cut_smaller_and_keeps_every_character() -> None:
    # Emoji are 12 bytes each as the SDK sends them (\ud83d\ude80): 2,000 of them are 24 KB alone.
    items = ["🚀" * 2000, "“quoted” – dashed " * 300, "plain text " * 600]
    cards = fit_section(section("emoji", items))
    assert len(cards) > 1
    assert all(message_size(card) < MESSAGE_LIMIT for card in cards)
    shown = json.dumps(cards, ensure_ascii=False)
    assert shown.count("🚀") == 2000


def test_an_overview_too_big_for_the_headline_moves_into_replies() -> None:
    plan = plan_weeknote(weeknote([section("a", ["One"])], overview_rows=150))
    slots = [p.slot for p in plan]
    assert slots[0] == "headline" and slots[-1] == "section:a:0"
    overview = [p for p in plan if p.slot.startswith("overview:")]
    assert len(overview) >= 2 and all(p.size < MESSAGE_LIMIT for p in plan)
    rows = sum(json.dumps(p.card, ensure_ascii=False).count("Project number") for p in overview)
    assert rows == 150
    assert "Project number" not in json.dumps(plan[0].card, ensure_ascii=False)
    assert "Project status (continued)" in json.dumps(overview[1].card, ensure_ascii=False)


def test_a_headline_too_big_even_without_its_overview_is_refused() -> None:
    note = "\n".join("🚀" * 100 for _ in range(30))
    big = weeknote([], note=note)
    assert headline_size(big) >= MESSAGE_LIMIT
    with pytest.raises(MessageTooLargeError):
        plan_weeknote(big)


def test_content_hash_ignores_key_order_and_sees_any_change() -> None:
    card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "a"}]}
    same = {"body": [{"text": "a", "type": "TextBlock"}], "type": "AdaptiveCard"}
    assert content_hash(card) == content_hash(same)
    assert content_hash(card) != content_hash({**card, "body": [{"type": "TextBlock", "text": "b"}]})


@pytest.mark.parametrize(
    ("slot", "project"),
    [
        (section_slot("onedrive", 0), "onedrive"),
        (section_slot("team:drupal", 12), "team:drupal"),
        ("headline", None),
        ("overview:0", None),
        ("section:broken", None),
    ],
)
def test_slots_name_their_project(slot: str, project: str | None) -> None:
    assert slot_project(slot) == project


def test_the_plan_is_the_same_every_time() -> None:
    note = weeknote([section("a", ["x " * 9000])])
    first, second = plan_weeknote(note), plan_weeknote(replace(note))
    assert [(p.slot, p.content_hash) for p in first] == [(p.slot, p.content_hash) for p in second]
